/**
 * @module test/fuzz/case
 * One fuzz case: a request and the upstream's response (headers, mutated bodies, the split
 * points of the chunked delivery) and how far the clock moves before it. Case `i` of run `seed`
 * is a pure function of (seed, i), and mutations can be left out by index for shrinking.
 */

import { generateRequest } from "./grammar.ts";
import { generateResponse } from "./responses.ts";
import { applyMutation, planMutations, randomSplits, type PlannedMutation } from "./mutate.ts";
import { Prng, caseSeed } from "./prng.ts";

export interface Message {
  headers: Record<string, string>;
  body: Uint8Array;
  /** Split offsets of the chunked delivery (empty: one chunk in both deliveries). */
  splits: number[];
}

export interface FuzzCase {
  path: string;
  request: Message;
  status: number;
  response: Message;
  /** Milliseconds the manual clock moves before the case (windows of token limits refill). */
  advanceMs: number;
}

const enc = new TextEncoder();

export interface MadeCase { fuzzCase: FuzzCase; mutations: PlannedMutation[] }

/** Case `index` of run `seed`, without the mutations whose indices are in `skip`. */
export function makeCase(seed: number, index: number, skip: ReadonlySet<number> = new Set()): MadeCase {
  const r = new Prng(caseSeed(seed, index));
  const reqR = r.fork(), resR = r.fork(), mutR = r.fork(), splitR = r.fork(), hdrR = r.fork();
  const req = generateRequest(reqR);
  const res = generateResponse(req, resR);
  const mutations = planMutations(mutR, res.framing === "sse");
  let reqBody: Uint8Array = enc.encode(req.body), resBody: Uint8Array = enc.encode(res.body);
  mutations.forEach((m, i) => {
    if (skip.has(i)) return;
    if (m.target === "request") reqBody = applyMutation(reqBody, m, Prng);
    else resBody = applyMutation(resBody, m, Prng);
  });

  const headers: Record<string, string> = {
    "content-type": hdrR.pick(["application/json", "application/json", "application/json; charset=utf-8", "text/plain"]),
    "x-api-key": `key-${hdrR.int(50)}`,
    "x-tenant": `team-${hdrR.int(5)}`,
  };
  if (hdrR.chance(0.05)) delete headers["content-type"];
  if (hdrR.chance(0.1)) headers["x-session"] = `s-${hdrR.int(10)}`;
  const resHeaders: Record<string, string> = {};
  if (res.contentType !== null) resHeaders["content-type"] = res.contentType;
  if (hdrR.chance(0.05)) resHeaders["content-encoding"] = "gzip";
  const advanceMs = hdrR.pick([0, 0, 0, 1_000, 61_000, 3_600_000]);
  return {
    fuzzCase: {
      path: req.path,
      request: { headers, body: reqBody, splits: randomSplits(reqBody.length, splitR) },
      status: res.status,
      response: { headers: resHeaders, body: resBody, splits: randomSplits(resBody.length, splitR) },
      advanceMs,
    },
    mutations,
  };
}
