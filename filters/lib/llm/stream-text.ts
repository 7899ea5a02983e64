/**
 * @module filters/lib/llm/stream-text
 * `OutputTextReader`: the generated text of a response, as raw string spans into the bytes it
 * was given (so the guard can scan and redact in place, and the token limiter can estimate
 * output when no usage is reported). For each provider's stream event:
 * OpenAI Chat `choices[].delta.content` / `.refusal` (and `delta.tool_calls[].function.arguments`
 * as tool-call text), legacy Completions `choices[].text`, Anthropic `content_block_delta`
 * (`text_delta.text`; `input_json_delta.partial_json` as tool-call text), Gemini
 * `candidates[].content.parts[].text`, Responses `response.output_text.delta` and
 * `response.refusal.delta`; reasoning shown to the client as spans of kind `Reasoning` (Anthropic
 * `thinking_delta`, Responses reasoning deltas, Gemini `thought: true` parts, `reasoning_content`
 * of OpenAI-compatible servers). For non-streamed bodies: the message content of each shape. Text is
 * taken from one place only (never the Responses `.done` repeats), so nothing is counted twice.
 * Opaque fields (`obfuscation`, signatures) are never text.
 *
 * @example
 *   const n = out.event(ev.typePtr, ev.typeLen, ev.dataPtr, ev.dataLen);  // spans into ev's data
 *   for (let i = 0; i < n; i++) scan(ev.dataPtr + out.spans.start(i), ...);
 */
import { CharCode } from "../charcode";
import { JsonScanner, JSON_END } from "../json/scanner";
import { JsonKey } from "../json/key";
import { stringEquals } from "../json/values";
import { estimateTokens } from "../tokens";
import { ApiKind } from "./api";
import { TextSpans, TextKind, Role } from "./spans";
import { UsageDialect, usageDialect } from "./usage-counts";
import { isDoneMarker } from "./usage";

const K_TYPE = new JsonKey("type");
const K_CHOICES = new JsonKey("choices");
const K_DELTA = new JsonKey("delta");
const K_MESSAGE = new JsonKey("message");
const K_CONTENT = new JsonKey("content");
const K_REFUSAL = new JsonKey("refusal");
const K_TEXT = new JsonKey("text");
const K_TOOL_CALLS = new JsonKey("tool_calls");
const K_FUNCTION = new JsonKey("function");
const K_ARGUMENTS = new JsonKey("arguments");
const K_PARTIAL_JSON = new JsonKey("partial_json");
const K_CANDIDATES = new JsonKey("candidates");
const K_PARTS = new JsonKey("parts");
const K_OUTPUT = new JsonKey("output");
const K_THINKING = new JsonKey("thinking");
const K_THOUGHT = new JsonKey("thought");
const K_REASONING_CONTENT = new JsonKey("reasoning_content");
const K_SUMMARY = new JsonKey("summary");
const V_THINKING_DELTA = new JsonKey("thinking_delta");
const V_THINKING = new JsonKey("thinking");
const V_REASONING = new JsonKey("reasoning");
const V_SUMMARY_TEXT = new JsonKey("summary_text");
const V_REASONING_TEXT = new JsonKey("reasoning_text");
const V_REASONING_SUMMARY_DELTA = new JsonKey("response.reasoning_summary_text.delta");
const V_REASONING_TEXT_DELTA = new JsonKey("response.reasoning_text.delta");
const V_ARGUMENTS_DELTA = new JsonKey("response.function_call_arguments.delta");
const V_CUSTOM_INPUT_DELTA = new JsonKey("response.custom_tool_call_input.delta");
const V_CONTENT_BLOCK_DELTA = new JsonKey("content_block_delta");
const V_TEXT_DELTA = new JsonKey("text_delta");
const V_INPUT_JSON_DELTA = new JsonKey("input_json_delta");
const V_OUTPUT_TEXT_DELTA = new JsonKey("response.output_text.delta");
const V_REFUSAL_DELTA = new JsonKey("response.refusal.delta");
const V_TEXT = new JsonKey("text");
const V_OUTPUT_TEXT = new JsonKey("output_text");
const V_REFUSAL = new JsonKey("refusal");
const V_MESSAGE = new JsonKey("message");
const V_FUNCTION_CALL = new JsonKey("function_call");

export class OutputTextReader {
  kind: ApiKind = ApiKind.Unknown;
  /** Spans found by the last `event` or `body` call, offsets into the bytes it was given. */
  readonly spans: TextSpans = new TextSpans(8);
  /** The last call's data was not the JSON expected (no spans then). */
  malformed: bool = false;
  private dialect: UsageDialect = UsageDialect.None;
  private sc: JsonScanner = new JsonScanner();

