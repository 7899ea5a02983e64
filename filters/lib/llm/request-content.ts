/**
 * @module filters/lib/llm/request-content
 * `ContentWalker`: the prompt-text walk behind `RequestReader`, one method per shape —
 * `messages[]` of OpenAI Chat and Anthropic (content as a string, or parts/blocks including
 * Anthropic `tool_result` and OpenAI `tool_calls` arguments), the Responses `input` (a string or
 * items, with `function_call_output` and `function_call`), legacy `prompt` / embeddings `input`
 * (strings or token-id arrays, whose length is an exact token count), system prompts (strings or
 * text blocks), and Gemini `contents[].parts[]` / `systemInstruction` in both key spellings.
 * Keys may come in any order: a message's role is applied to its spans once the message ends.
 * Texts go to `RequestFacts.texts`; images and a wrong type are recorded in the facts.
 */
import { CharCode } from "../charcode";
import { JsonScanner, JSON_END, JSON_FAIL } from "../json/scanner";
import { JsonKey } from "../json/key";
import { isNull } from "../json/values";
import { LlmError } from "./errors";
import { RequestFacts } from "./request-facts";
import { TextKind, Role } from "./spans";
import * as K from "./keys";

export class ContentWalker {
  constructor(private sc: JsonScanner, private f: RequestFacts) {}

  private reject(at: i32, field: string, expected: string): i32 {
    const f = this.f;
    if (f.error == LlmError.None) {
      f.error = LlmError.WrongType;
      f.errorAt = at;
      f.errorField = field;
      f.expected = expected;
    }
    return JSON_FAIL;
  }

  /** Skips the value at `v` (so malformed JSON is reported as such), then rejects its type. */
  private wrongType(v: i32, field: string, expected: string): i32 {
    const e = this.sc.skipValue(v);
    if (e < 0) return e;
    return this.reject(v, field, expected);
  }

  private isRawString(v: i32, e: i32, key: JsonKey): bool {
    return this.sc.rawStringEquals(v + 1, e - 1, this.sc.sawEscape, key.ptr, key.len);
  }

  /** A string value at `v` added as a span; returns the offset after it. */
  private addString(v: i32, kind: TextKind, role: Role, message: i32): i32 {
    const sc = this.sc;
    const e = sc.skipString(v);
    if (e < 0) return e;
    this.f.texts.add(v + 1, e - 1, sc.sawEscape, kind, role, message);
    return e;
  }

