/**
 * @module filters/lib/llm/response-text
 * `ResponseTextWalker`: the generated text of a whole non-streamed response body, for
 * `OutputTextReader.body`: OpenAI `choices[].message` content (string or parts), refusal,
 * `reasoning_content` and tool-call arguments, legacy `choices[].text`; Anthropic `content[]`
 * text and thinking blocks; Gemini `candidates[].content.parts[].text` (thought parts as
 * reasoning); Responses `output[]` message parts, reasoning summaries and function-call
 * arguments. Spans are added to the reader's `TextSpans`, as raw offsets into the body.
 */
import { CharCode } from "../charcode";
import { JsonScanner, JSON_END, JSON_FAIL } from "../json/scanner";
import { JsonKey } from "../json/key";
import { stringEquals } from "../json/values";
import { TextSpans, TextKind, Role } from "./spans";

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
const K_CANDIDATES = new JsonKey("candidates");
const K_PARTS = new JsonKey("parts");
const K_OUTPUT = new JsonKey("output");
const K_THINKING = new JsonKey("thinking");
const K_THOUGHT = new JsonKey("thought");
const K_REASONING_CONTENT = new JsonKey("reasoning_content");
const K_SUMMARY = new JsonKey("summary");
const V_THINKING = new JsonKey("thinking");
const V_REASONING = new JsonKey("reasoning");
const V_SUMMARY_TEXT = new JsonKey("summary_text");
const V_REASONING_TEXT = new JsonKey("reasoning_text");
const V_TEXT = new JsonKey("text");
const V_OUTPUT_TEXT = new JsonKey("output_text");
const V_REFUSAL = new JsonKey("refusal");
const V_MESSAGE = new JsonKey("message");
const V_FUNCTION_CALL = new JsonKey("function_call");

export class ResponseTextWalker {
  constructor(private sc: JsonScanner, private spans: TextSpans) {}

  /** Adds the string member `key` of the object at `obj`, if it is a string. */
  addMember(obj: i32, key: JsonKey, kind: TextKind, index: i32): bool {
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
  choices(root: i32, stream: bool): bool {
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
          if (calls >= 0 && sc.byteAt(calls) == CharCode.LBRACKET && this.toolCallList(calls, i) < 0) return false;
        }
      }
      i++;
      c = sc.elementAfter(end);
    }
    return c == JSON_END;
  }

  /** Gemini `candidates[].content.parts[].text`. */
  candidates(root: i32): bool {
    const sc = this.sc;
    const cs = sc.find(root, K_CANDIDATES);
    if (cs < -1) return false;
    if (cs < 0 || sc.byteAt(cs) != CharCode.LBRACKET) return true;
    return this.candidateList(cs) >= 0;
  }

  /**
   * The `candidates` array at `arr` (at `[`), whole body or stream event: each candidate's
   * `content.parts[]`. Returns the offset after the array, or a negative.
   */
  candidateList(arr: i32): i32 {
    const sc = this.sc;
    let i = 0;
    let c = sc.firstElement(arr);
    while (c >= 0) {
      const end = sc.skipValue(c);
      if (end < 0) return end;
      if (sc.byteAt(c) == CharCode.LBRACE) {
        const content = sc.find(c, K_CONTENT);
        if (content >= 0 && sc.byteAt(content) == CharCode.LBRACE) {
          const parts = sc.find(content, K_PARTS);
          if (parts >= 0 && sc.byteAt(parts) == CharCode.LBRACKET && !this.geminiParts(parts, i)) return JSON_FAIL;
        }
      }
      i++;
      c = sc.elementAfter(end);
    }
    return c == JSON_END ? sc.containerEnd : c;
  }

  /**
   * OpenAI `tool_calls` array at `arr` (at `[`), in a message or a stream delta: each call's
   * `function.arguments`. Returns the offset after the array, or a negative.
   */
  toolCallList(arr: i32, index: i32): i32 {
    const sc = this.sc;
    let t = sc.firstElement(arr);
    while (t >= 0) {
      const te = sc.skipValue(t);
      if (te < 0) return te;
      if (sc.byteAt(t) == CharCode.LBRACE) {
        const fn = sc.find(t, K_FUNCTION);
        if (fn >= 0 && sc.byteAt(fn) == CharCode.LBRACE && !this.addMember(fn, K_ARGUMENTS, TextKind.ToolCall, index)) return JSON_FAIL;
      }
      t = sc.elementAfter(te);
    }
    return t == JSON_END ? sc.containerEnd : t;
  }

  /** Gemini `parts[]`: `text`, as reasoning when the part says `thought: true`. */
  geminiParts(parts: i32, index: i32): bool {
    const sc = this.sc;
    let p = sc.firstElement(parts);
    while (p >= 0) {
      const pe = sc.skipValue(p);
      if (pe < 0) return false;
      if (sc.byteAt(p) == CharCode.LBRACE) {
        const th = sc.find(p, K_THOUGHT);
        const thought = th >= 0 && sc.byteAt(th) == CharCode.t;
        if (!this.addMember(p, K_TEXT, thought ? TextKind.Reasoning : TextKind.Output, index)) return false;
      }
      p = sc.elementAfter(pe);
    }
    return p == JSON_END;
  }

  /**
   * An array of typed parts or blocks: `text`/`output_text` and `refusal` are output; `thinking`,
   * `summary_text` and `reasoning_text` are reasoning; other types (images, tool use, signatures) are not text.
   */
  typedParts(arr: i32, index: i32): bool {
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
      p = sc.elementAfter(pe);
    }
    return p == JSON_END;
  }

  /** Responses body: `output[]` message items' `output_text` parts, and `function_call` arguments. */
  responsesOutput(root: i32): bool {
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
      item = sc.elementAfter(end);
    }
    return item == JSON_END;
  }
}