  constructor(kind: ApiKind = ApiKind.Unknown) { this.reset(kind); }

  reset(kind: ApiKind): void {
    this.kind = kind;
    this.dialect = usageDialect(kind);
    this.spans.reset();
    this.malformed = false;
  }

  /**
   * The text of one stream event (SSE name, `typeLen` 0 when none; data). Returns the number
   * of spans, offsets into the data.
   */
  event(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32): i32 {
    this.spans.reset();
    this.malformed = false;
    const sc = this.sc.reset(dataPtr, dataLen);
    const root = sc.root();
    if (root < 0 || sc.byteAt(root) != CharCode.LBRACE || !sc.validate(false)) { this.malformed = !isDoneMarker(dataPtr, dataLen); return 0; }
    let ok = true;
    switch (this.dialect) {
      case UsageDialect.Chat: ok = this.choices(root, true); break;
      case UsageDialect.Gemini: ok = this.candidates(root); break;
      case UsageDialect.Anthropic: {
        if (this.typeIs(root, typePtr, typeLen, V_CONTENT_BLOCK_DELTA)) {
          const delta = sc.find(root, K_DELTA);
          if (delta >= 0 && sc.byteAt(delta) == CharCode.LBRACE) {
            const t = sc.find(delta, K_TYPE);
            if (t >= 0 && stringEquals(sc, t, V_TEXT_DELTA)) ok = this.addMember(delta, K_TEXT, TextKind.Output, 0);
            else if (t >= 0 && stringEquals(sc, t, V_INPUT_JSON_DELTA)) ok = this.addMember(delta, K_PARTIAL_JSON, TextKind.ToolCall, 0);
            else if (t >= 0 && stringEquals(sc, t, V_THINKING_DELTA)) ok = this.addMember(delta, K_THINKING, TextKind.Reasoning, 0);
          }
        }
        break;
      }
      case UsageDialect.Responses: {
        if (this.typeIs(root, typePtr, typeLen, V_OUTPUT_TEXT_DELTA) || this.typeIs(root, typePtr, typeLen, V_REFUSAL_DELTA)) {
          ok = this.addMember(root, K_DELTA, TextKind.Output, 0);
        } else if (this.typeIs(root, typePtr, typeLen, V_REASONING_SUMMARY_DELTA) || this.typeIs(root, typePtr, typeLen, V_REASONING_TEXT_DELTA)) {
          ok = this.addMember(root, K_DELTA, TextKind.Reasoning, 0);
        } else if (this.typeIs(root, typePtr, typeLen, V_ARGUMENTS_DELTA) || this.typeIs(root, typePtr, typeLen, V_CUSTOM_INPUT_DELTA)) {
          ok = this.addMember(root, K_DELTA, TextKind.ToolCall, 0);
        }
        break;
      }
    }
    if (!ok) { this.spans.reset(); this.malformed = true; }
    return this.spans.length;
  }

  /** Safe wrapper of `event` for byte arrays. */
  eventBytes(type: Uint8Array | null, data: Uint8Array): i32 {
    return this.event(type === null ? 0 : type.dataStart, type === null ? 0 : type.length, data.dataStart, data.length);
  }

  /** The text of a whole non-streamed response body. Returns the number of spans. */
  body(ptr: usize, len: i32): i32 {
    this.spans.reset();
    this.malformed = false;
    const sc = this.sc.reset(ptr, len);
    const root = sc.root();
    if (root < 0 || !sc.validate(false)) { this.malformed = true; return 0; }
    if (sc.byteAt(root) == CharCode.LBRACKET && this.dialect == UsageDialect.Gemini) {
      // Gemini's JSON-array stream, whole: each element is one response chunk.
      let el = sc.firstElement(root);
      while (el >= 0) {
        const end = sc.skipValue(el);
        if (end < 0 || (sc.byteAt(el) == CharCode.LBRACE && !this.candidates(el))) { this.spans.reset(); this.malformed = true; return 0; }
        el = nextAfter(sc, end);
      }
      return this.spans.length;
    }
    if (sc.byteAt(root) != CharCode.LBRACE) { this.malformed = true; return 0; }
    let ok = true;
    switch (this.dialect) {
      case UsageDialect.Chat: ok = this.choices(root, false); break;
      case UsageDialect.Gemini: ok = this.candidates(root); break;
      case UsageDialect.Anthropic: {
        const c = sc.find(root, K_CONTENT);
        if (c >= 0 && sc.byteAt(c) == CharCode.LBRACKET) ok = this.typedParts(c, 0);
        break;
      }
      case UsageDialect.Responses: ok = this.responsesOutput(root); break;
    }
    if (!ok) { this.spans.reset(); this.malformed = true; }
    return this.spans.length;
  }

