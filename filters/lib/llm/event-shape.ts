/**
 * @module filters/lib/llm/event-shape
 * `EventShape`: recognises a stream event that has the same shape as one already read in full,
 * so its text can be taken without walking its JSON again. Provider streams repeat one event
 * shape hundreds of times (`{"id":…,"choices":[{"index":0,"delta":{"content":"…"}}]}`), and
 * only a few values change: the text, and ids, counters or padding (`obfuscation`).
 *
 * `learn` keeps a copy of an event the readers found to carry text and nothing else, with its
 * variable slots: every string value without escapes (except `type` values, which name what an
 * event is) and every unsigned integer. `match` then accepts an event only when its bytes equal
 * the copy everywhere outside the slots (same SSE name too), each string slot holds plain string
 * bytes (no quote, backslash or control byte: the string ends where it ended before) and each
 * integer slot a valid integer. Such an event parses exactly as the learned one did, with other
 * values in the slots: the same members, the same text places and the same verdict of every
 * reader, so the text slots are its text and the event carries no usage, error or end marker.
 * The value of a `usage`, `usageMetadata` or `error` member is never a slot, whatever it holds
 * (`"usage":null`, which OpenAI sends in every chunk once `include_usage` is on, stays fixed, and
 * a chunk whose usage became an object does not match), so no count a usage reader would take
 * can vary unseen.
 *
 * `matchChunk` is the same test for a whole raw SSE chunk when the shape has one text and no event
 * name: one comparison against the shape written out as a `data: …\n\n` chunk, for the commonest
 * chunk of a stream (a caller tries it first, and the two steps only when it fails).
 *
 * @example
 *   if (shape.match(tp, tl, dp, dl)) { for (let i = 0; i < shape.textCount; i++) use(dp + shape.textStart(i), shape.textLength(i)); }
 *   else { read in full; if (it carried text only) shape.learn(tp, tl, dp, dl, reader.spans); }
 */
import { ByteBuffer } from "../bytes";
import { CharCode } from "../charcode";
import { TextSpans } from "./spans";

/** Events larger than this are read in full every time (the copy stays small). */
const MAX_SHAPE_BYTES: i32 = 4096;
/** Slots per shape; an event with more variable values is not learned. */
const MAX_SLOTS: i32 = 32;

const enum Slot { String = 0, Text = 1, Integer = 2 }

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const QUOTES: u64 = 0x2222222222222222;
const BACKSLASHES: u64 = 0x5c5c5c5c5c5c5c5c;
const SPACES: u64 = 0x2020202020202020;

/** High bit set in each byte of `v` that is a quote, a backslash or a control byte (exact for the lowest). */
// @ts-ignore: decorator
@inline function stopMask(v: u64): u64 {
  return (((v ^ QUOTES) - ONES) | ((v ^ BACKSLASHES) - ONES) | (v - SPACES)) & ~v & HIGHS;
}

/** True when the `n` bytes at `a` and `b` are equal; eight at a time, any alignment. */
function sameBytes(a: usize, b: usize, n: i32): bool {
  let i = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
    i++;
  }
  return true;
}

export class EventShape {
  // The learned shape as one whole raw chunk, for `matchChunk`; first, so that a match reads as few
  // cache lines as it can: `data: ` and the copy up to the text (`rawHead` bytes), then the copy
  // from the text's closing quote on and the blank line (`rawTail` bytes). rawHead -1: no such form.
  private rawHead: i32 = -1;
  private rawTail: i32 = 0;
  // Allocated with the shape (room for the usual chunk), not when a first shape is learned: a
  // small block that lives as long as the meter, placed mid-stream, split the free memory that a
  // later large body needed (the token-limit fuzz then grew one VM by a doubling, 408 → 816 pages).
  private raw: StaticArray<u8> = new StaticArray<u8>(256);
  /** True when `matchChunk` can match anything (the shape has a whole-chunk form). */
  get hasChunkForm(): bool { return this.rawHead >= 0; }
  /** The text of the last successful `matchChunk`: its offset in the chunk and its length. */
  chunkTextStart: i32 = 0;
  chunkTextLength: i32 = 0;

