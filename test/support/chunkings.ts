/**
 * @module test/support/chunkings
 * Ways to split a body into the chunks a peer sends (one body callback each), shared by the
 * filter tests so every filter meets the same variants: every byte boundary for small bodies,
 * seeded random chunkings for large ones.
 *
 * @example
 *   for (const { name, chunks } of chunkings(body)) { const s = await host.run({ request: { headers, bodyChunks: chunks } }); … }
 */

export interface Chunking {
  /** Says how the body was cut, for assertion messages. */
  name: string;
  chunks: Uint8Array[];
}

const toBytes = (b: string | Uint8Array) => (typeof b === "string" ? new TextEncoder().encode(b) : b);

/** The whole body, then one cut at every byte boundary (two chunks), then one byte per chunk. */
export function everyBoundary(body: string | Uint8Array): Chunking[] {
  const b = toBytes(body);
  const out: Chunking[] = [{ name: "whole", chunks: [b] }];
  for (let i = 1; i < b.length; i++) out.push({ name: `cut at ${i}`, chunks: [b.subarray(0, i), b.subarray(i)] });
  if (b.length > 1) out.push({ name: "byte by byte", chunks: Array.from(b, (_, i) => b.subarray(i, i + 1)) });
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failing chunking can be replayed by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random chunkings (chunk sizes 1 byte to `maxChunk`), seeded. */
export function randomChunkings(body: string | Uint8Array, count = 20, seed = 1, maxChunk = 4096): Chunking[] {
  const b = toBytes(body);
  const out: Chunking[] = [];
  for (let n = 0; n < count; n++) {
    const rnd = prng(seed + n);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < b.length;) {
      const size = 1 + Math.floor(rnd() * Math.min(maxChunk, b.length));
      chunks.push(b.subarray(i, i + size));
      i += size;
    }
    out.push({ name: `random #${n} (seed ${seed + n}, ${chunks.length} chunks)`, chunks });
  }
  return out;
}

/** Every boundary for bodies up to `smallLimit` bytes, random chunkings above. */
export function chunkings(body: string | Uint8Array, smallLimit = 512): Chunking[] {
  const b = toBytes(body);
  return b.length <= smallLimit ? everyBoundary(b) : [{ name: "whole", chunks: [b] }, ...randomChunkings(b)];
}