  bodyBytes(body: Uint8Array): i32 { return this.body(body.dataStart, body.length); }

  /** Estimated tokens of the spans found by the last call, over the same bytes. */
  estimateTokens(base: usize): i64 {
    let n: i64 = 0;
    const s = this.spans;
    for (let i = 0; i < s.length; i++) n += estimateTokens(base + <usize>s.start(i), s.end(i) - s.start(i), s.escaped(i));
    return n;
  }

  /** True when the event's JSON `type` (else its SSE name) is `name`. */
  private typeIs(root: i32, typePtr: usize, typeLen: i32, name: JsonKey): bool {
    const t = this.sc.find(root, K_TYPE);
    if (t >= 0) return stringEquals(this.sc, t, name);
    return typeLen == name.len && memory.compare(typePtr, name.ptr, <usize>typeLen) == 0;
  }

  /** Adds the string member `key` of the object at `obj`, if it is a string. */
  private addMember(obj: i32, key: JsonKey, kind: TextKind, index: i32): bool {
    const sc = this.sc;
    const v = sc.find(obj, key);
    if (v == JSON_END || v < -1) return v == JSON_END;
    if (sc.byteAt(v) != CharCode.QUOTE) return true;
    const e = sc.skipString(v);
    if (e < 0) return false;
    this.spans.add(v + 1, e - 1, sc.sawEscape, kind, Role.Assistant, index);
    return true;
  }

  /** OpenAI `choices[]`: `delta` (stream) or `message` (body) content and refusal, tool-call arguments; legacy `text`. */
  private choices(root: i32, stream: bool): bool {
    const sc = this.sc;
    const ch = sc.find(root, K_CHOICES);
    if (ch < -1) return false;
    if (ch < 0 || sc.byteAt(ch) != CharCode.LBRACKET) return true;
    let i = 0;
    let c = sc.firstElement(ch);
    while (c >= 0) {
      const end = sc.skipValue(c);
      if (end < 0) return false;
      if (sc.byteAt(c) == CharCode.LBRACE) {
        if (!this.addMember(c, K_TEXT, TextKind.Output, i)) return false; // legacy Completions
        const m = sc.find(c, stream ? K_DELTA : K_MESSAGE);
        if (m >= 0 && sc.byteAt(m) == CharCode.LBRACE) {
          const content = sc.find(m, K_CONTENT);
          if (content >= 0 && sc.byteAt(content) == CharCode.LBRACKET) {
            if (!this.typedParts(content, i)) return false;
          } else if (!this.addMember(m, K_CONTENT, TextKind.Output, i)) return false;
          if (!this.addMember(m, K_REFUSAL, TextKind.Output, i)) return false;
          if (!this.addMember(m, K_REASONING_CONTENT, TextKind.Reasoning, i)) return false;
          const calls = sc.find(m, K_TOOL_CALLS);
          if (calls >= 0 && sc.byteAt(calls) == CharCode.LBRACKET) {
            let t = sc.firstElement(calls);
            while (t >= 0) {
              const te = sc.skipValue(t);
              if (te < 0) return false;
              if (sc.byteAt(t) == CharCode.LBRACE) {
                const fn = sc.find(t, K_FUNCTION);
                if (fn >= 0 && sc.byteAt(fn) == CharCode.LBRACE && !this.addMember(fn, K_ARGUMENTS, TextKind.ToolCall, i)) return false;
              }
              t = nextAfter(sc, te);
            }
          }
        }
      }
      i++;
      c = nextAfter(sc, end);
    }
    return c == JSON_END;
  }