  private copy: ByteBuffer = new ByteBuffer(256);
  private name: ByteBuffer = new ByteBuffer(32);
  private known: bool = false;
  private slots: i32 = 0;
  /** Per slot: start and end (offsets of the value's content in the copy) and kind. */
  private slotStart: StaticArray<i32> = new StaticArray<i32>(MAX_SLOTS);
  private slotEnd: StaticArray<i32> = new StaticArray<i32>(MAX_SLOTS);
  private slotKind: StaticArray<u8> = new StaticArray<u8>(MAX_SLOTS);
  /** Text slots of the last successful `match`, offsets into its data. */
  private texts: StaticArray<i32> = new StaticArray<i32>(MAX_SLOTS * 2);
  /** Number of text values found by the last successful `match`. */
  textCount: i32 = 0;
  /** The slot of the shape's text when it has exactly one, else -1. */
  private texts1: i32 = -1;
  /**
   * The learned data holds no CR or LF (it came from one `data:` line). An event that matches such
   * a shape has no line break either (its other bytes are the copy's, its values plain string
   * bytes or digits), so a caller may take a whole `data: …\n\n` chunk as one event on a match.
   */
  lineFree: bool = false;

  /** Forgets the learned shape (a new stream). */
  reset(): void {
    this.known = false;
    this.lineFree = false;
    this.rawHead = -1;
    this.slots = 0;
    this.textCount = 0;
  }

  /** Offset of text value `i` of the last match in its data. */
  textStart(i: i32): i32 { return unchecked(this.texts[i << 1]); }
  /** Length of text value `i` of the last match. */
  textLength(i: i32): i32 { return unchecked(this.texts[(i << 1) + 1]); }

  /**
   * Remembers the shape of an event (SSE name, data) that was read in full: valid JSON whose
   * text is exactly `spans` (offsets into the data) and which carried nothing else (no usage, no
   * error, not an end marker). Returns false when the event is not learned (too large, too many
   * slots, a text with escapes, a key with escapes, anything that could be usage).
   */
  learn(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32, spans: TextSpans): bool {
    this.known = false;
    this.lineFree = false;
    this.rawHead = -1;
    if (dataLen > MAX_SHAPE_BYTES || spans.length == 0) return false;
    let slots = 0, texts = 0;
    // `fixed`: the next value is fixed (it follows `type`, `usage`, `usageMetadata` or `error`);
    // `frozenAt`: the depth of a fixed object or array being passed (-1: none).
    let fixed = false, afterUsage = false;
    let depth = 0, frozenAt = -1;
    let i = 0;
    while (i < dataLen) {
      const c = <u32>load<u8>(dataPtr + <usize>i);
      if (c == CharCode.LBRACE || c == CharCode.LBRACKET) {
        if (afterUsage && frozenAt < 0) frozenAt = depth;
        depth++;
        fixed = false;
        afterUsage = false;
        i++;
      } else if (c == CharCode.RBRACE || c == CharCode.RBRACKET) {
        depth--;
        if (depth == frozenAt) frozenAt = -1;
        i++;
      } else if (c == CharCode.QUOTE) {
        let j = i + 1;
        let escaped = false;
        while (j < dataLen) {
          const b = <u32>load<u8>(dataPtr + <usize>j);
          if (b == CharCode.QUOTE) break;
          if (b == CharCode.BACKSLASH) { escaped = true; j += 2; } else j++;
        }
        if (j >= dataLen) return false;
        let k = j + 1;
        while (k < dataLen && isSpace(<u32>load<u8>(dataPtr + <usize>k))) k++;
        if (k < dataLen && <u32>load<u8>(dataPtr + <usize>k) == CharCode.COLON) {
          // A key: fixed bytes. `type` makes its value fixed too, a usage or error member all of its value.
          if (escaped) return false;
          afterUsage = isUsageKey(dataPtr + <usize>(i + 1), j - i - 1);
          fixed = afterUsage || (j - i - 1 == 4 && load<u32>(dataPtr + <usize>(i + 1)) == WORD_TYPE);
        } else {
          const text = isSpan(spans, i + 1, j);
          if (text && escaped) return false;
          if (!escaped && !fixed && frozenAt < 0) {
            if (slots == MAX_SLOTS) return false;
            unchecked(this.slotStart[slots] = i + 1);
            unchecked(this.slotEnd[slots] = j);
            unchecked(this.slotKind[slots] = <u8>(text ? Slot.Text : Slot.String));
            slots++;
            if (text) texts++;
          }
          fixed = false;
          afterUsage = false;
        }
        i = j + 1;
      } else if (c - CharCode._0 < 10 || c == CharCode.MINUS) {
        // A number: only a plain unsigned integer varies (a sign, fraction or exponent stays fixed).
        let j = i + 1, plain = c != CharCode.MINUS;
        while (j < dataLen) {
          const b = <u32>load<u8>(dataPtr + <usize>j);
          if (b - CharCode._0 < 10) j++;
          else if (isNumberByte(b)) { plain = false; j++; }
          else break;
        }
        if (plain && !fixed && frozenAt < 0) {
          if (slots == MAX_SLOTS) return false;
          unchecked(this.slotStart[slots] = i);
          unchecked(this.slotEnd[slots] = j);
          unchecked(this.slotKind[slots] = <u8>Slot.Integer);
          slots++;
        }
        fixed = false;
        afterUsage = false;
        i = j;
      } else {
        // Literals (true, false, null), separators and blanks: fixed bytes. A literal ends a fixed value.
        if (c == CharCode.COMMA || c == CharCode.t || c == CharCode.f || c == CharCode.n) { fixed = false; afterUsage = false; }
        i++;
      }
    }
    // Every text the reader found must be a slot (a text inside a fixed value cannot vary).
    if (texts != spans.length) return false;
    this.copy.reset();
    this.copy.append(dataPtr, dataLen);
    this.name.reset();
    this.name.append(typePtr, typeLen);
    this.slots = slots;
    this.texts1 = -1;
    if (texts == 1) for (let k = 0; k < slots; k++) if (unchecked(this.slotKind[k]) == <u8>Slot.Text) this.texts1 = k;
    let breaks = false;
    for (let k = 0; k < dataLen && !breaks; k++) {
      const b = <u32>load<u8>(dataPtr + <usize>k);
      breaks = b == CharCode.LF || b == CharCode.CR;
    }
    this.lineFree = !breaks;
    this.known = true;
    if (this.texts1 >= 0 && typeLen == 0 && this.lineFree) this.learnChunk();
    return true;
  }

