/**
 * @module filters/token-limit/meter
 * `ResponseMeter`: the token usage of one response as its body passes, whatever the chunking.
 * SSE streams are split into whole raw events at their blank lines as they arrive: an event that
 * is one `data:` line is read where it lies, any other goes through lib's `SseParser`, and the
 * bytes of an incomplete event are kept (copied) until it completes. Gemini's JSON-array stream
 * goes through `JsonArrayStream`, and a non-streamed body is copied (up to a bound) and read whole
 * at the end. Every event or body feeds lib/llm's `UsageAccumulator` (reported usage, each
 * provider's merge rule) and `OutputTextReader` (an output estimate for when nothing is reported),
 * except events of the shape last read in full (`EventShape`), which carry no usage and whose text
 * is counted directly.
 *
 * Stripping: when the filter injected `include_usage` for a client that had not asked, the
 * usage-only chunk (`choices: []`) must not reach that client. Then those raw events are cut out
 * of the byte stream; the bytes of an incomplete event are held back from the client until it
 * completes, every other byte passes unchanged.
 */
import { ByteBuffer } from "../lib/bytes";
import { HeapBytes } from "./heap-bytes";
import { CharCode } from "../lib/charcode";
import { SseParser, findLineEnd } from "../lib/sse";
import { TokenFeatures, addTokenFeatures, tokensFromFeatures } from "../lib/tokens";
import { EventShape } from "../lib/llm/event-shape";
import { JsonArrayStream } from "../lib/llm/json-array-stream";
import { ApiKind } from "../lib/llm/api";
import { EventFlag, UsageAccumulator } from "../lib/llm/usage";
import { OutputTextReader } from "../lib/llm/stream-text";

export const enum BodyMode { Json = 0, Sse = 1, JsonArray = 2 }

const MAX_HELD_EVENT: i32 = 1 << 20;
const MAX_PENDING_TEXT: i32 = 2048;
/** A pooled meter keeps buffers up to this size; a larger one (from a rare huge body) is dropped for the collector. */
const KEEP_CAPACITY: i32 = 64 << 10;

export class ResponseMeter {
  // What every streamed chunk reads comes first, so that the commonest chunk touches few cache lines.
  mode: BodyMode = BodyMode.Json;
  private ended: bool = false;
  /** SSE read event by event as it arrives (complete events in place); false after a runaway event: through the parser whole. */
  private split: bool = false;
  /**
   * Nothing is held, the parser is between events and the shape has its whole-chunk form: the
   * next chunk may be matched in one comparison (`EventShape.matchChunk`). Set after every chunk
   * that took the long way, which is the only way those three change.
   */
  private fastChunks: bool = false;
  /** Body bytes fed so far (the filter collects garbage after a large exchange). */
  bytes: i64 = 0;
  /**
   * The parser's event size limit (an event over it is not taken whole), copied here at `reset` so
   * that the common chunk reads no field of the parser.
   */
  private maxEvent: i32 = 0;
  /**
   * Texts of shape-matched events not yet in `features`, read in runs of up to `MAX_PENDING_TEXT`
   * bytes: `pendingLength` bytes in a block of that size outside the collector, allocated when a
   * first text comes (most meters never see one) and freed by `dispose`.
   */
  private pendingLength: i32 = 0;
  private pendingText: usize = 0;
  readonly usage: UsageAccumulator = new UsageAccumulator();
  private text: OutputTextReader = new OutputTextReader();
  private shape: EventShape = new EventShape();
  private sse: SseParser = new SseParser();
  private array: JsonArrayStream = new JsonArrayStream();
  private copy: HeapBytes = new HeapBytes(256);
  private held: HeapBytes = new HeapBytes(256);
  private out: ByteBuffer = new ByteBuffer(256);
  private maxCopy: i64 = 0;
  /** The non-streamed body passed `maxCopy`: its usage is unknown. */
  overflow: bool = false;
  /** Token features of the generated text seen so far; the estimate is computed from them once, when asked. */
  private features: TokenFeatures = new TokenFeatures();
  /** Usage-only chunks removed from what the client sees. */
  stripped: i32 = 0;
  private strip: bool = false;

  reset(kind: ApiKind, mode: BodyMode, strip: bool, maxCopy: i64): void {
    this.mode = mode;
    this.usage.reset(kind);
    this.text.reset(kind);
    this.shape.reset();
    this.sse.reset();
    this.array.reset();
    this.copy.reset(KEEP_CAPACITY);
    this.held.reset(KEEP_CAPACITY);
    this.out = fresh(this.out, 256);
    this.bytes = 0;
    this.maxCopy = maxCopy;
    this.overflow = false;
    this.features.clear();
    this.pendingLength = 0;
    this.fastChunks = false;
    this.maxEvent = this.sse.maxEventBytes;
    this.stripped = 0;
    this.strip = strip && mode == BodyMode.Sse;
    this.split = mode == BodyMode.Sse;
    this.ended = false;
  }