  /** Gemini `candidates[].content.parts[].text`. */
  private candidates(root: i32): bool {
    const sc = this.sc;
    const cs = sc.find(root, K_CANDIDATES);
    if (cs < -1) return false;
    if (cs < 0 || sc.byteAt(cs) != CharCode.LBRACKET) return true;
    let i = 0;
    let c = sc.firstElement(cs);
    while (c >= 0) {
      const end = sc.skipValue(c);
      if (end < 0) return false;
      if (sc.byteAt(c) == CharCode.LBRACE) {
        const content = sc.find(c, K_CONTENT);
        if (content >= 0 && sc.byteAt(content) == CharCode.LBRACE) {
          const parts = sc.find(content, K_PARTS);
          if (parts >= 0 && sc.byteAt(parts) == CharCode.LBRACKET) {
            let p = sc.firstElement(parts);
            while (p >= 0) {
              const pe = sc.skipValue(p);
              if (pe < 0) return false;
              if (sc.byteAt(p) == CharCode.LBRACE) {
                const th = sc.find(p, K_THOUGHT);
                const thought = th >= 0 && sc.byteAt(th) == CharCode.t;
                if (!this.addMember(p, K_TEXT, thought ? TextKind.Reasoning : TextKind.Output, i)) return false;
              }
              p = nextAfter(sc, pe);
            }
          }
        }
      }
      i++;
      c = nextAfter(sc, end);
    }
    return c == JSON_END;
  }

  /**
   * An array of typed parts or blocks: `text`/`output_text` and `refusal` are output; `thinking`,
   * `summary_text` and `reasoning_text` are reasoning; other types (images, tool use, signatures) are not text.
   */
  private typedParts(arr: i32, index: i32): bool {
    const sc = this.sc;
    let p = sc.firstElement(arr);
    while (p >= 0) {
      const pe = sc.skipValue(p);
      if (pe < 0) return false;
      if (sc.byteAt(p) == CharCode.LBRACE) {
        const t = sc.find(p, K_TYPE);
        if (t >= 0 && (stringEquals(sc, t, V_TEXT) || stringEquals(sc, t, V_OUTPUT_TEXT))) {
          if (!this.addMember(p, K_TEXT, TextKind.Output, index)) return false;
        } else if (t >= 0 && stringEquals(sc, t, V_REFUSAL)) {
          if (!this.addMember(p, K_REFUSAL, TextKind.Output, index)) return false;
        } else if (t >= 0 && stringEquals(sc, t, V_THINKING)) {
          if (!this.addMember(p, K_THINKING, TextKind.Reasoning, index)) return false;
        } else if (t >= 0 && (stringEquals(sc, t, V_SUMMARY_TEXT) || stringEquals(sc, t, V_REASONING_TEXT))) {
          if (!this.addMember(p, K_TEXT, TextKind.Reasoning, index)) return false;
        }
      }
      p = nextAfter(sc, pe);
    }
    return p == JSON_END;
  }

  /** Responses body: `output[]` message items' `output_text` parts, and `function_call` arguments. */
  private responsesOutput(root: i32): bool {
    const sc = this.sc;
    const out = sc.find(root, K_OUTPUT);
    if (out < -1) return false;
    if (out < 0 || sc.byteAt(out) != CharCode.LBRACKET) return true;
    let i = 0;
    let item = sc.firstElement(out);
    while (item >= 0) {
      const end = sc.skipValue(item);
      if (end < 0) return false;
      if (sc.byteAt(item) == CharCode.LBRACE) {
        const t = sc.find(item, K_TYPE);
        if (t >= 0 && stringEquals(sc, t, V_MESSAGE)) {
          const content = sc.find(item, K_CONTENT);
          if (content >= 0 && sc.byteAt(content) == CharCode.LBRACKET && !this.typedParts(content, i)) return false;
        } else if (t >= 0 && stringEquals(sc, t, V_FUNCTION_CALL)) {
          if (!this.addMember(item, K_ARGUMENTS, TextKind.ToolCall, i)) return false;
        } else if (t >= 0 && stringEquals(sc, t, V_REASONING)) {
          const summary = sc.find(item, K_SUMMARY);
          if (summary >= 0 && sc.byteAt(summary) == CharCode.LBRACKET && !this.typedParts(summary, i)) return false;
          const content = sc.find(item, K_CONTENT);
          if (content >= 0 && sc.byteAt(content) == CharCode.LBRACKET && !this.typedParts(content, i)) return false;
        }
      }
      i++;
      item = nextAfter(sc, end);
    }
    return item == JSON_END;
  }
}

/** After an element ending at `end`: the next element, `JSON_END` after the last, or a negative. */
function nextAfter(sc: JsonScanner, end: i32): i32 {
  let i = sc.skipSpace(end);
  if (i >= sc.len) return JSON_END - 1;
  const c = sc.byteAt(i);
  if (c == CharCode.RBRACKET) return JSON_END;
  if (c != CharCode.COMMA) return JSON_END - 1;
  return sc.skipSpace(i + 1);
}
