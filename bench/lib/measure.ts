/**
 * @module bench/lib/measure
 * Times a function: a short warm-up, then calls in growing batches until both a minimum
 * duration and a minimum iteration count are reached (with a hard iteration cap so every loop
 * is bounded), best of a few rounds. Reports ops/s, µs/op and, given the bytes one call processes, MB/s.
 */

export interface MeasureOptions {
  /** Bytes processed by one call (enables `mbPerSec`). */
  bytes?: number;
  /** Minimum measured time in milliseconds (default 250, or BENCH_MIN_MS). */
  minTimeMs?: number;
  /** Minimum number of measured calls (default 5). */
  minIterations?: number;
  /** Hard cap on measured calls per round (default 10,000,000). */
  maxIterations?: number;
  /** Rounds to run; the fastest is reported, which filters out noise from other processes (default 3). */
  rounds?: number;
}

export interface Measurement {
  iterations: number;
  seconds: number;
  opsPerSec: number;
  usPerOp: number;
  /** Decimal megabytes (10^6 bytes) per second; NaN when `bytes` was not given. */
  mbPerSec: number;
}

/** Prevents the optimiser from discarding results: every call's value is folded into it. */
export let sink = 0;

function fold(v: unknown): void {
  if (typeof v === "number") sink = (sink + v) | 0;
  else if (typeof v === "bigint") sink = (sink + Number(v & 0xffffn)) | 0;
  else if (v) sink = (sink + 1) | 0;
}

export function measure(fn: () => unknown, options: MeasureOptions = {}): Measurement {
  let best: Measurement | null = null;
  for (let r = 0, n = options.rounds ?? 3; r < n; r++) {
    const m = measureOnce(fn, options);
    if (!best || m.opsPerSec > best.opsPerSec) best = m;
  }
  return best!;
}

/**
 * Measures several functions in interleaved rounds (a, b, c, a, b, c, …) and keeps each one's
 * best round, so a burst of load from other processes hits every contender alike: use it for
 * a subject and its baselines. Options apply to every function; `bytes` may differ per entry.
 */
export function measureAll(entries: { fn: () => unknown; bytes?: number }[], options: MeasureOptions = {}): Measurement[] {
  const best: (Measurement | null)[] = entries.map(() => null);
  for (let r = 0, n = options.rounds ?? 3; r < n; r++) {
    entries.forEach((e, i) => {
      const m = measureOnce(e.fn, { ...options, bytes: e.bytes ?? options.bytes });
      if (!best[i] || m.opsPerSec > best[i]!.opsPerSec) best[i] = m;
    });
  }
  return best as Measurement[];
}

function measureOnce(fn: () => unknown, options: MeasureOptions): Measurement {
  const minNs = BigInt(Math.round((options.minTimeMs ?? Number(process.env.BENCH_MIN_MS ?? 250)) * 1e6));
  const minIterations = options.minIterations ?? 5;
  const maxIterations = options.maxIterations ?? 10_000_000;
  // Warm-up: let the JIT (and wasm tier-up) settle.
  const warmStart = process.hrtime.bigint();
  for (let i = 0; i < 1000 && process.hrtime.bigint() - warmStart < minNs / 4n; i++) fold(fn());

  let iterations = 0;
  let batch = 1;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (iterations < maxIterations) {
    for (let i = 0; i < batch; i++) fold(fn());
    iterations += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed >= minNs && iterations >= minIterations) break;
    if (batch < 1 << 16) batch *= 2;
    if (iterations + batch > maxIterations) batch = Math.max(1, maxIterations - iterations);
  }
  const seconds = Number(elapsed) / 1e9;
  const opsPerSec = iterations / seconds;
  return {
    iterations,
    seconds,
    opsPerSec,
    usPerOp: 1e6 / opsPerSec,
    mbPerSec: options.bytes ? (options.bytes * opsPerSec) / 1e6 : NaN,
  };
}
