/**
 * @module controller/dev/mock-llm/stream
 * Writes a stream's frames to the socket one at a time — each frame its own write, so it
 * leaves as its own chunk — pausing between frames when asked, honouring backpressure,
 * and stopping at once when the client goes away or the server closes.
 */
import type { ServerResponse } from "node:http";
import type { Frame } from "./apis/api.ts";

/** How a stream ended. */
export type StreamEnd = "finished" | "failed" | "cut" | "aborted";

export interface StreamPlan {
  frames: Frame[];
  delayMs: number;
  /** After this many content frames, write `errorFrame` and end (`x-mock-fail-after`). */
  failAfter: number | null;
  /** After this many content frames, destroy the socket (`x-mock-disconnect-after`). */
  disconnectAfter: number | null;
  errorFrame(framesWritten: number): string;
  signal: AbortSignal;
  /** Called after each frame is handed to the socket. */
  onFrame(framesWritten: number): void;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The frame index at which a switch counting `k` content frames fires: the (k+1)-th content
 * frame, or just after the last one when the answer has k pieces or fewer.
 */
export function switchIndex(frames: Frame[], k: number): number {
  let seen = 0;
  let afterLast = 0;
  for (let i = 0; i < frames.length; i++) {
    if (!frames[i].content) continue;
    if (seen === k) return i;
    seen++;
    afterLast = i + 1;
  }
  return afterLast;
}

/** Waits for the socket to take more data, the response to close, or the stream to be aborted. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
    signal.addEventListener("abort", done);
  });
}

async function write(res: ServerResponse, data: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  // A false return means the socket buffer is full: wait rather than pile the stream up in memory.
  if (!res.write(data)) await drained(res, signal);
  return !signal.aborted && !res.destroyed;
}

export async function writeStream(res: ServerResponse, plan: StreamPlan): Promise<StreamEnd> {
  const { frames, signal } = plan;
  const failAt = plan.failAfter === null ? -1 : switchIndex(frames, plan.failAfter);
  const cutAt = plan.disconnectAfter === null ? -1 : switchIndex(frames, plan.disconnectAfter);
  for (let i = 0; i <= frames.length; i++) {
    if (i > 0 && (i < frames.length || i === failAt || i === cutAt) && !(await pause(plan.delayMs, signal))) return "aborted";
    if (i === cutAt) {
      // destroySoon flushes what was written, then closes: the client sees a body cut mid-stream.
      res.socket?.destroySoon();
      return "cut";
    }
    if (i === failAt) {
      if (!(await write(res, plan.errorFrame(i), signal))) return "aborted";
      plan.onFrame(i + 1);
      res.end();
      return "failed";
    }
    if (i === frames.length) break;
    if (!(await write(res, frames[i].data, signal))) return "aborted";
    plan.onFrame(i + 1);
  }
  res.end();
  return "finished";
}
