/**
 * @module filters/lib/llm/request
 * `RequestReader`: one pass of a `JsonScanner` over a buffered request body that fills
 * `RequestFacts` for the recognised API (see request-facts.ts for what is found). Only the
 * top-level members are interpreted, so a `model` key inside a tool schema or a message is never
 * taken for the routing key; a top-level field the gateway reads that appears twice is refused
 * (the backend may read the other copy). Malformed JSON, a missing model and wrong types come
 * back as error codes with byte offsets; nothing traps. The walk of messages and content lives in
 * request-content.ts.
 *
 * @example
 *   const reader = new RequestReader();                         // once
 *   const f = reader.read(match.kind, body.dataStart, body.length, match.pathModel);
 *   if (!f.ok) return reject(400, f.describe());
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { ByteBuffer } from "../bytes";
import { JsonScanner, JSON_END, JSON_FAIL } from "../json/scanner";
import { JsonKey } from "../json/key";
import { readString, readBool, readI64, isNull } from "../json/values";
import { estimateTokens } from "../tokens";
import { ApiKind } from "./api";
import { LlmError } from "./errors";
import { RequestFacts } from "./request-facts";
import { TextKind, Role } from "./spans";
import { ContentWalker } from "./request-content";
import * as K from "./keys";

/** Top-level fields, as bits of a per-kind mask (also used to refuse duplicates). */
const enum Field {
  Model = 0, Messages, Stream, StreamOptions, MaxTokens, MaxCompletionTokens, MaxOutputTokens, Tools,
  Functions, N, Prompt, Input, Instructions, System, Contents, SystemInstruction, GenerationConfig,
  /** Gemini's snake_case spellings: the same fields as the two before (a body with both has a duplicate). */
  SystemInstructionSnake, GenerationConfigSnake,
  /** Server-side context the body only refers to: Responses `previous_response_id`, `conversation`, stored `prompt`; Gemini `cachedContent`. */
  PreviousResponseId, Conversation, StoredPrompt, CachedContent, CachedContentSnake,
  Count,
}

const TOP_KEYS: StaticArray<JsonKey> = [
  K.K_MODEL, K.K_MESSAGES, K.K_STREAM, K.K_STREAM_OPTIONS, K.K_MAX_TOKENS, K.K_MAX_COMPLETION_TOKENS,
  K.K_MAX_OUTPUT_TOKENS, K.K_TOOLS, K.K_FUNCTIONS, K.K_N, K.K_PROMPT, K.K_INPUT, K.K_INSTRUCTIONS,
  K.K_SYSTEM, K.K_CONTENTS, K.K_SYSTEM_INSTRUCTION, K.K_GENERATION_CONFIG,
  K.K_SYSTEM_INSTRUCTION_SNAKE, K.K_GENERATION_CONFIG_SNAKE,
  K.K_PREVIOUS_RESPONSE_ID, K.K_CONVERSATION, K.K_PROMPT, K.K_CACHED_CONTENT, K.K_CACHED_CONTENT_SNAKE,
];

// @ts-ignore: decorator
@inline function bit(f: Field): u32 { return <u32>1 << <u32>f; }

