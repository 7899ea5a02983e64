/**
 * @module filters/lib/llm/usage
 * `UsageAccumulator`: the token usage of one response, from a non-streamed JSON body (`body`)
 * or from a stream fed one event at a time (`event`: SSE event name and data, or one element of
 * Gemini's JSON-array stream), with each provider's rule for combining reports:
 * - OpenAI Chat / Completions: the last non-null top-level `usage` wins, except that an all-zero
 *   object never replaces a non-zero one; the usage-only final chunk (`choices: []` with a
 *   usage object — never `choices: []` alone, which Azure sends first) is flagged so a filter
 *   can drop it for a client that had not asked for usage; `[DONE]` ends the stream.
 * - Responses: `response.usage` of the terminal `response.completed` / `.incomplete` / `.failed`.
 * - Anthropic: `message_start`'s `message.usage`, then each `message_delta`'s `usage`, per
 *   field, never decreasing (cumulative counts; a smaller later value is an upstream defect);
 *   output counts as final only once a `message_delta` has arrived.
 * - Gemini: `usageMetadata` of every chunk, per field, last seen; one without counts is ignored.
 * Reports are only read at those anchored places, never by searching for a key. Sums are never
 * taken across events. In-stream errors (`data: {"error":…}`, `event: error`) are flagged.
 *
 * @example
 *   acc.reset(kind);
 *   for each SSE event ev: if (acc.event(ev.type, ev.data) & EventFlag.UsageOnlyChunk && !clientAsked) drop(ev);
 *   if (acc.reported) record(acc.inputTokens, acc.outputTokens); else estimateFromText();
 */
import { CharCode } from "../charcode";
import { JsonScanner, JSON_END } from "../json/scanner";
import { JsonKey } from "../json/key";
import { isNull, stringEquals } from "../json/values";
import { ApiKind } from "./api";
import { UsageCounts, UsageDialect, usageDialect, readUsageObject } from "./usage-counts";

/** What one event was, as bits. */
export const enum EventFlag {
  None = 0,
  /** The event carried a usage report (taken into account). */
  Usage = 1,
  /** OpenAI Chat/Completions chunk with `choices: []` and a usage object: exists only because of `include_usage`. */
  UsageOnlyChunk = 2,
  /** The stream's end marker: `[DONE]`, `message_stop`, or a terminal Responses event. */
  Done = 4,
  /** An in-stream error event. */
  Error = 8,
  /** The data was not JSON (or not an object) where JSON was expected. */
  Malformed = 16,
}

const K_USAGE = new JsonKey("usage");
const K_USAGE_METADATA = new JsonKey("usageMetadata");
const K_CHOICES = new JsonKey("choices");
const K_ERROR = new JsonKey("error");
const K_TYPE = new JsonKey("type");
const K_MESSAGE = new JsonKey("message");
const K_RESPONSE = new JsonKey("response");
const V_MESSAGE_START = new JsonKey("message_start");
const V_MESSAGE_DELTA = new JsonKey("message_delta");
const V_MESSAGE_STOP = new JsonKey("message_stop");
const V_ERROR = new JsonKey("error");
const V_COMPLETED = new JsonKey("response.completed");
const V_INCOMPLETE = new JsonKey("response.incomplete");
const V_FAILED = new JsonKey("response.failed");
const DONE_MARKER = "[DONE]";

export class UsageAccumulator {
  kind: ApiKind = ApiKind.Unknown;
  dialect: UsageDialect = UsageDialect.None;
  /** The combined counts so far. */
  readonly counts: UsageCounts = new UsageCounts();
  /** At least one usage report was taken into account. */
  reported: bool = false;
  /** Output is final (Anthropic: a `message_delta` arrived; others: any report with output). */
  outputFinal: bool = false;
  /** The stream's end marker was seen. */
  done: bool = false;
  /** An in-stream error was seen. */
  sawError: bool = false;
  /** Events whose data was not the JSON expected. */
  malformedEvents: i32 = 0;

  private sc: JsonScanner = new JsonScanner();
  private snap: UsageCounts = new UsageCounts();

  constructor(kind: ApiKind = ApiKind.Unknown) { this.reset(kind); }

  reset(kind: ApiKind): void {
    this.kind = kind;
    this.dialect = usageDialect(kind);
    this.counts.clear();
    this.reported = false;
    this.outputFinal = false;
    this.done = false;
    this.sawError = false;
    this.malformedEvents = 0;
  }

  // ---- normalised results (0 when not reported) -------------------------------------------
  get inputTokens(): i64 { return this.reported ? this.counts.inputTokens(this.dialect) : 0; }
  get outputTokens(): i64 { return this.reported ? this.counts.outputTokens(this.dialect) : 0; }
  get totalTokens(): i64 { return this.reported ? this.counts.totalTokens(this.dialect) : 0; }
  get cacheReadTokens(): i64 { return this.reported ? this.counts.cacheReadTokens() : 0; }
  get cacheWriteTokens(): i64 { return this.reported ? this.counts.cacheWriteTokens() : 0; }
  get reasoningTokens(): i64 { return this.reported ? this.counts.reasoningTokens() : 0; }
  /** Some count in a report was negative, fractional or out of range (it was ignored). */
  get invalid(): bool { return this.counts.invalid; }

