/**
 * @module controller/dev/mock-llm/switches
 * The knobs that make the mock slow, failing, chunky or usage-less. Defaults come from
 * the CLI flags (or `startMockLlm` options); each request may override them with an
 * `x-mock-*` header. A malformed header is the client's mistake and is answered with a
 * 400 naming the header, so a typo never silently turns a switch off.
 */
import type { IncomingHttpHeaders } from "node:http";

/** Behaviour of one response. Every field has a default; headers override per request. */
export interface Switches {
  /** Pause before the response headers are sent (`x-mock-latency-ms`). */
  latencyMs: number;
  /** Answer with this status and the provider's error body instead of a completion (`x-mock-fail`). */
  failStatus: number | null;
  /** Streams: after this many content events, send the provider's in-stream error and end (`x-mock-fail-after`). */
  failAfter: number | null;
  /** Streams: after this many content events, cut the connection without ending the stream (`x-mock-disconnect-after`). */
  disconnectAfter: number | null;
  /** Report no usage at all, streamed or not (`x-mock-no-usage: true`). */
  noUsage: boolean;
  /** Number of answer pieces (= streamed content events = completion tokens) (`x-mock-chunks`); null: one per word. */
  chunks: number | null;
  /** Pause between two stream events (`x-mock-chunk-delay-ms`). */
  chunkDelayMs: number;
  /** Answer with this text instead of the echo sentence (`x-mock-answer`). */
  answer: string | null;
}

export const DEFAULT_SWITCHES: Readonly<Switches> = Object.freeze({
  latencyMs: 0,
  failStatus: null,
  failAfter: null,
  disconnectAfter: null,
  noUsage: false,
  chunks: null,
  chunkDelayMs: 0,
  answer: null,
});

/** Upper bounds keep a typo (`x-mock-chunks: 1000000000`) from turning into a load loop. */
const MAX_DELAY_MS = 600_000;
const MAX_CHUNKS = 100_000;

/** The header for each switch, documented in README's mock-llm section. */
export const SWITCH_HEADERS = {
  latencyMs: "x-mock-latency-ms",
  failStatus: "x-mock-fail",
  failAfter: "x-mock-fail-after",
  disconnectAfter: "x-mock-disconnect-after",
  noUsage: "x-mock-no-usage",
  chunks: "x-mock-chunks",
  chunkDelayMs: "x-mock-chunk-delay-ms",
  answer: "x-mock-answer",
} as const satisfies Record<keyof Switches, string>;

/** A switch value that cannot be used; `source` names the header or option. */
export class SwitchError extends Error {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "SwitchError";
  }
}

function parseInteger(source: string, raw: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) throw new SwitchError(source, `expected a whole number, got '${raw}'`);
  const n = Number(text);
  if (n < min || n > max) throw new SwitchError(source, `expected a number from ${min} to ${max}, got ${n}`);
  return n;
}

/** Parses a switch value given as text (header or CLI flag). */
export function parseSwitch<K extends keyof Switches>(key: K, source: string, raw: string): Switches[K] {
  let value: unknown;
  switch (key) {
    case "latencyMs":
    case "chunkDelayMs":
      value = parseInteger(source, raw, 0, MAX_DELAY_MS);
      break;
    case "failStatus":
      value = parseInteger(source, raw, 400, 599);
      break;
    case "failAfter":
    case "disconnectAfter":
      value = parseInteger(source, raw, 0, MAX_CHUNKS);
      break;
    case "chunks":
      value = parseInteger(source, raw, 1, MAX_CHUNKS);
      break;
    case "noUsage": {
      const text = raw.trim().toLowerCase();
      if (text !== "true" && text !== "false") throw new SwitchError(source, `expected true or false, got '${raw}'`);
      value = text === "true";
      break;
    }
    case "answer":
      value = raw;
      break;
  }
  return value as Switches[K];
}

/** Checks switches given programmatically (e.g. `startMockLlm({defaults})`) with the same bounds as headers. */
export function checkSwitches(partial: Partial<Switches>, source = "defaults"): Switches {
  const out: Switches = { ...DEFAULT_SWITCHES };
  for (const key of Object.keys(partial) as (keyof Switches)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (key === "answer") {
      if (value !== null && typeof value !== "string") throw new SwitchError(`${source}.${key}`, "expected a string or null");
      out.answer = value as string | null;
    } else if (key === "noUsage") {
      if (typeof value !== "boolean") throw new SwitchError(`${source}.${key}`, "expected a boolean");
      out.noUsage = value;
    } else if (value === null && (key === "failStatus" || key === "failAfter" || key === "disconnectAfter" || key === "chunks")) {
      out[key] = null;
    } else if (!(key in DEFAULT_SWITCHES)) {
      throw new SwitchError(`${source}.${key}`, "unknown switch");
    } else {
      (out as unknown as Record<string, unknown>)[key] = parseSwitch(key, `${source}.${key}`, String(value));
    }
  }
  return out;
}

/** The defaults with any `x-mock-*` request headers applied. Throws SwitchError for a bad header. */
export function switchesFor(headers: IncomingHttpHeaders, defaults: Switches): Switches {
  const out: Switches = { ...defaults };
  for (const key of Object.keys(SWITCH_HEADERS) as (keyof Switches)[]) {
    const name = SWITCH_HEADERS[key];
    const raw = headers[name];
    if (raw === undefined) continue;
    const text = Array.isArray(raw) ? raw.join(",") : raw;
    (out as unknown as Record<string, unknown>)[key] = parseSwitch(key, name, text);
  }
  return out;
}