/** The top-level fields each kind defines (others are passed over without being read). */
function fieldsOf(kind: ApiKind): u32 {
  switch (kind) {
    case ApiKind.OpenAIChat:
      return bit(Field.Model) | bit(Field.Messages) | bit(Field.Stream) | bit(Field.StreamOptions) |
        bit(Field.MaxTokens) | bit(Field.MaxCompletionTokens) | bit(Field.Tools) | bit(Field.Functions) | bit(Field.N);
    case ApiKind.OpenAICompletions:
      return bit(Field.Model) | bit(Field.Prompt) | bit(Field.Stream) | bit(Field.StreamOptions) |
        bit(Field.MaxTokens) | bit(Field.N);
    case ApiKind.OpenAIEmbeddings:
      return bit(Field.Model) | bit(Field.Input);
    case ApiKind.OpenAIResponses:
    case ApiKind.OpenAIResponsesInputTokens:
      return bit(Field.Model) | bit(Field.Input) | bit(Field.Instructions) | bit(Field.Stream) |
        bit(Field.MaxOutputTokens) | bit(Field.Tools) | bit(Field.PreviousResponseId) | bit(Field.Conversation) |
        bit(Field.StoredPrompt);
    case ApiKind.AnthropicMessages:
    case ApiKind.AnthropicCountTokens:
      return bit(Field.Model) | bit(Field.System) | bit(Field.Messages) | bit(Field.Stream) |
        bit(Field.MaxTokens) | bit(Field.Tools);
    case ApiKind.GeminiGenerate:
    case ApiKind.GeminiStream:
    case ApiKind.GeminiCountTokens:
      return bit(Field.Contents) | bit(Field.SystemInstruction) | bit(Field.GenerationConfig) | bit(Field.Tools) |
        bit(Field.SystemInstructionSnake) | bit(Field.GenerationConfigSnake) | bit(Field.CachedContent) |
        bit(Field.CachedContentSnake);
  }
  return bit(Field.Model) | bit(Field.Stream);
}

/** Tokens the chat format adds per message (role markers) and once to prime the reply. */
const TOKENS_PER_MESSAGE: i64 = 3;
const TOKENS_REPLY_PRIMING: i64 = 3;

export class RequestReader {
  readonly sc: JsonScanner;
  readonly facts: RequestFacts;
  private walker: ContentWalker;
  private modelBuf: ByteBuffer = new ByteBuffer(64);
  private maxTokens: i64 = -1;
  private maxCompletionTokens: i64 = -1;
  /** Value spans of `tools` and legacy `functions` (both may be present). */
  private toolsStart: StaticArray<i32> = [-1, -1];
  private toolsEnd: StaticArray<i32> = [-1, -1];
  /**
   * Estimate the prompt tokens during `read` (default). The estimator reads every text byte
   * and costs more than the walk itself; a filter that needs the figure only sometimes (a
   * router rule on prompt size) turns this off and calls `estimatePromptTokens()` when needed.
   */
  estimateTokens: bool = true;

  /**
   * `validateUtf8`: check UTF-8 in every string of the body (off by default: the model and
   * the scanned texts are what matter, and the model is always checked).
   */
  constructor(maxDepth: i32 = 64, validateUtf8: bool = false) {
    const facts = new RequestFacts();
    this.facts = facts;
    const sc = new JsonScanner(maxDepth);
    sc.validateUtf8 = validateUtf8;
    this.sc = sc;
    this.walker = new ContentWalker(sc, facts);
  }

