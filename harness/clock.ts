/**
 * @module harness/clock
 * Time for the host: wall and monotonic clocks plus timers (ticks, callout timeouts).
 * The manual clock only moves when a test calls `advance(ms)`, firing due timers in time
 * order, so tick and timeout behaviour is deterministic; the real clock uses Node timers
 * (for the dev gateway).
 */

export interface Timer { readonly at: number; cancel(): void }

export interface Clock {
  readonly kind: "manual" | "real";
  /** Wall-clock time in milliseconds since the epoch. */
  wallMs(): number;
  /** Monotonic time in nanoseconds. */
  monotonicNs(): bigint;
  /** Runs `fn` after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): Timer;
}

interface ManualTimer extends Timer { fn: () => void; seq: number; cancelled: boolean }

export class ManualClock implements Clock {
  readonly kind = "manual";
  private nowMs = 0;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(private readonly epochMs: number = Date.UTC(2026, 0, 1)) {}

  wallMs(): number { return this.epochMs + this.nowMs; }
  monotonicNs(): bigint { return BigInt(Math.round(this.nowMs * 1e6)); }
  /** Milliseconds advanced since the clock was created. */
  get elapsedMs(): number { return this.nowMs; }

  setTimer(ms: number, fn: () => void): Timer {
    const t: ManualTimer = { at: this.nowMs + Math.max(0, ms), fn, seq: this.seq++, cancelled: false, cancel: () => { t.cancelled = true; } };
    this.timers.push(t);
    return t;
  }

  /** Moves time forward, firing each due timer at its own instant (timers armed by a timer fire too). */
  advance(ms: number, afterEach: () => void = () => {}): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
      afterEach();
    }
    this.nowMs = target;
  }

  pendingTimers(): number { return this.timers.filter((t) => !t.cancelled).length; }
}

export class RealClock implements Clock {
  readonly kind = "real";
  private readonly origin = process.hrtime.bigint();
  wallMs(): number { return Date.now(); }
  monotonicNs(): bigint { return process.hrtime.bigint() - this.origin; }
  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref?.();
    return { at: Date.now() + ms, cancel: () => clearTimeout(handle) };
  }
}
