/**
 * @module filters/lib/test/exports-wrappers
 * Thin exports over the safe wrappers and small helpers that the topic exports do not reach
 * (string and byte-array variants, flags, capacity behaviour), so every public function is
 * exercised from the tests.
 */
import { ByteBuffer } from "../bytes";
import { SseParser } from "../sse";
import { xxh64, xxh64String, xxh64Bytes } from "../hash";
import { parseDurationString } from "../duration";
import { estimateTokens, estimateTokensBytes } from "../tokens";
import { PhraseMatcherBuilder, MatchList } from "../matcher";
import { isValidUtf8Bytes } from "../utf8";
import { JsonScanner } from "../json/scanner";
import { JsonKey } from "../json/key";
import { stringBytes } from "../json/values";
import { setField } from "../json/patcher";
import { output } from "./common";

function copy(ptr: usize, len: i32): Uint8Array {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return b;
}
function text(ptr: usize, len: i32): string { return String.UTF8.decodeUnsafe(ptr, <usize>len, false); }

/** 1 when the first event of the stream has type `name`. */
export function wrapSseIsType(ptr: usize, len: i32, namePtr: usize, nameLen: i32): i32 {
  const p = new SseParser();
  p.pushBytes(copy(ptr, len));
  p.end();
  const ev = p.next();
  return ev !== null && ev.isType(text(namePtr, nameLen)) ? 1 : 0;
}

/** 1 when the string, byte-array and pointer forms of XXH64 agree. */
export function wrapHashForms(ptr: usize, len: i32, seed: u64): i32 {
  const a = xxh64(ptr, <usize>len, seed);
  return a == xxh64Bytes(copy(ptr, len), seed) && a == xxh64String(text(ptr, len), seed) ? 1 : 0;
}

export function wrapDurationString(ptr: usize, len: i32): i64 {
  const d = parseDurationString(text(ptr, len));
  return d.ok ? d.millis : -<i64>d.error;
}

/** 1 when the byte-array estimator agrees with the pointer form. */
export function wrapEstimateForms(ptr: usize, len: i32): i32 {
  return estimateTokens(ptr, len, false) == estimateTokensBytes(copy(ptr, len)) ? 1 : 0;
}

/** Matches of "a" in `len` bytes with a list of capacity 2: returns kept * 1000 + dropped. */
export function wrapMatchCapacity(ptr: usize, len: i32): i32 {
  const b = new PhraseMatcherBuilder();
  b.add("a");
  const m = b.build()!;
  const hits = new MatchList(2);
  m.scanBytes(copy(ptr, len), hits);
  return hits.length * 1000 + hits.dropped;
}

export function wrapValidUtf8(ptr: usize, len: i32): i32 { return isValidUtf8Bytes(copy(ptr, len)) ? 1 : 0; }

/** The decoded string at `pos` via `stringBytes`, into the output buffer; -1 on error. */
export function wrapStringBytes(ptr: usize, len: i32, pos: i32): i32 {
  const sc = new JsonScanner().resetBytes(copy(ptr, len));
  const b = stringBytes(sc, pos);
  output.reset();
  if (b === null) return -1;
  output.appendBytes(b!);
  return output.length;
}

export function wrapSetField(ptr: usize, len: i32, keyPtr: usize, keyLen: i32, valuePtr: usize, valueLen: i32): i32 {
  const r = setField(copy(ptr, len), new JsonKey(text(keyPtr, keyLen)), copy(valuePtr, valueLen));
  output.reset();
  if (!r.ok) return -<i32>r.error;
  output.appendBytes(r.body!);
  return output.length;
}

/** Grows a ByteBuffer from capacity 1 through `n` pushes/appends; 1 when content and length are right. */
export function wrapBufferGrowth(n: i32): i32 {
  const b = new ByteBuffer(1);
  for (let i = 0; i < n; i++) {
    if (i % 3 == 0) b.push(<u32>(i & 0xff));
    else { const one = new Uint8Array(1); one[0] = <u8>(i & 0xff); b.appendBytes(one); }
  }
  if (b.length != n) return 0;
  const bytes = b.toBytes();
  for (let i = 0; i < n; i++) if (bytes[i] != <u8>(i & 0xff) || b.at(i) != <u8>(i & 0xff)) return 0;
  if (b.at(-1) != 0 || b.at(n) != 0) return 0;
  const cap = b.capacity;
  b.reset();
  b.appendString("héllo");
  return (cap < 6 || b.capacity == cap) && b.toString() == "héllo" && b.length == 6 ? 1 : 0;
}