  /**
   * Reads the `len` body bytes at `ptr` as a request of `kind`. `pathModel` is the model the
   * path named (`ApiMatch.pathModel`), or null. The bytes must stay put while the returned facts
   * (this reader's, overwritten by the next call) are used: spans are offsets into them.
   */
  read(kind: ApiKind, ptr: usize, len: i32, pathModel: Uint8Array | null = null): RequestFacts {
    const f = this.facts;
    f.clear(kind);
    this.maxTokens = -1;
    this.maxCompletionTokens = -1;
    this.toolsStart[0] = -1;
    this.toolsStart[1] = -1;
    const sc = this.sc.reset(ptr, len);
    if (pathModel !== null) { f.model = pathModel; f.modelFromPath = true; }
    if (kind == ApiKind.GeminiStream) f.stream = true;

    const root = sc.root();
    if (root < 0) return this.notJson();
    if (sc.byteAt(root) != CharCode.LBRACE) {
      // Say "not an object" only for a complete JSON value; garbage is "not JSON".
      const e = sc.skipValue(root);
      if (e < 0 || !sc.finish(e)) return this.notJson();
      return this.fail(LlmError.NotObject, root, "", "a JSON object");
    }
    const wanted = fieldsOf(kind);
    let seen: u32 = 0;
    let lastEnd = root + 1;
    let k = sc.firstMember(root);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return this.notJson();
      const ks = sc.keyStart, kl = sc.keyEnd - ks;
      let field = Field.Count;
      for (let i = 0; i < <i32>Field.Count; i++) {
        if ((wanted & bit(<Field>i)) == 0) continue;
        const key = unchecked(TOP_KEYS[i]);
        if ((sc.keyEscaped || kl == key.len) && sc.keyIs(key)) { field = <Field>i; break; }
      }
      if (field == Field.SystemInstructionSnake) field = Field.SystemInstruction;
      else if (field == Field.GenerationConfigSnake) field = Field.GenerationConfig;
      else if (field == Field.CachedContentSnake) field = Field.CachedContent;
      let e: i32;
      if (field == Field.Count) {
        e = sc.skipValue(v);
      } else {
        if ((seen & bit(field)) != 0) return this.fail(LlmError.DuplicateField, ks - 1, unchecked(TOP_KEYS[<i32>field]).name, "");
        seen |= bit(field);
        e = this.member(kind, field, v);
      }
      if (e < 0) return f.error != LlmError.None ? f : this.notJson();
      lastEnd = e;
      k = sc.memberAfter(e);
    }
    if (k == JSON_FAIL) return this.notJson();
    if (!sc.finish(sc.containerEnd)) return this.notJson();
    f.appendAt = lastEnd;
    f.streamOptionsAbsent = (wanted & bit(Field.StreamOptions)) != 0 && (seen & bit(Field.StreamOptions)) == 0;
    return this.conclude(kind);
  }

  /** Safe wrapper of `read` for a byte array. */
  readBytes(kind: ApiKind, body: Uint8Array, pathModel: Uint8Array | null = null): RequestFacts {
    return this.read(kind, body.dataStart, body.length, pathModel);
  }

  /** Reads one top-level member's value at `v`; returns the offset after it or a negative. */
  private member(kind: ApiKind, field: Field, v: i32): i32 {
    const sc = this.sc, f = this.facts, w = this.walker;
    switch (field) {
      case Field.Model: return this.readModel(v);
      case Field.Stream: {
        const e = sc.skipValue(v);
        if (e < 0 || isNull(sc, v)) return e;
        const b = readBool(sc, v);
        if (b < 0) return this.reject(LlmError.WrongType, v, "stream", "a boolean");
        f.streamInBody = true;
        f.stream = b == 1;
        return e;
      }
      case Field.StreamOptions: return this.readStreamOptions(v);
      case Field.MaxTokens: return this.readCount(v, "max_tokens", 0, field);
      case Field.MaxCompletionTokens: return this.readCount(v, "max_completion_tokens", 0, field);
      case Field.MaxOutputTokens: return this.readCount(v, "max_output_tokens", 0, field);
      case Field.N: return this.readCount(v, "n", 1, field);
      case Field.Tools:
      case Field.Functions: return this.readTools(v, field == Field.Tools ? "tools" : "functions");
      case Field.Messages: return w.messages(v);
      case Field.Prompt: return w.stringsOrTokens(v, TextKind.Prompt, "prompt");
      case Field.Input:
        if (kind == ApiKind.OpenAIEmbeddings) return w.stringsOrTokens(v, TextKind.Input, "input");
        return w.responsesInput(v);
      case Field.Instructions: return w.systemText(v, "instructions", false);
      case Field.System: return w.systemText(v, "system", true);
      case Field.Contents: return w.geminiContents(v);
      case Field.SystemInstruction: return w.geminiSystem(v);
      case Field.GenerationConfig: return this.readGenerationConfig(v);
      case Field.PreviousResponseId:
      case Field.Conversation:
      case Field.StoredPrompt:
      case Field.CachedContent: {
        const e = sc.skipValue(v);
        if (e >= 0 && !isNull(sc, v)) f.hasServerContext = true;
        return e;
      }
    }
    return sc.skipValue(v);
  }

  private readModel(v: i32): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    if (sc.byteAt(v) != CharCode.QUOTE) {
      const e = sc.skipValue(v);
      if (e < 0) return e;
      return this.reject(LlmError.WrongType, v, "model", "a string");
    }
    const buf = this.modelBuf;
    buf.reset();
    const e = readString(sc, v, buf);
    if (e < 0) return e;
    f.modelStart = v + 1;
    f.modelEnd = e - 1;
    f.modelEscaped = sc.sawEscape;
    if (!f.modelFromPath) f.model = buf.toBytes();
    return e;
  }

  /** A non-negative integer (≥ `min`) or null, stored for `field`. */
  private readCount(v: i32, name: string, min: i64, field: Field): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    const c = sc.byteAt(v);
    if (c != CharCode.MINUS && c - CharCode._0 >= 10) {
      const e = sc.skipValue(v);
      if (e < 0) return e;
      return this.reject(LlmError.WrongType, v, name, "an integer");
    }
    const n = readI64(sc, v);
    if (sc.error == LibError.NotAnInteger) return this.reject(LlmError.WrongType, v, name, "an integer");
    if (sc.error == LibError.NumberOutOfRange) return this.reject(LlmError.OutOfRange, v, name, "");
    if (sc.error != LibError.None) return JSON_FAIL;
    if (n < min) return this.reject(LlmError.OutOfRange, v, name, min == 0 ? "a non-negative integer" : "a positive integer");
    if (field == Field.MaxTokens) this.maxTokens = n;
    else if (field == Field.MaxCompletionTokens) this.maxCompletionTokens = n;
    else if (field == Field.MaxOutputTokens) { f.maxOutputTokens = n; f.maxOutputField = name; }
    else if (field == Field.N) f.choices = n;
    return sc.skipNumber(v);
  }

  private readStreamOptions(v: i32): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    if (sc.byteAt(v) != CharCode.LBRACE) {
      const e = sc.skipValue(v);
      if (e < 0) return e;
      return this.reject(LlmError.WrongType, v, "stream_options", "an object");
    }
    f.hasStreamOptions = true;
    let k = sc.firstMember(v);
    while (k >= 0) {
      const m = sc.memberValue(k);
      if (m < 0) return m;
      let e: i32;
      if (sc.keyIs(K.K_INCLUDE_USAGE)) {
        e = sc.skipValue(m);
        if (e < 0) return e;
        if (!isNull(sc, m)) {
          const b = readBool(sc, m);
          if (b < 0) return this.reject(LlmError.WrongType, m, "stream_options.include_usage", "a boolean");
          f.includeUsage = b;
        }
      } else {
        e = sc.skipValue(m);
      }
      if (e < 0) return e;
      k = sc.memberAfter(e);
    }
    return k == JSON_END ? sc.containerEnd : JSON_FAIL;
  }

  private readTools(v: i32, name: string): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    const e = sc.skipValue(v);
    if (e < 0) return e;
    if (sc.byteAt(v) != CharCode.LBRACKET) return this.reject(LlmError.WrongType, v, name, "an array");
    if (sc.firstElement(v) >= 0) {
      f.hasTools = true;
      const slot = name == "tools" ? 0 : 1;
      this.toolsStart[slot] = v;
      this.toolsEnd[slot] = e;
    }
    return e;
  }

  /** Gemini `generationConfig`: `maxOutputTokens` and `candidateCount`, both spellings. */
  private readGenerationConfig(v: i32): i32 {
    const sc = this.sc, f = this.facts;
    if (isNull(sc, v)) return v + 4;
    if (sc.byteAt(v) != CharCode.LBRACE) {
      const e = sc.skipValue(v);
      if (e < 0) return e;
      return this.reject(LlmError.WrongType, v, "generationConfig", "an object");
    }
    let k = sc.firstMember(v);
    while (k >= 0) {
      const m = sc.memberValue(k);
      if (m < 0) return m;
      let e: i32;
      if (sc.keyIs(K.K_MAX_OUTPUT_TOKENS_CAMEL) || sc.keyIs(K.K_MAX_OUTPUT_TOKENS)) {
        e = this.readCount(m, "generationConfig.maxOutputTokens", 0, Field.MaxOutputTokens);
      } else if (sc.keyIs(K.K_CANDIDATE_COUNT) || sc.keyIs(K.K_CANDIDATE_COUNT_SNAKE)) {
        e = this.readCount(m, "generationConfig.candidateCount", 1, Field.N);
      } else {
        e = sc.skipValue(m);
      }
      if (e < 0) return e;
      k = sc.memberAfter(e);
    }
    return k == JSON_END ? sc.containerEnd : JSON_FAIL;
  }

  /** After the walk: the model requirement, the output cap, the last user message, the estimate. */
  private conclude(kind: ApiKind): RequestFacts {
    const f = this.facts;
    if (f.model === null) {
      if (kind != ApiKind.GeminiGenerate && kind != ApiKind.GeminiStream && kind != ApiKind.GeminiCountTokens) {
        return this.fail(LlmError.MissingModel, -1, "model", "");
      }
    } else if (f.model!.length == 0) {
      return this.fail(LlmError.EmptyModel, f.modelStart, "model", "");
    }
    if (this.maxCompletionTokens >= 0) { f.maxOutputTokens = this.maxCompletionTokens; f.maxOutputField = "max_completion_tokens"; }
    else if (this.maxTokens >= 0) { f.maxOutputTokens = this.maxTokens; f.maxOutputField = "max_tokens"; }
    else if (kind == ApiKind.OpenAICompletions) { f.maxOutputTokens = 16; f.maxOutputField = "max_tokens (default 16)"; }

    if (this.estimateTokens) this.estimatePromptTokens();
    else { f.promptTokens = -1; f.toolTokens = -1; }
    return f;
  }

  /**
   * Estimates the prompt tokens of the last `read` into `facts.promptTokens` (and returns it):
   * texts with escapes read as characters, 3 tokens per message plus 3 to prime the reply, the
   * tool definitions' JSON read as text, and token-id arrays counted exactly. The body passed to
   * `read` must still be in place.
   */
  estimatePromptTokens(): i64 {
    const f = this.facts;
    if (f.error != LlmError.None) return 0;
    const texts = f.texts;
    const base = this.sc.base;
    let tokens: i64 = 0;
    for (let i = 0; i < texts.length; i++) {
      tokens += estimateTokens(base + <usize>texts.start(i), texts.end(i) - texts.start(i), texts.escaped(i));
    }
    if (f.messageCount > 0) tokens += TOKENS_PER_MESSAGE * <i64>f.messageCount + TOKENS_REPLY_PRIMING;
    // Tool definitions reach the model as text: estimate their JSON as such.
    let toolTokens: i64 = 0;
    for (let i = 0; i < 2; i++) {
      const ts = this.toolsStart[i];
      if (ts >= 0) toolTokens += estimateTokens(base + <usize>ts, this.toolsEnd[i] - ts, false);
    }
    f.toolTokens = toolTokens;
    f.promptTokens = tokens + f.toolTokens + f.tokenIdCount;
    return f.promptTokens;
  }

  private notJson(): RequestFacts {
    const f = this.facts;
    f.error = LlmError.NotJson;
    f.detail = this.sc.error != LibError.None ? this.sc.error : LibError.UnexpectedByte;
    f.errorAt = this.sc.errorAt;
    return f;
  }

  /** Records the first semantic error and returns `JSON_FAIL`, for use inside the walk. */
  reject(code: LlmError, at: i32, field: string, expected: string): i32 {
    this.fail(code, at, field, expected);
    return JSON_FAIL;
  }

  /** Records the first semantic error; returns the facts. */
  fail(code: LlmError, at: i32, field: string, expected: string): RequestFacts {
    const f = this.facts;
    if (f.error == LlmError.None) {
      f.error = code;
      f.errorAt = at;
      f.errorField = field;
      f.expected = expected;
    }
    return f;
  }
}

/**
 * True when `model` may be copied into a request header: 1–256 bytes, no control characters
 * (CR/LF, NUL, DEL) — the router's rule against header injection.
 */
export function isHeaderSafeModel(model: Uint8Array): bool {
  const n = model.length;
  if (n == 0 || n > 256) return false;
  for (let i = 0; i < n; i++) {
    const c = <u32>unchecked(model[i]);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}