  /** Writes the whole-chunk form of a one-text shape without an event name (see `matchChunk`). */
  private learnChunk(): void {
    const base = this.copy.dataStart, total = this.copy.length;
    const head = unchecked(this.slotStart[this.texts1]), from = unchecked(this.slotEnd[this.texts1]);
    const size = DATA_FIELD.length + head + (total - from) + 2;
    if (this.raw.length < size) this.raw = new StaticArray<u8>(size);
    const raw = changetype<usize>(this.raw);
    for (let i = 0; i < DATA_FIELD.length; i++) store<u8>(raw + <usize>i, <u8>DATA_FIELD.charCodeAt(i));
    memory.copy(raw + <usize>DATA_FIELD.length, base, <usize>head);
    const tailAt = raw + <usize>(DATA_FIELD.length + head);
    memory.copy(tailAt, base + <usize>from, <usize>(total - from));
    store<u8>(tailAt + <usize>(total - from), CharCode.LF);
    store<u8>(tailAt + <usize>(total - from + 1), CharCode.LF);
    this.rawHead = DATA_FIELD.length + head;
    this.rawTail = total - from + 2;
  }

  /**
   * True when the raw bytes `ptr, len` are exactly one event of the learned shape, as one
   * `data: ` line (one space) ending in LF followed by the blank line LF, with no event name, and
   * the shape has one text: the bytes outside the text equal the learned ones and the text is plain
   * string bytes. `chunkTextStart` / `chunkTextLength` then give the text. This is what
   * `SseParser.simpleEvent` followed by `match` accepts for such a chunk (when the parser is between
   * events and the event is within its size limit), in one comparison against one template; false
   * says nothing (the two-step path may still accept it, e.g. with another value in another slot).
   */
  matchChunk(ptr: usize, len: i32): bool {
    const head = this.rawHead;
    if (head < 0) return false;
    const tail = this.rawTail, raw = changetype<usize>(this.raw);
    if (len < head + tail || !sameBytes(ptr, raw, head)) return false;
    const end = len - tail;
    if (!sameBytes(ptr + <usize>end, raw + <usize>head, tail) || plainStringEnd(ptr, head, len) != end) return false;
    this.chunkTextStart = head;
    this.chunkTextLength = end - head;
    return true;
  }

  /**
   * True when the event has the learned shape; `textCount`, `textStart` and `textLength` then
   * give its text (raw string content without escapes). False leaves the event to be read in full.
   */
  match(typePtr: usize, typeLen: i32, dataPtr: usize, dataLen: i32): bool {
    if (!this.known) return false;
    if (typeLen != this.name.length || !sameBytes(typePtr, this.name.dataStart, typeLen)) return false;
    return this.oneText(dataPtr, dataLen) || this.slotBySlot(dataPtr, dataLen);
  }

