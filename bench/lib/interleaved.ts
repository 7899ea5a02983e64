/**
 * @module bench/lib/interleaved
 * Times several functions, sync or async, in interleaved batches (a, b, c, a, b, c, …) so that a
 * burst of load from other processes on a shared machine hits each alike. Each function first
 * runs for `warmupMs` (so the JIT and V8's wasm tier-up are done), then gets a batch size that
 * takes about `batchMs`; then `rounds` batches each, taking turns. The median batch is reported
 * (robust to a few slow batches) beside the fastest.
 */

export interface Timed {
  /** Median µs per call over the rounds. */
  usPerOp: number;
  /** Fastest round's µs per call. */
  bestUsPerOp: number;
  calls: number;
}

type Fn = () => unknown;

async function batch(fn: Fn, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  return Number(process.hrtime.bigint() - t0) / 1e3;
}

export async function measureInterleaved(fns: Fn[], options: { rounds?: number; batchMs?: number; warmupMs?: number; maxBatch?: number } = {}): Promise<Timed[]> {
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 15);
  const batchUs = (options.batchMs ?? Number(process.env.BENCH_BATCH_MS ?? 40)) * 1e3;
  const maxBatch = options.maxBatch ?? 200_000;
  const warmupUs = (options.warmupMs ?? Number(process.env.BENCH_WARMUP_MS ?? 300)) * 1e3;
  for (const fn of fns) {
    for (let spent = 0, n = 1; spent < warmupUs && n <= maxBatch; n *= 2) spent += await batch(fn, n);
  }
  // Warm-up and batch sizing: double until a batch takes a quarter of the target.
  const sizes: number[] = [];
  for (const fn of fns) {
    let n = 1;
    for (;;) {
      const us = await batch(fn, n);
      if (us >= batchUs / 4 || n >= maxBatch) { sizes.push(Math.max(1, Math.min(maxBatch, Math.round((n * batchUs) / Math.max(us, 1))))); break; }
      n *= 2;
    }
  }
  const perOp: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) perOp[i].push((await batch(fns[i], sizes[i])) / sizes[i]);
  }
  return perOp.map((xs, i) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { usPerOp: sorted[Math.floor(sorted.length / 2)], bestUsPerOp: sorted[0], calls: sizes[i] * rounds };
  });
}
