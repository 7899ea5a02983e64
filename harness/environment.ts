/**
 * @module harness/environment
 * What several plugins on one Envoy share: the clock, the process-wide shared data and
 * queues, the stats store, and the event loop that delivers asynchronous events (callout
 * responses, queue notifications) only after the current VM call has returned — never
 * re-entrantly, as Envoy's dispatcher does.
 */
import { ManualClock, RealClock, type Clock } from "./clock.ts";
import { SharedStore } from "./shared-store.ts";

export type StatType = "counter" | "gauge" | "histogram";
export interface Stat { name: string; type: StatType; value: bigint; samples: bigint[] }

export interface EnvironmentOptions {
  /** "manual" (default: time moves only with `advance`) or "real", or your own Clock. */
  clock?: "manual" | "real" | Clock;
  /** Wall-clock start of a manual clock, ms since the epoch (default 2026-01-01T00:00:00Z). */
  startTime?: number;
}

export class Environment {
  readonly clock: Clock;
  readonly shared = new SharedStore();
  /** Envoy's stat store: one stat per name, shared by every VM and worker. */
  readonly stats = new Map<string, Stat>();
  private events: Array<() => void> = [];
  private depth = 0;
  private inflight = new Set<Promise<unknown>>();

  constructor(options: EnvironmentOptions = {}) {
    const c = options.clock ?? "manual";
    this.clock = c === "manual" ? new ManualClock(options.startTime) : c === "real" ? new RealClock() : c;
  }

  /** Runs host work; events posted meanwhile are delivered once the outermost work returns. */
  run<T>(fn: () => T): T {
    this.depth++;
    try { return fn(); } finally {
      this.depth--;
      if (this.depth === 0) this.drain();
    }
  }

  /** Queues an event for delivery after the current call (immediately when idle). */
  post(fn: () => void): void {
    this.events.push(fn);
    if (this.depth === 0) this.drain();
  }

  private drain(): void {
    while (this.events.length > 0) {
      const fn = this.events.shift()!;
      this.depth++;
      try { fn(); } finally { this.depth--; }
    }
  }

  /** Tracks asynchronous work (real callouts) so that `settle()` can wait for it. */
  track(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  /** Waits until every asynchronous callout has been answered and delivered. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Advances a manual clock, firing ticks and callout timeouts due meanwhile. */
  advance(ms: number): void {
    if (!(this.clock instanceof ManualClock)) throw new Error("advance() needs the manual clock");
    this.clock.advance(ms);
  }

  stat(name: string, type: StatType): Stat {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = { name, type, value: 0n, samples: [] }));
    return s;
  }
}
