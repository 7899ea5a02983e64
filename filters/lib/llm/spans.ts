/**
 * @module filters/lib/llm/spans
 * `TextSpans`: the prompt texts of a request (or the output texts of a response), each a raw
 * span of JSON string content in the body — start and end offsets between the quotes, whether it
 * holds escapes — tagged with what it is (`TextKind`), who wrote it (`Role`) and which message it
 * came from. Spans are raw so that the guard can redact inside one (the patcher's
 * `replaceInString` takes the same offsets) and the estimator reads escapes as characters.
 */
import { SpanList } from "../json/spans";

/** Where a text sits in the API's shape. */
export const enum TextKind {
  /** Message content: `messages[].content`, content parts/blocks, Gemini `contents[].parts[].text`. */
  Message = 0,
  /** System prompt: Anthropic `system`, Responses `instructions`, Gemini `systemInstruction`. */
  System = 1,
  /** Legacy Completions `prompt` (string or array of strings). */
  Prompt = 2,
  /** Responses `input` as a plain string, Embeddings `input`. */
  Input = 3,
  /** Tool output fed back to the model: `role: tool` content, Anthropic `tool_result`, Responses `function_call_output`. */
  ToolResult = 4,
  /** Tool-call arguments written by the model (OpenAI `tool_calls[].function.arguments`, Responses `function_call`). */
  ToolCall = 5,
  /** Generated text in a response or a stream event. */
  Output = 6,
  /** Generated reasoning shown to the client: Anthropic thinking, Responses reasoning text and summaries, Gemini thought parts, `reasoning_content` of OpenAI-compatible servers. */
  Reasoning = 7,
}

/** The author of a text, normalised across providers (Gemini `model` is `Assistant`). */
export const enum Role { None = 0, System = 1, Developer = 2, User = 3, Assistant = 4, Tool = 5 }

const KIND_NAMES: StaticArray<string> = ["message", "system", "prompt", "input", "tool_result", "tool_call", "output", "reasoning"];
const ROLE_NAMES: StaticArray<string> = ["", "system", "developer", "user", "assistant", "tool"];

export function textKindName(k: TextKind): string {
  return <u32>k < <u32>KIND_NAMES.length ? unchecked(KIND_NAMES[<i32>k]) : "unknown";
}
export function roleName(r: Role): string {
  return <u32>r < <u32>ROLE_NAMES.length ? unchecked(ROLE_NAMES[<i32>r]) : "";
}

const STRIDE = 4;
const ESCAPED: i32 = 1;

export class TextSpans {
  private data: StaticArray<i32>;
  /** Number of spans held. */
  length: i32 = 0;

  constructor(initialCapacity: i32 = 16) {
    this.data = new StaticArray<i32>((initialCapacity > 0 ? initialCapacity : 4) * STRIDE);
  }

  reset(): void { this.length = 0; }

  add(start: i32, end: i32, escaped: bool, kind: TextKind, role: Role, message: i32): void {
    const need = (this.length + 1) * STRIDE;
    if (need > this.data.length) {
      const next = new StaticArray<i32>(this.data.length * 2);
      memory.copy(changetype<usize>(next), changetype<usize>(this.data), <usize>this.length * STRIDE * 4);
      this.data = next;
    }
    const i = this.length * STRIDE;
    unchecked(this.data[i] = start);
    unchecked(this.data[i + 1] = end);
    unchecked(this.data[i + 2] = (escaped ? ESCAPED : 0) | (<i32>kind << 8) | (<i32>role << 16));
    unchecked(this.data[i + 3] = message);
    this.length++;
  }

  /** Raw start offset (just after the opening quote), or -1 out of range. */
  start(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * STRIDE]) : -1; }
  /** Raw end offset (the closing quote), or -1 out of range. */
  end(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * STRIDE + 1]) : -1; }
  escaped(i: i32): bool { return <u32>i < <u32>this.length && (unchecked(this.data[i * STRIDE + 2]) & ESCAPED) != 0; }
  kind(i: i32): TextKind { return <u32>i < <u32>this.length ? <TextKind>((unchecked(this.data[i * STRIDE + 2]) >> 8) & 0xff) : TextKind.Message; }
  role(i: i32): Role { return <u32>i < <u32>this.length ? <Role>((unchecked(this.data[i * STRIDE + 2]) >> 16) & 0xff) : Role.None; }
  /** Index of the message (or input item, or Gemini content) the span belongs to; -1 for top-level texts. */
  message(i: i32): i32 { return <u32>i < <u32>this.length ? unchecked(this.data[i * STRIDE + 3]) : -1; }

  /** Sets the role of spans [from, to). */
  setRole(from: i32, to: i32, role: Role): void {
    for (let i = from; i < to && i < this.length; i++) {
      const f = unchecked(this.data[i * STRIDE + 2]);
      unchecked(this.data[i * STRIDE + 2] = (f & 0xffff) | (<i32>role << 16));
    }
  }

  /** Changes spans [from, to) of kind `was` to kind `now`. */
  retag(from: i32, to: i32, was: TextKind, now: TextKind): void {
    for (let i = from; i < to && i < this.length; i++) {
      const f = unchecked(this.data[i * STRIDE + 2]);
      if (((f >> 8) & 0xff) == <i32>was) unchecked(this.data[i * STRIDE + 2] = (f & ~0xff00) | (<i32>now << 8));
    }
  }

  /** Sum of the raw byte lengths of all spans. */
  totalBytes(): i64 {
    let n: i64 = 0;
    for (let i = 0; i < this.length; i++) n += <i64>(unchecked(this.data[i * STRIDE + 1]) - unchecked(this.data[i * STRIDE]));
    return n;
  }

  /** Appends spans [from, to) to a plain `SpanList` (e.g. for code written against json/chat). */
  copyTo(out: SpanList, from: i32 = 0, to: i32 = -1): void {
    const end = to < 0 || to > this.length ? this.length : to;
    for (let i = from; i < end; i++) out.add(this.start(i), this.end(i), this.escaped(i));
  }
}