  /**
   * A whole non-streamed JSON response of `len` bytes at `ptr`. Gemini's JSON-array stream
   * (`streamGenerateContent` without `alt=sse`) may be passed whole too: each element counts as
   * an event. Returns `EventFlag` bits.
   */
  body(ptr: usize, len: i32): i32 {
    const sc = this.sc.reset(ptr, len);
    const root = sc.root();
    if (root < 0) return this.malformed();
    if (sc.byteAt(root) == CharCode.LBRACKET && this.dialect == UsageDialect.Gemini) {
      let flags = 0;
      let el = sc.firstElement(root);
      while (el >= 0) {
        const end = sc.skipValue(el);
        if (end < 0) break;
        flags |= this.event(0, 0, ptr + <usize>el, end - el);
        sc.reset(ptr, len);
        el = nextElementAfter(sc, end);
      }
      return flags;
    }
    return this.event(0, 0, ptr, len);
  }

  /**
   * One stream event: its SSE `event:` name (`typeLen` 0 when none) and its data. Returns
   * `EventFlag` bits. A Gemini JSON-array element is passed as data with no name.
   */
  event(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32): i32 {
    if (isDoneMarker(dataPtr, dataLen)) { this.done = true; return EventFlag.Done; }
    // Chat streams are mostly content chunks: one whose bytes hold no `"usage` or `"error`
    // (and no `\u` escape that could spell a key) carries neither, so it is not parsed.
    if (this.dialect == UsageDialect.Chat && !mayCarryUsage(dataPtr, dataLen)) return EventFlag.None;
    const sc = this.sc.reset(dataPtr, dataLen);
    const root = sc.root();
    if (root < 0 || sc.byteAt(root) != CharCode.LBRACE) return this.malformed();
    // One pass over the top level: the anchored places of each dialect.
    let usageAt = -1, choicesAt = -1, typeAt = -1, nestedAt = -1, errorAt = -1;
    let k = sc.firstMember(root);
    while (k >= 0) {
      const v = sc.memberValue(k);
      if (v < 0) return this.malformed();
      // Only keys of a length that can match are compared (chunks have many other members).
      const kl = sc.keyEnd - sc.keyStart;
      if (sc.keyEscaped || kl == 4 || kl == 5 || kl == 7 || kl == 8 || kl == 13) {
        if (sc.keyIs(K_USAGE) || sc.keyIs(K_USAGE_METADATA)) usageAt = v;
        else if (sc.keyIs(K_CHOICES)) choicesAt = v;
        else if (sc.keyIs(K_TYPE)) typeAt = v;
        else if (sc.keyIs(K_MESSAGE) || sc.keyIs(K_RESPONSE)) nestedAt = v;
        else if (sc.keyIs(K_ERROR)) errorAt = v;
      }
      k = sc.nextMember(v);
    }
    if (k != JSON_END) return this.malformed();
    if (!sc.finish(sc.containerEnd)) return this.malformed();
    // The event name: the JSON `type` (Anthropic, Responses), else the SSE name.
    const named = typeAt >= 0 || typeLen > 0;
    let flags = 0;
    if ((errorAt >= 0 && !isNull(sc, errorAt)) || (named && this.isType(typeAt, typePtr, typeLen, V_ERROR))) {
      this.sawError = true;
      flags |= EventFlag.Error;
    }
    switch (this.dialect) {
      case UsageDialect.Chat: {
        const read = usageAt >= 0 && sc.byteAt(usageAt) == CharCode.LBRACE && readUsageObject(sc, usageAt, this.dialect, this.snap) >= 0;
        if (read && this.snap.invalid) this.counts.invalid = true;
        if (read && this.snap.any()) {
          flags |= EventFlag.Usage;
          if (!(this.reported && this.snap.allZero() && !this.counts.allZero())) this.counts.copyFrom(this.snap);
          this.reported = true;
          this.outputFinal = true;
          if (choicesAt >= 0 && sc.byteAt(choicesAt) == CharCode.LBRACKET && sc.firstElement(choicesAt) == JSON_END) flags |= EventFlag.UsageOnlyChunk;
        }
        break;
      }
      case UsageDialect.Responses: {
        if (usageAt >= 0 && typeAt < 0 && typeLen == 0) {
          // A non-streamed Responses body: root `usage`.
          if (this.take(usageAt, false)) flags |= EventFlag.Usage;
        } else if (this.isType(typeAt, typePtr, typeLen, V_COMPLETED) || this.isType(typeAt, typePtr, typeLen, V_INCOMPLETE) ||
            this.isType(typeAt, typePtr, typeLen, V_FAILED)) {
          flags |= EventFlag.Done;
          this.done = true;
          const u = nestedAt >= 0 && sc.byteAt(nestedAt) == CharCode.LBRACE ? sc.find(nestedAt, K_USAGE) : -1;
          if (u >= 0 && this.take(u, false)) flags |= EventFlag.Usage;
        }
        break;
      }
      case UsageDialect.Anthropic: {
        if (this.isType(typeAt, typePtr, typeLen, V_MESSAGE_START)) {
          const u = nestedAt >= 0 && sc.byteAt(nestedAt) == CharCode.LBRACE ? sc.find(nestedAt, K_USAGE) : -1;
          if (u >= 0 && this.take(u, true)) flags |= EventFlag.Usage;
          this.outputFinal = false;
        } else if (this.isType(typeAt, typePtr, typeLen, V_MESSAGE_DELTA)) {
          if (usageAt >= 0 && this.take(usageAt, true)) { flags |= EventFlag.Usage; this.outputFinal = true; }
        } else if (this.isType(typeAt, typePtr, typeLen, V_MESSAGE_STOP)) {
          flags |= EventFlag.Done;
          this.done = true;
        } else if (usageAt >= 0 && !this.isType(typeAt, typePtr, typeLen, V_ERROR)) {
          // A whole non-streamed Messages body (`"type":"message"`).
          if (this.take(usageAt, false)) { flags |= EventFlag.Usage; this.outputFinal = true; }
        }
        break;
      }
      case UsageDialect.Gemini: {
        if (usageAt >= 0 && this.take(usageAt, false)) flags |= EventFlag.Usage;
        break;
      }
    }
    return flags;
  }