  /** OpenAI Chat / Anthropic `messages`: an array of message objects. */
  messages(v: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACKET) return this.wrongType(v, "messages", "an array");
    let m = sc.firstElement(v);
    while (m >= 0) {
      if (sc.byteAt(m) != CharCode.LBRACE) return this.wrongType(m, "messages[]", "an object");
      const e = this.message(m, "messages[].content");
      if (e < 0) return e;
      m = sc.elementAfter(e);
    }
    return m == JSON_END ? sc.containerEnd : m;
  }

  /**
   * One message, input item or Gemini content: `role`, `content` (or Gemini `parts`),
   * assistant `tool_calls`, Responses `output` (function_call_output) and `arguments`
   * (function_call). Returns the offset after the object.
   */
  private message(obj: i32, contentField: string): i32 {
    const sc = this.sc, f = this.f, texts = f.texts;
    const index = f.messageCount++;
    const first = texts.length;
    let role = Role.None;
    let k = sc.firstMember(obj);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return v;
      let e: i32;
      if (sc.keyIs(K.K_CONTENT)) e = this.content(v, TextKind.Message, index, contentField);
      else if (sc.keyIs(K.K_ROLE)) {
        e = sc.skipValue(v);
        if (e < 0) return e;
        if (sc.byteAt(v) == CharCode.QUOTE) role = this.role(v, e);
      } else if (sc.keyIs(K.K_PARTS)) e = this.geminiParts(v, TextKind.Message, index);
      else if (sc.keyIs(K.K_TOOL_CALLS)) e = this.toolCalls(v, index);
      else if (sc.keyIs(K.K_OUTPUT)) e = this.content(v, TextKind.ToolResult, index, "input[].output");
      else if (sc.keyIs(K.K_ARGUMENTS)) {
        e = sc.skipValue(v);
        if (e >= 0 && sc.byteAt(v) == CharCode.QUOTE) texts.add(v + 1, e - 1, sc.sawEscape, TextKind.ToolCall, Role.Assistant, index);
      } else e = sc.skipValue(v);
      if (e < 0) return e;
      k = sc.memberAfter(e);
    }
    if (k != JSON_END) return k;
    const end = sc.containerEnd;
    const last = texts.length;
    if (role == Role.Tool) texts.retag(first, last, TextKind.Message, TextKind.ToolResult);
    if (role != Role.None) texts.setRole(first, last, role);
    else {
      // No role: a Responses function_call_output (tool) or function_call (assistant).
      for (let i = first; i < last; i++) {
        const kind = texts.kind(i);
        if (kind == TextKind.ToolResult) texts.setRole(i, i + 1, Role.Tool);
        else if (kind == TextKind.ToolCall) texts.setRole(i, i + 1, Role.Assistant);
      }
    }
    if (role == Role.User) {
      for (let i = first; i < last; i++) {
        if (texts.kind(i) == TextKind.Message) {
          f.lastUserMessage = index;
          f.lastUserFirst = first;
          f.lastUserEnd = last;
          break;
        }
      }
    }
    return end;
  }

  private role(v: i32, e: i32): Role {
    if (this.isRawString(v, e, K.V_USER)) return Role.User;
    if (this.isRawString(v, e, K.V_ASSISTANT) || this.isRawString(v, e, K.V_MODEL)) return Role.Assistant;
    if (this.isRawString(v, e, K.V_SYSTEM)) return Role.System;
    if (this.isRawString(v, e, K.V_DEVELOPER)) return Role.Developer;
    if (this.isRawString(v, e, K.V_TOOL) || this.isRawString(v, e, K.V_FUNCTION)) return Role.Tool;
    return Role.None;
  }

  /** `content`: a string, null, or an array of parts/blocks. */
  private content(v: i32, kind: TextKind, message: i32, field: string): i32 {
    const sc = this.sc;
    const c = sc.byteAt(v);
    if (c == CharCode.QUOTE) return this.addString(v, kind, Role.None, message);
    if (isNull(sc, v)) return sc.skipValue(v);
    if (c != CharCode.LBRACKET) return this.wrongType(v, field, "a string, an array or null");
    let p = sc.firstElement(v);
    while (p >= 0) {
      let e: i32;
      if (sc.byteAt(p) == CharCode.LBRACE) e = this.part(p, kind, message);
      else if (sc.byteAt(p) == CharCode.QUOTE) e = this.addString(p, kind, Role.None, message); // Responses output: list of strings
      else return this.wrongType(p, field + "[]", "an object");
      if (e < 0) return e;
      p = sc.elementAfter(e);
    }
    return p == JSON_END ? sc.containerEnd : p;
  }

  /**
   * One part or block: `text`/`input_text`/`output_text` add their `text`; image kinds set
   * `hasImages`; Anthropic `tool_result` walks its `content` as tool output. Keys in any order.
   */
  private part(obj: i32, kind: TextKind, message: i32): i32 {
    const sc = this.sc, f = this.f;
    let textAt = -1, contentAt = -1;
    let isText = false, isToolResult = false;
    let k = sc.firstMember(obj);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return v;
      const isType = sc.keyIs(K.K_TYPE);
      const isTextKey = !isType && sc.keyIs(K.K_TEXT);
      const isContent = !isType && !isTextKey && sc.keyIs(K.K_CONTENT);
      const e = sc.skipValue(v);
      if (e < 0) return e;
      if (isType && sc.byteAt(v) == CharCode.QUOTE) {
        isText = this.isRawString(v, e, K.V_TEXT) || this.isRawString(v, e, K.V_INPUT_TEXT) || this.isRawString(v, e, K.V_OUTPUT_TEXT);
        isToolResult = !isText && this.isRawString(v, e, K.V_TOOL_RESULT);
        if (!isText && !isToolResult &&
            (this.isRawString(v, e, K.V_IMAGE_URL) || this.isRawString(v, e, K.V_INPUT_IMAGE) || this.isRawString(v, e, K.V_IMAGE))) {
          f.hasImages = true;
        }
      } else if (isTextKey && sc.byteAt(v) == CharCode.QUOTE) textAt = v;
      else if (isContent) contentAt = v;
      k = sc.memberAfter(e);
    }
    if (k != JSON_END) return k;
    const end = sc.containerEnd;
    if (isText && textAt >= 0) {
      if (this.addString(textAt, kind, Role.None, message) < 0) return JSON_FAIL;
    } else if (isToolResult && contentAt >= 0) {
      if (this.content(contentAt, TextKind.ToolResult, message, "tool_result.content") < 0) return JSON_FAIL;
    }
    return end;
  }

  /** Assistant `tool_calls[]`: `function.arguments` and `custom.input` strings. */
  private toolCalls(v: i32, message: i32): i32 {
    const sc = this.sc, texts = this.f.texts;
    if (sc.byteAt(v) != CharCode.LBRACKET) return sc.skipValue(v);
    let t = sc.firstElement(v);
    while (t >= 0) {
      const end = sc.skipValue(t);
      if (end < 0) return end;
      if (sc.byteAt(t) == CharCode.LBRACE) {
        let inner = sc.find(t, K.K_FUNCTION);
        let argKey = K.K_ARGUMENTS;
        if (inner == JSON_END) { inner = sc.find(t, K.K_CUSTOM); argKey = K.K_INPUT; }
        if (inner >= 0 && sc.byteAt(inner) == CharCode.LBRACE) {
          const a = sc.find(inner, argKey);
          if (a >= 0 && sc.byteAt(a) == CharCode.QUOTE) {
            const ae = sc.skipString(a);
            if (ae < 0) return ae;
            texts.add(a + 1, ae - 1, sc.sawEscape, TextKind.ToolCall, Role.Assistant, message);
          }
        }
      }
      t = sc.elementAfter(end);
    }
    return t == JSON_END ? sc.containerEnd : t;
  }

  /**
   * Legacy `prompt` and embeddings `input`: a string, an array of strings, a token-id array or
   * an array of them. Token ids are counted exactly; strings become spans.
   */
  stringsOrTokens(v: i32, kind: TextKind, field: string): i32 {
    const first = this.f.texts.length;
    return this.markUser(first, this.stringsOrTokensWalk(v, kind, field));
  }

  private stringsOrTokensWalk(v: i32, kind: TextKind, field: string): i32 {
    const sc = this.sc, f = this.f;
    const c = sc.byteAt(v);
    if (c == CharCode.QUOTE) return this.userText(v, kind);
    if (isNull(sc, v)) return sc.skipValue(v);
    if (c != CharCode.LBRACKET) return this.wrongType(v, field, "a string or an array");
    let p = sc.firstElement(v);
    while (p >= 0) {
      const b = sc.byteAt(p);
      let e: i32;
      if (b == CharCode.QUOTE) e = this.userText(p, kind);
      else if (b == CharCode.MINUS || b - CharCode._0 < 10) { e = sc.skipNumber(p); f.tokenIdCount++; }
      else if (b == CharCode.LBRACKET) {
        let q = sc.firstElement(p);
        while (q >= 0) {
          const qb = sc.byteAt(q);
          if (qb != CharCode.MINUS && qb - CharCode._0 >= 10) return this.wrongType(q, field + "[][]", "a token id");
          f.tokenIdCount++;
          q = sc.nextElement(q);
        }
        if (q != JSON_END) return q;
        e = sc.containerEnd;
      } else return this.wrongType(p, field + "[]", "a string or a token id");
      if (e < 0) return e;
      p = sc.elementAfter(e);
    }
    return p == JSON_END ? sc.containerEnd : p;
  }

  /** A user-written top-level string (prompt, input). */
  private userText(v: i32, kind: TextKind): i32 {
    return this.addString(v, kind, Role.User, -1);
  }

  /** Top-level user texts added since `first` form the "last user message". */
  private markUser(first: i32, e: i32): i32 {
    const f = this.f;
    if (e >= 0 && f.texts.length > first) {
      f.lastUserMessage = -1;
      f.lastUserFirst = first;
      f.lastUserEnd = f.texts.length;
    }
    return e;
  }

  /** Responses `input`: a string, or an array of items (messages, tool calls and outputs). */
  responsesInput(v: i32): i32 {
    const sc = this.sc;
    const c = sc.byteAt(v);
    if (c == CharCode.QUOTE) return this.markUser(this.f.texts.length, this.userText(v, TextKind.Input));
    if (isNull(sc, v)) return sc.skipValue(v);
    if (c != CharCode.LBRACKET) return this.wrongType(v, "input", "a string or an array");
    let m = sc.firstElement(v);
    while (m >= 0) {
      if (sc.byteAt(m) != CharCode.LBRACE) return this.wrongType(m, "input[]", "an object");
      const e = this.message(m, "input[].content");
      if (e < 0) return e;
      m = sc.elementAfter(e);
    }
    return m == JSON_END ? sc.containerEnd : m;
  }

  /** A system prompt: a string, or (when `blocks`) an array of text blocks (Anthropic). */
  systemText(v: i32, field: string, blocks: bool): i32 {
    const sc = this.sc;
    const c = sc.byteAt(v);
    if (c == CharCode.QUOTE) return this.addString(v, TextKind.System, Role.System, -1);
    if (isNull(sc, v)) return sc.skipValue(v);
    if (!blocks || c != CharCode.LBRACKET) return this.wrongType(v, field, blocks ? "a string or an array" : "a string");
    const first = this.f.texts.length;
    const e = this.content(v, TextKind.System, -1, field);
    if (e >= 0) this.f.texts.setRole(first, this.f.texts.length, Role.System);
    return e;
  }

  /** Gemini `contents[]`: `{role, parts}` objects. */
  geminiContents(v: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACKET) return this.wrongType(v, "contents", "an array");
    let m = sc.firstElement(v);
    while (m >= 0) {
      if (sc.byteAt(m) != CharCode.LBRACE) return this.wrongType(m, "contents[]", "an object");
      const e = this.message(m, "contents[].parts");
      if (e < 0) return e;
      m = sc.elementAfter(e);
    }
    return m == JSON_END ? sc.containerEnd : m;
  }

  /** Gemini `systemInstruction`: `{parts: [{text}]}` (a plain string is tolerated). */
  geminiSystem(v: i32): i32 {
    const sc = this.sc;
    const c = sc.byteAt(v);
    if (c == CharCode.QUOTE) return this.addString(v, TextKind.System, Role.System, -1);
    if (isNull(sc, v)) return sc.skipValue(v);
    if (c != CharCode.LBRACE) return this.wrongType(v, "systemInstruction", "an object");
    let k = sc.firstMember(v);
    while (k >= 0) {
      const m = sc.memberValue(k);
      if (m < 0) return m;
      const e = sc.keyIs(K.K_PARTS) ? this.geminiParts(m, TextKind.System, -1) : sc.skipValue(m);
      if (e < 0) return e;
      k = sc.memberAfter(e);
    }
    if (k != JSON_END) return k;
    return sc.containerEnd;
  }

  /** Gemini `parts[]`: `text` parts become spans; image `inlineData`/`fileData` set `hasImages`. */
  private geminiParts(v: i32, kind: TextKind, message: i32): i32 {
    const sc = this.sc;
    if (sc.byteAt(v) != CharCode.LBRACKET) return this.wrongType(v, "parts", "an array");
    const role = kind == TextKind.System ? Role.System : Role.None;
    let p = sc.firstElement(v);
    while (p >= 0) {
      if (sc.byteAt(p) != CharCode.LBRACE) return this.wrongType(p, "parts[]", "an object");
      let k = sc.firstMember(p);
      while (k >= 0) {
        const m = sc.memberValue(k);
        if (m < 0) return m;
        let e: i32;
        if (sc.keyIs(K.K_TEXT) && sc.byteAt(m) == CharCode.QUOTE) e = this.addString(m, kind, role, message);
        else if (sc.keyIs(K.K_INLINE_DATA) || sc.keyIs(K.K_INLINE_DATA_SNAKE) || sc.keyIs(K.K_FILE_DATA) || sc.keyIs(K.K_FILE_DATA_SNAKE)) {
          e = sc.skipValue(m);
          if (e >= 0 && this.isImageData(m)) this.f.hasImages = true;
        } else e = sc.skipValue(m);
        if (e < 0) return e;
        k = sc.memberAfter(e);
      }
      if (k != JSON_END) return k;
      p = sc.elementAfter(sc.containerEnd);
    }
    return p == JSON_END ? sc.containerEnd : p;
  }

  /** An `inlineData`/`fileData` object whose `mimeType` starts with `image/`. */
  private isImageData(obj: i32): bool {
    const sc = this.sc;
    if (sc.byteAt(obj) != CharCode.LBRACE) return false;
    let t = sc.find(obj, K.K_MIME_TYPE);
    if (t == JSON_END) t = sc.find(obj, K.K_MIME_TYPE_SNAKE);
    if (t < 0 || sc.byteAt(t) != CharCode.QUOTE) return false;
    const prefix = K.V_IMAGE_MIME_PREFIX;
    return t + 1 + prefix.len <= sc.len && memory.compare(sc.base + <usize>(t + 1), prefix.ptr, <usize>prefix.len) == 0;
  }
}