  /**
   * The common case, in three steps: the event equals the copy up to its only text and from the
   * text's closing quote on (so every other slot holds what it held), and the text between is
   * plain string bytes.
   */
  private oneText(dataPtr: usize, dataLen: i32): bool {
    if (this.texts1 < 0) return false;
    const base = this.copy.dataStart, total = this.copy.length;
    const head = unchecked(this.slotStart[this.texts1]);
    const tail = total - unchecked(this.slotEnd[this.texts1]);
    if (head + tail > dataLen || !sameBytes(base, dataPtr, head)) return false;
    const end = dataLen - tail;
    if (!sameBytes(base + <usize>(total - tail), dataPtr + <usize>end, tail)) return false;
    if (plainStringEnd(dataPtr, head, dataLen) != end) return false;
    unchecked(this.texts[0] = head);
    unchecked(this.texts[1] = end - head);
    this.textCount = 1;
    return true;
  }

  /** Every fixed run compared and every slot checked, in order. */
  private slotBySlot(dataPtr: usize, dataLen: i32): bool {
    const base = this.copy.dataStart;
    const total = this.copy.length;
    let from = 0; // next fixed byte in the copy
    let at = 0;   // the same place in the event
    let texts = 0;
    for (let s = 0, n = this.slots; s < n; s++) {
      const start = unchecked(this.slotStart[s]);
      const fixed = start - from;
      if (at + fixed > dataLen || !sameBytes(base + <usize>from, dataPtr + <usize>at, fixed)) return false;
      at += fixed;
      const valueStart = at;
      const kind = <Slot>unchecked(this.slotKind[s]);
      if (kind == Slot.Integer) {
        while (at < dataLen && <u32>load<u8>(dataPtr + <usize>at) - CharCode._0 < 10) at++;
        const len = at - valueStart;
        if (len == 0 || (len > 1 && load<u8>(dataPtr + <usize>valueStart) == CharCode._0)) return false;
      } else {
        at = plainStringEnd(dataPtr, at, dataLen);
        if (at < 0) return false;
        if (kind == Slot.Text) {
          unchecked(this.texts[texts << 1] = valueStart);
          unchecked(this.texts[(texts << 1) + 1] = at - valueStart);
          texts++;
        }
      }
      from = unchecked(this.slotEnd[s]);
    }
    // The bytes after the last slot, up to the end: the slot's terminator is compared here too.
    const rest = total - from;
    if (at + rest != dataLen || !sameBytes(base + <usize>from, dataPtr + <usize>at, rest)) return false;
    this.textCount = texts;
    return true;
  }
}

const WORD_TYPE: u32 = 0x65707974; // "type" little-endian
/** How `matchChunk`'s template begins: the SSE data field with its usual single space. */
const DATA_FIELD = "data: ";
const USAGE = "usage";
const USAGE_METADATA = "usageMetadata";
const ERROR = "error";

/** True for the keys whose values usage readers take: `usage`, `usageMetadata`, `error`. */
function isUsageKey(p: usize, n: i32): bool {
  return isAscii(p, n, USAGE) || isAscii(p, n, USAGE_METADATA) || isAscii(p, n, ERROR);
}

function isAscii(p: usize, n: i32, name: string): bool {
  if (n != name.length) return false;
  for (let i = 0; i < n; i++) if (<u32>load<u8>(p + <usize>i) != <u32>name.charCodeAt(i)) return false;
  return true;
}

/**
 * Offset of the first quote at or after `at` when every byte before it is plain string content
 * (no backslash, no control byte); -1 otherwise or when no quote comes.
 */
function plainStringEnd(ptr: usize, at: i32, len: i32): i32 {
  let i = at;
  while (i + 8 <= len) {
    const m = stopMask(load<u64>(ptr + <usize>i));
    if (m != 0) {
      i += <i32>(ctz(m) >> 3);
      return <u32>load<u8>(ptr + <usize>i) == CharCode.QUOTE ? i : -1;
    }
    i += 8;
  }
  while (i < len) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == CharCode.QUOTE) return i;
    if (c == CharCode.BACKSLASH || c < 0x20) return -1;
    i++;
  }
  return -1;
}

/** True when a span of `spans` is exactly [start, end). */
function isSpan(spans: TextSpans, start: i32, end: i32): bool {
  for (let i = 0; i < spans.length; i++) if (spans.start(i) == start && spans.end(i) == end) return true;
  return false;
}

// @ts-ignore: decorator
@inline function isSpace(c: u32): bool {
  return c == CharCode.SPACE || c == CharCode.TAB || c == CharCode.LF || c == CharCode.CR;
}

/** Bytes of a JSON number besides its digits. */
// @ts-ignore: decorator
@inline function isNumberByte(c: u32): bool {
  return c == CharCode.DOT || c == CharCode.PLUS || c == CharCode.MINUS || c == 0x65 || c == 0x45; // . + - e E
}