  /** Gives the copies' memory back (a meter the pool does not keep). */
  dispose(): void {
    this.copy.dispose();
    this.held.dispose();
    if (this.pendingText != 0) heap.free(this.pendingText);
    this.pendingText = 0;
  }

  /** Output tokens estimated from the generated text seen so far. */
  get estimatedOutput(): i64 {
    this.flushText();
    return tokensFromFeatures(this.features);
  }

  private flushText(): void {
    if (this.pendingLength > 0) { addTokenFeatures(this.features, this.pendingText, this.pendingLength, false); this.pendingLength = 0; }
  }

  /** True when `chunk` may return bytes to replace the chunk with. */
  get rewrites(): bool { return this.strip; }

  /**
   * Feeds one body chunk. Returns what the client should get instead of the chunk (possibly
   * empty), or null when the chunk passes as it is. The chunk is read where it lies (`len`
   * bytes at `ptr`, e.g. the host's buffer): no wrapper object per chunk.
   */
  chunk(ptr: usize, len: i32, endOfStream: bool): Uint8Array | null {
    if (this.ended) return null;
    this.bytes += <i64>len;
    let result: Uint8Array | null = null;
    switch (this.mode) {
      case BodyMode.Sse: {
        if (this.split) result = this.sseChunk(ptr, len, endOfStream);
        else { this.sse.push(ptr, len); this.drainSse(); }
        break;
      }
      case BodyMode.JsonArray: {
        this.array.push(ptr, len);
        for (let el = this.array.next(); el !== null; el = this.array.next()) this.element(el);
        break;
      }
      default: {
        if (endOfStream && len > 0 && this.copy.length == 0 && !this.overflow && <i64>len <= this.maxCopy) {
          // The whole body in one chunk (the usual JSON answer): read where it lies, no copy.
          this.ended = true;
          this.readJson(ptr, len);
          return null;
        }
        if (!this.overflow) {
          if (<i64>this.copy.length + <i64>len > this.maxCopy) { this.overflow = true; this.copy.reset(KEEP_CAPACITY); }
          else this.copy.append(ptr, len);
        }
      }
    }
    if (endOfStream) this.end();
    return result;
  }

  /** The body ended (or was cut): flush a last event, read a non-streamed body. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.mode == BodyMode.Sse) {
      if (this.held.length > 0) { this.sse.push(this.held.dataStart, this.held.length); this.held.reset(KEEP_CAPACITY); }
      this.sse.end();
      this.drainSse();
    } else if (this.mode == BodyMode.Json && !this.overflow && this.copy.length > 0) {
      this.readJson(this.copy.dataStart, this.copy.length);
      this.copy.reset(KEEP_CAPACITY);
    }
  }

  /** A whole non-streamed body: its usage, and its text when the usage does not settle the output. */
  private readJson(p: usize, n: i32): void {
    this.usage.body(p, n);
    // The text is only needed for an estimate: skip it when the body reported usage.
    if ((!this.usage.reported || !this.usage.outputFinal) && this.text.body(p, n) > 0) this.text.addFeatures(p, this.features);
  }

  /** Reads the events the parser has ready, in place (no copy per event). */
  private drainSse(): i32 {
    let flags = 0;
    const sse = this.sse, v = sse.view;
    while (sse.nextView()) flags |= this.event(v.typePtr, v.typeLen, v.dataPtr, v.dataLen);
    return flags;
  }

  /**
   * One event: an event of the shape last read in full only has its text counted (lib/llm's
   * `EventShape`: such an event carries no usage); any other is read in full, by both readers.
   */
  private event(tp: usize, tl: i32, dp: usize, dl: i32): i32 {
    const shape = this.shape;
    if (shape.match(tp, tl, dp, dl)) {
      this.shapedText(dp);
      return EventFlag.None;
    }
    const flags = this.usage.event(tp, tl, dp, dl);
    if (this.text.event(tp, tl, dp, dl) > 0) {
      this.text.addFeatures(dp, this.features);
      if (flags == EventFlag.None) shape.learn(tp, tl, dp, dl, this.text.spans);
    }
    return flags;
  }

  /** The texts of an event `shape` just matched (data at `dp`): no usage to read, only text to count. */
  private shapedText(dp: usize): void {
    const shape = this.shape;
    for (let i = 0, n = shape.textCount; i < n; i++) this.pendText(dp + <usize>shape.textStart(i), shape.textLength(i));
  }

  /** Plain text (no escapes): gathered and read in runs, one estimator pass per run rather than per event. */
  private pendText(p: usize, len: i32): void {
    if (this.pendingLength + len > MAX_PENDING_TEXT) this.flushText();
    if (len > MAX_PENDING_TEXT) { addTokenFeatures(this.features, p, len, false); return; }
    if (this.pendingText == 0) this.pendingText = heap.alloc(<usize>MAX_PENDING_TEXT);
    memory.copy(this.pendingText + <usize>this.pendingLength, p, <usize>len);
    this.pendingLength += len;
  }

  private element(el: Uint8Array): void {
    this.event(0, 0, el.dataStart, el.length);
  }

