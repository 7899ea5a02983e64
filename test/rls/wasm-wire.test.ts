/**
 * @module test/rls/wasm-wire.test
 * The end-to-end wire check: requests built and encoded by the AssemblyScript codec (run in
 * wasm, as the token-limit filter will) are accepted by the test rate limit service over real
 * gRPC with counters in the real Redis, and the service's real answers decode in wasm to what
 * the service meant — through a whole budget's life: spend, check without spending, exhaust.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadProto } from "../../filters/lib/proto/test/wasm.ts";
import { RateLimitClient } from "./client.ts";
import { Code, decodeResponse, Unit, type RateLimitRequest } from "./proto/rls.ts";
import { redisPort } from "./redis.ts";
import { RLS_PATH, startRateLimitService } from "./service.ts";

const m = await loadProto();
const svc = await startRateLimitService({
  redisPort: redisPort(),
  responseHeaders: true,
  clock: () => Date.UTC(2026, 0, 1, 12, 30, 15), // fixed: no window turns over between calls
  limits: [
    { entries: [{ key: "api_key" }], requestsPerUnit: 1000, unit: "minute", name: "per-key tokens" },
    { entries: [{ key: "team" }, { key: "model" }], requestsPerUnit: 5000, unit: "hour", name: "per-team-model" },
  ],
});
const client = new RateLimitClient(svc.address);

/** Encodes in wasm, calls the service, decodes the answer in wasm; also returns what the service received. */
async function roundTrip(req: RateLimitRequest) {
  const bytes = m.encode(req);
  const before = svc.received.length;
  const r = await client.callRaw(bytes);
  if (!r.ok) throw new Error(`call failed: ${r.code} ${r.details}`);
  const decoded = m.decode(r.bytes);
  assert.ok(decoded.ok, `wasm could not decode the service's answer: error ${decoded.error} at ${decoded.errorAt}`);
  return { received: svc.received[before], json: decoded.json, ts: decodeResponse(r.bytes) };
}

test("the service reads exactly what the wasm encoder wrote (domain, entries, hits, overrides)", async () => {
  const req: RateLimitRequest = {
    domain: "tollgate",
    descriptors: [
      { entries: [{ key: "api_key", value: "sk-élan-€1" }], hitsAddend: 250 },
      { entries: [{ key: "team", value: "blue" }, { key: "model", value: "claude-sonnet" }] },
      { entries: [{ key: "route", value: "/v1/chat" }], limit: { requestsPerUnit: 77, unit: Unit.SECOND } },
    ],
    hitsAddend: 40,
  };
  const { received } = await roundTrip(req);
  assert.equal(received, req);
});

test("spend, check and exhaust a budget: wasm decodes every real answer", async () => {
  const desc = (hits?: number) => ({ entries: [{ key: "api_key", value: "e2e" }], ...(hits === undefined ? {} : { hitsAddend: hits }) });
  let r = await roundTrip({ domain: "tollgate", descriptors: [desc()], hitsAddend: 600 });
  assert.is(r.json.overallCode, Code.OK);
  assert.is(r.json.statuses[0].code, Code.OK);
  assert.is(r.json.statuses[0].limitRemaining, 400);
  assert.equal(r.json.statuses[0].currentLimit, { requestsPerUnit: 1000, unit: Unit.MINUTE, name: "per-key tokens" });
  const reset = Number(r.json.statuses[0].durationUntilReset.seconds);
  assert.is(reset, 45);
  assert.is(r.json.statuses[0].resetMillis, String(reset * 1000));
  assert.equal(r.json.responseHeadersToAdd, [
    { key: "RateLimit-Limit", value: "1000" },
    { key: "RateLimit-Remaining", value: "400" },
    { key: "RateLimit-Reset", value: String(reset) },
  ]);

  r = await roundTrip({ domain: "tollgate", descriptors: [desc(0)], hitsAddend: 0 });
  assert.is(r.received.descriptors[0].hitsAddend, 0, "the empty wrapper arrived as 0 hits");
  assert.is(r.json.statuses[0].limitRemaining, 400, "a check spends nothing");

  r = await roundTrip({ domain: "tollgate", descriptors: [desc(400)], hitsAddend: 0 });
  assert.is(r.json.overallCode, Code.OK);
  assert.is(r.json.statuses[0].limitRemaining, 0);

  r = await roundTrip({ domain: "tollgate", descriptors: [desc(), { entries: [{ key: "team", value: "t" }, { key: "model", value: "m" }] }], hitsAddend: 1 });
  assert.is(r.json.overallCode, Code.OVER_LIMIT);
  assert.equal(r.json.statuses.map((s: any) => s.code), [Code.OVER_LIMIT, Code.OK]);
  assert.equal(r.json.statuses.map((s: any) => s.limitRemaining), [0, 4999]);
  // The wasm view equals the independent TypeScript decoding of the same bytes.
  assert.is(r.json.statuses[1].currentLimit.name, r.ts.statuses[1].currentLimit!.name);
  assert.equal(r.json.responseHeadersToAdd.map((h: any) => h.value).slice(0, 2), ["1000", "0"]);
});

test("the wasm codec names the same gRPC service and method the service serves", () => {
  m.exports.rlsPath();
  assert.is("/" + m.outputText(), RLS_PATH);
});

test("the encoder module never logged an abort", () => {
  assert.equal(m.logs, []);
});

test.after(async () => {
  client.close();
  await svc.close();
});

test.run();
