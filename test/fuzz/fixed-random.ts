/**
 * @module test/fuzz/fixed-random
 * Randomness is an input like the clock: the two runners of a case must draw the same numbers,
 * or a filter's random choice (model-router's weighted split without a sticky value) would look
 * like a chunking difference. The harness serves WASI `random_get` from `crypto.randomFillSync`;
 * in the fuzz process that function fills every buffer with the same fixed bytes, so every VM
 * seeds its PRNG alike and draws the same sequence for the same sequence of requests.
 */

import { createRequire, syncBuiltinESMExports } from "node:module";

const crypto = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");

/** Fills `buf` with a fixed, length-independent byte stream (a small LCG from one constant). */
function fixedFill<T extends ArrayBufferView>(buf: T, offset = 0, size?: number): T {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = size === undefined ? bytes.length : offset + size;
  let x = 0x2545f491;
  for (let i = offset; i < end; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
  return buf;
}

let installed = false;
/** Installs the fixed bytes for this process (idempotent). */
export function fixRandomness(): void {
  if (installed) return;
  installed = true;
  (crypto as { randomFillSync: unknown }).randomFillSync = fixedFill;
  syncBuiltinESMExports();
}