  /**
   * Splits held + chunk into whole raw events and reads each (a lone `data:` line in place); when
   * stripping, passes each unless it is a usage-only chunk. Returns null when the client gets
   * exactly the chunk (always when not stripping; when stripping, nothing held before or after,
   * nothing cut): the common case then costs no copy. Runs of passed events are copied out only
   * once something was cut. An incomplete event's bytes are kept until it completes.
   */
  private sseChunk(ptr: usize, len: i32, endOfStream: bool): Uint8Array | null {
    // The commonest chunk, in one comparison: one whole `data: …\n\n` event equal to the last shape
    // read in full but for its one text (what the two steps in `splitChunk` accept, for the same reasons).
    if (this.fastChunks && len - 7 <= this.maxEvent) {
      const shape = this.shape;
      if (shape.matchChunk(ptr, len)) {
        this.pendText(ptr + <usize>shape.chunkTextStart, shape.chunkTextLength);
        return null;
      }
    }
    const out = this.splitChunk(ptr, len, endOfStream);
    this.fastChunks = this.held.length == 0 && this.sse.betweenEvents && this.shape.hasChunkForm;
    return out;
  }

  /** `sseChunk` for a chunk the one comparison did not take. */
  private splitChunk(ptr: usize, len: i32, endOfStream: bool): Uint8Array | null {
    const cutting = this.strip;
    const held = this.held;
    // With nothing held, the chunk is scanned where it lies; only an incomplete tail is kept.
    const direct = held.length == 0;
    const shape = this.shape, sse = this.sse;
    // The common chunk is one whole `data: …\n\n` event of the last shape read in full. The shape
    // match proves the data holds no line break, so the chunk is not split into lines first; such
    // an event carries no usage, so the client gets the chunk as it is.
    if (direct && shape.lineFree && len >= 8 && <u32>load<u8>(ptr + <usize>(len - 1)) == CharCode.LF &&
        <u32>load<u8>(ptr + <usize>(len - 2)) == CharCode.LF) {
      const v = sse.view;
      if (sse.simpleEvent(ptr, len, len - 2) && shape.match(0, 0, v.dataPtr, v.dataLen)) {
        this.shapedText(v.dataPtr);
        return null;
      }
    }
    if (!direct) held.append(ptr, len);
    const base = direct ? ptr : held.dataStart;
    const n = direct ? len : held.length;
    const out = this.out;
    out.reset();
    let changed = !direct;
    let evStart = 0, lineStart = 0, i = 0, runStart = 0;
    let firstEnd = -1; // where the current event's first line ends
    while (i < n) {
      i = findLineEnd(base, i, n);
      if (i < 0) break;
      const c = <u32>load<u8>(base + <usize>i);
      let end = i + 1;
      if (c == CharCode.CR) {
        if (i + 1 >= n && !endOfStream) break; // a CRLF may be split: wait for the next byte
        if (i + 1 < n && <u32>load<u8>(base + <usize>(i + 1)) == CharCode.LF) end = i + 2;
      }
      if (i == lineStart) {
        // A blank line: the raw event [evStart, end) is complete. A lone `data:` line is read in place.
        const sse = this.sse, v = sse.view;
        let flags = 0;
        if (sse.simpleEvent(base + <usize>evStart, end - evStart, firstEnd - evStart)) flags = this.event(0, 0, v.dataPtr, v.dataLen);
        else { sse.push(base + <usize>evStart, end - evStart); flags = this.drainSse(); }
        if (cutting && (flags & EventFlag.UsageOnlyChunk) != 0) {
          this.stripped++;
          out.append(base + <usize>runStart, evStart - runStart);
          runStart = end;
          changed = true;
        }
        evStart = end;
      } else if (lineStart == evStart) firstEnd = i;
      lineStart = end;
      i = end;
    }
    // Keep the incomplete event; a runaway one is passed on unchanged (and parsed as it goes).
    const rest = n - evStart;
    const flush = rest > MAX_HELD_EVENT || (endOfStream && rest > 0);
    if (flush) {
      this.sse.push(base + <usize>evStart, rest);
      this.drainSse();
      if (!endOfStream) { this.strip = false; this.split = false; }
    } else if (rest > 0) {
      changed = true;
    }
    if (!changed) return null;
    const runEnd = flush ? n : evStart;
    if (cutting) out.append(base + <usize>runStart, runEnd - runStart);
    if (flush) held.reset(KEEP_CAPACITY);
    else if (direct) held.append(base + <usize>evStart, rest);
    else if (evStart > 0) {
      memory.copy(base, base + <usize>evStart, <usize>rest);
      held.length = rest;
    }
    // Not stripping, the client already has every byte as it came: the copy was for reading only.
    return cutting ? out.toBytes() : null;
  }
}

/** `b` emptied, or a new small buffer in its place when `b` grew past `KEEP_CAPACITY`. */
function fresh(b: ByteBuffer, capacity: i32): ByteBuffer {
  if (b.capacity <= KEEP_CAPACITY) { b.reset(); return b; }
  return new ByteBuffer(capacity);
}
