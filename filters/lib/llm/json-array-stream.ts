/**
 * @module filters/lib/llm/json-array-stream
 * `JsonArrayStream`: splits Gemini's `streamGenerateContent` response without `alt=sse` — one
 * JSON array delivered incrementally, elements pretty-printed over many lines and separated by
 * a comma on its own line — into complete elements as bytes arrive, whatever the chunking.
 * A string-aware bracket-depth counter finds where each element ends; it does not validate the
 * element (feed it to `UsageAccumulator.event` / `OutputTextReader.event`, which do). If the
 * stream is cut, the elements completed so far have been delivered and `closed` stays false.
 * Memory is bounded: an element larger than `maxElementBytes` is a `TooLarge` error.
 *
 * @example
 *   arr.push(ptr, len);
 *   for (let el = arr.next(); el; el = arr.next()) acc.eventBytes(null, el);
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { ByteBuffer } from "../bytes";

const enum State { BeforeArray, BetweenElements, InElement, InString, InEscape, Closed }

export class JsonArrayStream {
  /** `None`, `UnexpectedByte` (not an array, garbage between elements) or `TooLarge`; then input is refused. */
  error: LibError = LibError.None;
  /** The closing `]` arrived. */
  closed: bool = false;
  private state: State = State.BeforeArray;
  private depth: i32 = 0;
  private current: ByteBuffer = new ByteBuffer(256);
  private ready: Uint8Array[] = [];
  private readIndex: i32 = 0;

  constructor(public maxElementBytes: i32 = 1 << 20) {}

  reset(): void {
    this.error = LibError.None;
    this.closed = false;
    this.state = State.BeforeArray;
    this.depth = 0;
    this.current.reset();
    this.ready.length = 0;
    this.readIndex = 0;
  }

  /** Feeds the next bytes; returns the number of complete elements waiting, or -1 after an error. */
  push(ptr: usize, len: i32): i32 {
    if (this.error != LibError.None) return -1;
    if (this.readIndex >= this.ready.length) { this.ready.length = 0; this.readIndex = 0; }
    let i = 0;
    let runStart = -1; // start in this chunk of the element bytes not yet copied
    while (i < len) {
      const c = <u32>load<u8>(ptr + <usize>i);
      switch (this.state) {
        case State.BeforeArray:
          if (c == CharCode.LBRACKET) this.state = State.BetweenElements;
          else if (!isSpace(c) && !(c == 0xef || c == 0xbb || c == 0xbf)) return this.fail(LibError.UnexpectedByte);
          break;
        case State.BetweenElements:
          if (c == CharCode.RBRACKET) { this.state = State.Closed; this.closed = true; }
          else if (c != CharCode.COMMA && !isSpace(c)) {
            this.state = State.InElement;
            this.depth = 0;
            runStart = i;
            continue; // re-read this byte as the element's first
          }
          break;
        case State.InElement:
          if (c == CharCode.QUOTE) this.state = State.InString;
          else if (c == CharCode.LBRACE || c == CharCode.LBRACKET) this.depth++;
          else if (c == CharCode.RBRACE || c == CharCode.RBRACKET) {
            if (this.depth == 0) { // `]` closing the array right after a scalar element
              if (!this.emit(ptr, runStart, i)) return -1;
              runStart = -1;
              this.state = State.Closed;
              this.closed = true;
              break;
            }
            this.depth--;
            if (this.depth == 0) {
              if (!this.emit(ptr, runStart, i + 1)) return -1;
              runStart = -1;
              this.state = State.BetweenElements;
            }
          } else if (c == CharCode.COMMA && this.depth == 0) {
            if (!this.emit(ptr, runStart, i)) return -1;
            runStart = -1;
            this.state = State.BetweenElements;
          }
          break;
        case State.InString:
          if (c == CharCode.BACKSLASH) this.state = State.InEscape;
          else if (c == CharCode.QUOTE) this.state = State.InElement;
          break;
        case State.InEscape:
          this.state = State.InString;
          break;
        case State.Closed:
          if (!isSpace(c)) return this.fail(LibError.TrailingData);
          break;
      }
      if (runStart < 0 && (this.state == State.InElement || this.state == State.InString || this.state == State.InEscape)) runStart = i;
      i++;
    }
    if (runStart >= 0) {
      if (this.current.length + (len - runStart) > this.maxElementBytes) return this.fail(LibError.TooLarge);
      this.current.append(ptr + <usize>runStart, len - runStart);
    }
    return this.ready.length - this.readIndex;
  }

  /** The next complete element, or null. */
  next(): Uint8Array | null {
    if (this.readIndex >= this.ready.length) return null;
    return unchecked(this.ready[this.readIndex++]);
  }

  /** Completes the element ending at `end` (exclusive) in this chunk. */
  private emit(ptr: usize, runStart: i32, end: i32): bool {
    const start = runStart < 0 ? 0 : runStart;
    if (this.current.length + (end - start) > this.maxElementBytes) { this.fail(LibError.TooLarge); return false; }
    this.current.append(ptr + <usize>start, end - start);
    // Trailing whitespace of a scalar element is not part of it.
    let n = this.current.length;
    while (n > 0 && isSpace(<u32>this.current.at(n - 1))) n--;
    const el = new Uint8Array(n);
    memory.copy(el.dataStart, this.current.dataStart, <usize>n);
    this.ready.push(el);
    this.current.reset();
    return true;
  }

  private fail(code: LibError): i32 {
    this.error = code;
    return -1;
  }
}

// @ts-ignore: decorator
@inline function isSpace(c: u32): bool {
  return c == CharCode.SPACE || c == CharCode.LF || c == CharCode.CR || c == CharCode.TAB;
}
