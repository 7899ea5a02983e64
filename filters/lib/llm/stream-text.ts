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
 * of OpenAI-compatible servers). For non-streamed bodies: the message content of each shape, walked
 * by response-text.ts. Text is taken from one place only (never the Responses `.done` repeats),
 * so nothing is counted twice.
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
import { TokenFeatures, addTokenFeatures, estimateTokens } from "../tokens";
import { ApiKind } from "./api";
import { TextSpans, TextKind, Role } from "./spans";
import { UsageDialect, usageDialect } from "./usage-counts";
import { isDoneMarker } from "./usage";
import { ResponseTextWalker } from "./response-text";

const K_TYPE = new JsonKey("type");
const K_CHOICES = new JsonKey("choices");
const K_DELTA = new JsonKey("delta");
const K_CONTENT = new JsonKey("content");
const K_REFUSAL = new JsonKey("refusal");
const K_TEXT = new JsonKey("text");
const K_TOOL_CALLS = new JsonKey("tool_calls");
const K_PARTIAL_JSON = new JsonKey("partial_json");
const K_CANDIDATES = new JsonKey("candidates");
const K_THINKING = new JsonKey("thinking");
const K_REASONING_CONTENT = new JsonKey("reasoning_content");
const V_THINKING_DELTA = new JsonKey("thinking_delta");
const V_REASONING_SUMMARY_DELTA = new JsonKey("response.reasoning_summary_text.delta");
const V_REASONING_TEXT_DELTA = new JsonKey("response.reasoning_text.delta");
const V_ARGUMENTS_DELTA = new JsonKey("response.function_call_arguments.delta");
const V_CUSTOM_INPUT_DELTA = new JsonKey("response.custom_tool_call_input.delta");
const V_CONTENT_BLOCK_DELTA = new JsonKey("content_block_delta");
const V_TEXT_DELTA = new JsonKey("text_delta");
const V_INPUT_JSON_DELTA = new JsonKey("input_json_delta");
const V_OUTPUT_TEXT_DELTA = new JsonKey("response.output_text.delta");
const V_REFUSAL_DELTA = new JsonKey("response.refusal.delta");

