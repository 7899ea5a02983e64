/**
 * @module test/soak/traffic
 * The soak's traffic, generated up front so the run measures the filters and not the generator:
 * a pool of requests (API shape, size, streamed or not, personal data, jailbreaks, chunking,
 * `content-length` or chunked) whose upstream answers are made once, from what the upstream
 * first receives; and the API key of each request — a few hot keys that run into token-limit's
 * 429s, and a cold walk that visits every one of the K keys once per cycle, so the whole key
 * population has been seen after about K / (1 - hot share) requests and keeps coming back.
 */
import { Random } from "./random.ts";
import { API_SHAPES, buildRequest, type RequestSpec } from "./requests.ts";
import type { Extra } from "./text.ts";
import { answer, type Misbehaviour, type UpstreamAnswer } from "./upstream.ts";

const encoder = new TextEncoder();

export interface PoolEntry {
  spec: RequestSpec;
  /** Pseudo-headers and headers, without the API key. */
  headers: [string, string][];
  bodyChunks: Uint8Array[];
  bodyBytes: number;
  misbehaviour: Misbehaviour;
  /** Filled the first time this request reaches the upstream. */
  answer: UpstreamAnswer | null;
  answerSeed: number;
}

/** Prompt sizes in bytes: mostly short chats, a tail of long documents. */
const SIZES: ReadonlyArray<readonly [[number, number], number]> = [
  [[40, 400], 45], [[400, 2_000], 30], [[2_000, 16_000], 20], [[16_000, 64_000], 5],
];

function requestChunks(r: Random, body: Uint8Array): Uint8Array[] {
  if (body.length <= 16_384 && r.chance(0.7)) return [body];
  const out: Uint8Array[] = [];
  for (let at = 0; at < body.length;) {
    const n = Math.min(body.length - at, r.range(1_024, 16_384));
    out.push(body.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** `size` requests drawn from the seed. */
export function buildPool(seed: number, size: number): PoolEntry[] {
  const r = new Random(seed);
  const pool: PoolEntry[] = [];
  for (let i = 0; i < size; i++) {
    const api = r.weighted(API_SHAPES.map((a) => [a, a === "openai-chat" ? 4 : 2] as const));
    const [lo, hi] = r.weighted(SIZES);
    const extra: Extra = r.weighted([["none", 90], ["pii", 9], ["injection", 1]] as const);
    const spec = buildRequest(r, api, r.range(lo, hi), r.chance(0.4), extra);
    const body = encoder.encode(spec.body);
    const headers: [string, string][] = [[":method", "POST"], [":path", spec.path], [":authority", "api.soak.local"], [":scheme", "https"], ...spec.headers];
    if (r.chance(0.7)) headers.push(["content-length", String(body.length)]);
    pool.push({
      spec, headers, bodyChunks: requestChunks(r, body), bodyBytes: body.length,
      misbehaviour: r.weighted([["none", 97], ["error", 1.5], ["cut", 1.5]] as const),
      answer: null, answerSeed: r.range(0, 0x7fffffff),
    });
  }
  return pool;
}

/**
 * The upstream's answer to this entry, for the body the upstream received (the chunks that reached
 * it): made once, reused while the body has the same length — the filters treat a pool entry the
 * same way every time, so only the first request pays for joining and answering it.
 */
export function answerFor(entry: PoolEntry, received: ReadonlyArray<{ bytes: Uint8Array }>): UpstreamAnswer {
  let length = 0;
  for (const c of received) length += c.bytes.length;
  if (entry.answer === null || entry.answer.forBytes !== length) {
    const body = received.length === 1 ? received[0].bytes : Buffer.concat(received.map((c) => c.bytes));
    entry.answer = answer(new Random(entry.answerSeed), entry.spec.path, body, entry.misbehaviour);
  }
  return entry.answer;
}

/** API keys: `hot` keys get `hotShare` of the traffic, the rest walks all `count` keys in a fixed order. */
export class KeySchedule {
  readonly names: string[];
  private readonly seen: Uint8Array;
  private cold = 0;
  private readonly stride: number;
  private readonly hot: number;
  distinct = 0;
  /** Requests issued when the last key was first used (0 until then). */
  allSeenAt = 0;
  private issued = 0;

  constructor(readonly count: number, private readonly r: Random, private readonly hotShare = 0.2) {
    this.names = Array.from({ length: count }, (_, i) => `key-${i.toString().padStart(6, "0")}`);
    this.seen = new Uint8Array(count);
    this.hot = Math.max(1, Math.min(50, Math.floor(count / 20)));
    // A stride coprime with count visits every key once per cycle, in an order unlike their names.
    let stride = Math.floor(count * 0.618) | 1;
    while (gcd(stride, count) !== 1) stride++;
    this.stride = stride;
  }

  next(): string {
    this.issued++;
    const k = this.r.chance(this.hotShare) ? this.r.range(0, this.hot - 1) : (this.cold++ * this.stride) % this.count;
    if (this.seen[k] === 0) {
      this.seen[k] = 1;
      if (++this.distinct === this.count) this.allSeenAt = this.issued;
    }
    return this.names[k];
  }
}

function gcd(a: number, b: number): number { return b === 0 ? a : gcd(b, a % b); }
