/**
 * @module controller/provider/backoff
 * Capped exponential backoff with jitter, for retrying API calls, watches and reconciles:
 * base × 2^attempt, at most `max`, each delay drawn between half and all of it so that
 * replicas do not retry in step.
 */
export class Backoff {
  private attempt = 0;
  constructor(private readonly baseMs = 200, private readonly maxMs = 30_000, private readonly random = Math.random) {}

  /** The next delay, growing until `max`. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    if (this.baseMs * 2 ** this.attempt < this.maxMs) this.attempt++;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
