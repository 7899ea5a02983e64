/**
 * @module filters/lib/test/sse-driver
 * Feeds a byte stream to the wasm SSE parser in given chunks and collects the events, for the
 * SSE unit and property tests.
 */
import type { LibModule } from "./wasm.ts";

export interface Event { type: string; id: string; retry: number; complete: boolean; data: string }

function drain(lib: LibModule, out: Event[]) {
  while (lib.exports.sseNext()) {
    const b = lib.output();
    const parts: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < b.length && parts.length < 4; i++) if (b[i] === 0) { parts.push(b.subarray(start, i)); start = i + 1; }
    parts.push(b.subarray(start));
    const d = new TextDecoder();
    out.push({ type: d.decode(parts[0]), id: d.decode(parts[1]), retry: Number(d.decode(parts[2])), complete: parts[3][0] === 0x31, data: d.decode(parts[4]) });
  }
}

/** Runs the whole stream through a fresh parser, split at `cuts` (sorted offsets). */
export function parseChunks(lib: LibModule, bytes: Uint8Array, cuts: number[], end = true, maxEventBytes = 1 << 20) {
  lib.exports.sseNew(maxEventBytes);
  const events: Event[] = [];
  let prev = 0;
  let failed = false;
  for (const c of [...cuts, bytes.length]) {
    const p = lib.put(bytes.subarray(prev, c));
    const r = lib.exports.ssePush(p.ptr, p.len);
    lib.free(p);
    if (r < 0) { failed = true; break; }
    drain(lib, events);
    prev = c;
  }
  if (end && !failed) { lib.exports.sseEnd(); drain(lib, events); }
  return { events, error: lib.exports.sseError() as number, comments: lib.exports.sseComments() as number };
}

export function randomCuts(len: number, rand: () => number, maxChunks = 12): number[] {
  const n = Math.floor(rand() * maxChunks);
  const cuts = new Set<number>();
  for (let i = 0; i < n; i++) cuts.add(Math.floor(rand() * (len + 1)));
  return [...cuts].sort((a, b) => a - b);
}