export class OutputTextReader {
  kind: ApiKind = ApiKind.Unknown;
  /** Spans found by the last `event` or `body` call, offsets into the bytes it was given. */
  readonly spans: TextSpans = new TextSpans(8);
  /** The last call's data was not the JSON expected (no spans then). */
  malformed: bool = false;
  private dialect: UsageDialect = UsageDialect.None;
  private sc: JsonScanner = new JsonScanner();
  private bodyText: ResponseTextWalker = new ResponseTextWalker(this.sc, this.spans);

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
    if (root < 0 || sc.byteAt(root) != CharCode.LBRACE) { this.malformed = !isDoneMarker(dataPtr, dataLen); return 0; }
    // One pass over the event: the text places of the dialect are walked where they are met,
    // everything else is skipped (which validates it); a malformed event yields no spans.
    const d = this.dialect;
    let typeAt = -1;
    this.pendingStart = -1;
    let k = sc.firstMember(root);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) break;
      let e: i32;
      if (d == UsageDialect.Chat && sc.keyIs(K_CHOICES)) e = this.walkChoices(v);
      else if (d == UsageDialect.Gemini && sc.keyIs(K_CANDIDATES)) e = this.walkCandidates(v);
      else if ((d == UsageDialect.Anthropic || d == UsageDialect.Responses) && sc.keyIs(K_TYPE)) { typeAt = v; e = sc.skipValue(v); }
      else if (d == UsageDialect.Anthropic && sc.keyIs(K_DELTA)) e = this.walkAnthropicDelta(v);
      else if (d == UsageDialect.Responses && sc.keyIs(K_DELTA)) e = this.pendString(v, TextKind.Output);
      else e = sc.skipValue(v);
      if (e < 0) { k = e; break; }
      k = sc.memberAfter(e);
    }
    if (k != JSON_END || !sc.finish(sc.containerEnd)) { this.spans.reset(); this.malformed = true; return 0; }
    if (this.pendingStart >= 0) {
      // Anthropic / Responses: the delta found counts only for the right event type.
      let kind = this.pendingKind;
      let take = false;
      if (d == UsageDialect.Anthropic) take = this.isType(typeAt, typePtr, typeLen, V_CONTENT_BLOCK_DELTA);
      else if (this.isType(typeAt, typePtr, typeLen, V_OUTPUT_TEXT_DELTA) || this.isType(typeAt, typePtr, typeLen, V_REFUSAL_DELTA)) take = true;
      else if (this.isType(typeAt, typePtr, typeLen, V_REASONING_SUMMARY_DELTA) || this.isType(typeAt, typePtr, typeLen, V_REASONING_TEXT_DELTA)) { take = true; kind = TextKind.Reasoning; }
      else if (this.isType(typeAt, typePtr, typeLen, V_ARGUMENTS_DELTA) || this.isType(typeAt, typePtr, typeLen, V_CUSTOM_INPUT_DELTA)) { take = true; kind = TextKind.ToolCall; }
      if (take) this.spans.add(this.pendingStart, this.pendingEnd, this.pendingEscaped, kind, Role.Assistant, 0);
    }
    return this.spans.length;
  }

  private pendingStart: i32 = -1;
  private pendingEnd: i32 = -1;
  private pendingEscaped: bool = false;
  private pendingKind: TextKind = TextKind.Output;

  /** Remembers the string at `v` (if it is one) as the event's candidate text. */
  private pendString(v: i32, kind: TextKind): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.QUOTE) return sc.skipValue(v);
    const e = sc.skipString(v);
    if (e < 0) return e;
    this.pendingStart = v + 1;
    this.pendingEnd = e - 1;
    this.pendingEscaped = sc.sawEscape;
    this.pendingKind = kind;
    return e;
  }

  /** True when the event's JSON `type` at `typeAt` (else its SSE name) is `name`. */
  private isType(typeAt: i32, typePtr: usize, typeLen: i32, name: JsonKey): bool {
    if (typeAt >= 0) return stringEquals(this.sc, typeAt, name);
    return typeLen == name.len && memory.compare(typePtr, name.ptr, <usize>typeLen) == 0;
  }

  /** Anthropic `delta`: `text_delta.text`, `input_json_delta.partial_json`, `thinking_delta.thinking` (keys in any order). */
  private walkAnthropicDelta(v: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACE) return sc.skipValue(v);
    let typeAt = -1, textAt = -1, jsonAt = -1, thinkingAt = -1;
    let k = sc.firstMember(v);
    while (k >= 0) {
      const m = sc.memberValue(k);
      if (m < 0) return m;
      if (sc.keyIs(K_TYPE)) typeAt = m;
      else if (sc.keyIs(K_TEXT)) textAt = m;
      else if (sc.keyIs(K_PARTIAL_JSON)) jsonAt = m;
      else if (sc.keyIs(K_THINKING)) thinkingAt = m;
      k = sc.nextMember(m);
    }
    if (k != JSON_END) return k;
    const end = sc.containerEnd;
    if (typeAt >= 0) {
      let r = 0;
      if (textAt >= 0 && stringEquals(sc, typeAt, V_TEXT_DELTA)) r = this.pendString(textAt, TextKind.Output);
      else if (jsonAt >= 0 && stringEquals(sc, typeAt, V_INPUT_JSON_DELTA)) r = this.pendString(jsonAt, TextKind.ToolCall);
      else if (thinkingAt >= 0 && stringEquals(sc, typeAt, V_THINKING_DELTA)) r = this.pendString(thinkingAt, TextKind.Reasoning);
      if (r < 0) return r;
    }
    return end;
  }

  /** The string at `v`, if it is one, as a span; returns the offset after the value. */
  private addString(v: i32, kind: TextKind, index: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.QUOTE) return sc.skipValue(v);
    const e = sc.skipString(v);
    if (e < 0) return e;
    this.spans.add(v + 1, e - 1, sc.sawEscape, kind, Role.Assistant, index);
    return e;
  }

  /** Stream `choices[]`: legacy `text`, and `delta` content / refusal / reasoning / tool-call arguments. */
  private walkChoices(v: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACKET) return sc.skipValue(v);
    let i = 0;
    let c = sc.firstElement(v);
    while (c >= 0) {
      let e: i32;
      if (sc.byteAt(c) == CharCode.LBRACE) {
        let k = sc.firstMember(c);
        while (k >= 0) {
          const m = sc.memberValue(k);
          if (m < 0) return m;
          let me: i32;
          if (sc.keyIs(K_TEXT)) me = this.addString(m, TextKind.Output, i);
          else if (sc.keyIs(K_DELTA)) me = this.walkDelta(m, i);
          else me = sc.skipValue(m);
          if (me < 0) return me;
          k = sc.memberAfter(me);
        }
        if (k != JSON_END) return k;
        e = sc.containerEnd;
      } else e = sc.skipValue(c);
      if (e < 0) return e;
      i++;
      c = sc.elementAfter(e);
    }
    return c == JSON_END ? sc.containerEnd : c;
  }

  private walkDelta(v: i32, index: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACE) return sc.skipValue(v);
    let k = sc.firstMember(v);
    while (k >= 0) {
      const m = sc.memberValue(k);
      if (m < 0) return m;
      let e: i32;
      if (sc.keyIs(K_CONTENT) || sc.keyIs(K_REFUSAL)) e = this.addString(m, TextKind.Output, index);
      else if (sc.keyIs(K_REASONING_CONTENT)) e = this.addString(m, TextKind.Reasoning, index);
      else if (sc.keyIs(K_TOOL_CALLS)) e = this.walkToolCalls(m, index);
      else e = sc.skipValue(m);
      if (e < 0) return e;
      k = sc.memberAfter(e);
    }
    return k == JSON_END ? sc.containerEnd : k;
  }

  /** `tool_calls[].function.arguments` fragments. */
  private walkToolCalls(v: i32, index: i32): i32 {
    if (this.sc.byteAt(v) != CharCode.LBRACKET) return this.sc.skipValue(v);
    return this.bodyText.toolCallList(v, index);
  }

  /** Stream `candidates[].content.parts[]`: `text`, as reasoning when the part has `thought: true`. */
  private walkCandidates(v: i32): i32 {
    if (this.sc.byteAt(v) != CharCode.LBRACKET) return this.sc.skipValue(v);
    return this.bodyText.candidateList(v);
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
        if (end < 0 || (sc.byteAt(el) == CharCode.LBRACE && !this.bodyText.candidates(el))) { this.spans.reset(); this.malformed = true; return 0; }
        el = sc.elementAfter(end);
      }
      return this.spans.length;
    }
    if (sc.byteAt(root) != CharCode.LBRACE) { this.malformed = true; return 0; }
    let ok = true;
    switch (this.dialect) {
      case UsageDialect.Chat: ok = this.bodyText.choices(root, false); break;
      case UsageDialect.Gemini: ok = this.bodyText.candidates(root); break;
      case UsageDialect.Anthropic: {
        const c = sc.find(root, K_CONTENT);
        if (c >= 0 && sc.byteAt(c) == CharCode.LBRACKET) ok = this.bodyText.typedParts(c, 0);
        break;
      }
      case UsageDialect.Responses: ok = this.bodyText.responsesOutput(root); break;
    }
    if (!ok) { this.spans.reset(); this.malformed = true; }
    return this.spans.length;
  }

  bodyBytes(body: Uint8Array): i32 { return this.body(body.dataStart, body.length); }

  /**
   * Adds the token features of the spans found by the last call (over the same bytes) to `f`:
   * a running estimate over many events costs one `tokensFromFeatures` at the end.
   */
  addFeatures(base: usize, f: TokenFeatures): void {
    const s = this.spans;
    for (let i = 0; i < s.length; i++) addTokenFeatures(f, base + <usize>s.start(i), s.end(i) - s.start(i), s.escaped(i));
  }

  /** Estimated tokens of the spans found by the last call, over the same bytes. */
  estimateTokens(base: usize): i64 {
    let n: i64 = 0;
    const s = this.spans;
    for (let i = 0; i < s.length; i++) n += estimateTokens(base + <usize>s.start(i), s.end(i) - s.start(i), s.escaped(i));
    return n;
  }

}