  /** Safe wrapper of `event` for byte arrays (`type` null when the event had no name). */
  eventBytes(type: Uint8Array | null, data: Uint8Array): i32 {
    return this.event(type === null ? 0 : type.dataStart, type === null ? 0 : type.length, data.dataStart, data.length);
  }

  /** Safe wrapper of `body` for a byte array. */
  bodyBytes(body: Uint8Array): i32 { return this.body(body.dataStart, body.length); }

  /** Reads the usage object at `u` and merges it (per field, keeping the larger when `keepMax`). */
  private take(u: i32, keepMax: bool): bool {
    const sc = this.sc;
    if (sc.byteAt(u) != CharCode.LBRACE) return false;
    if (readUsageObject(sc, u, this.dialect, this.snap) < 0 || !this.snap.any()) {
      if (this.snap.invalid) this.counts.invalid = true;
      return false;
    }
    if (keepMax) this.counts.mergeMax(this.snap);
    else this.counts.mergeReplace(this.snap);
    this.reported = true;
    if (this.dialect != UsageDialect.Anthropic) this.outputFinal = true;
    return true;
  }

  /** True when the event is of type `name`: its JSON `type` at `typeAt`, else its SSE name. */
  private isType(typeAt: i32, typePtr: usize, typeLen: i32, name: JsonKey): bool {
    if (typeAt >= 0) return stringEquals(this.sc, typeAt, name);
    return typeLen == name.len && memory.compare(typePtr, name.ptr, <usize>typeLen) == 0;
  }

  private malformed(): i32 {
    this.malformedEvents++;
    return EventFlag.Malformed;
  }
}

const WORD_USAG: u32 = 0x67617375; // "usag" little-endian
const WORD_ERRO: u32 = 0x6f727265; // "erro"

/** False only when the bytes cannot hold a `usage` or `error` key, even spelled with escapes. */
function mayCarryUsage(ptr: usize, len: i32): bool {
  const end = len - 4;
  for (let i = 0; i < len - 1; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == CharCode.QUOTE && i < end) {
      const w = load<u32>(ptr + <usize>i, 1);
      if (w == WORD_USAG || w == WORD_ERRO) return true;
    } else if (c == CharCode.BACKSLASH && <u32>load<u8>(ptr + <usize>i + 1) == CharCode.u) {
      return true;
    }
  }
  return false;
}

/** True for OpenAI's `data: [DONE]` end marker (surrounding whitespace tolerated). */
export function isDoneMarker(ptr: usize, len: i32): bool {
  let s = 0, e = len;
  while (s < e && load<u8>(ptr + <usize>s) <= 0x20) s++;
  while (e > s && load<u8>(ptr + <usize>(e - 1)) <= 0x20) e--;
  if (e - s != 6) return false;
  for (let i = 0; i < 6; i++) if (<i32>load<u8>(ptr + <usize>(s + i)) != DONE_MARKER.charCodeAt(i)) return false;
  return true;
}

function nextElementAfter(sc: JsonScanner, end: i32): i32 {
  let i = sc.skipSpace(end);
  if (i >= sc.len) return JSON_END - 1;
  const c = sc.byteAt(i);
  if (c != CharCode.COMMA) return JSON_END;
  return sc.skipSpace(i + 1);
}
