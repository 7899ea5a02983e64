/**
 * @module test/rls/service.test
 * The test rate limit service over real gRPC, counting in the real Redis of
 * `bash test/services.sh start`: envoyproxy/ratelimit's fixed windows, keys and expiry,
 * hits_addend (request, descriptor, 0 = check), several descriptors at once, rule matching,
 * overrides, shadow mode, headers, concurrency across two replicas, and the slow/down switches.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RateLimitClient } from "./client.ts";
import { validateLimits, type DescriptorLimit } from "./limits.ts";
import { Code, Unit, type RateLimitDescriptor, type RateLimitResponse } from "./proto/rls.ts";
import { RedisClient, redisPort } from "./redis.ts";
import { startRateLimitService, type RateLimitService, type RateLimitServiceOptions } from "./service.ts";

const redis = await RedisClient.connect({ port: redisPort() });
const open: { svc: RateLimitService; client: RateLimitClient }[] = [];

const LIMITS: DescriptorLimit[] = [
  { entries: [{ key: "api_key" }], requestsPerUnit: 10, unit: "minute", name: "per-key" },
  { entries: [{ key: "api_key", value: "vip" }], requestsPerUnit: 1000, unit: "minute", name: "vip" },
  { entries: [{ key: "team" }, { key: "model" }], requestsPerUnit: 100, unit: "hour", name: "team-model" },
  { entries: [{ key: "burst" }], requestsPerUnit: 3, unit: "second", name: "burst" },
  { entries: [{ key: "daily" }], requestsPerUnit: 5, unit: "day", name: "daily" },
  { entries: [{ key: "shadow" }], requestsPerUnit: 2, unit: "minute", name: "shadow", shadowMode: true },
];

/** A fixed clock 10 s into a minute (and an hour, and a day), movable by tests. */
function movableClock(startMs = Date.UTC(2026, 0, 1, 0, 0, 10)) {
  let now = startMs;
  return { clock: () => now, advance: (ms: number) => (now += ms), set: (ms: number) => (now = ms) };
}

async function start(extra: Partial<RateLimitServiceOptions> = {}) {
  // A fixed clock unless the test brings its own: a window turning over mid-test cannot flake it.
  const svc = await startRateLimitService({ redisPort: redisPort(), limits: LIMITS, clock: movableClock().clock, ...extra });
  const client = new RateLimitClient(svc.address);
  open.push({ svc, client });
  return { svc, client };
}

const d = (entries: Record<string, string>, extra: Partial<RateLimitDescriptor> = {}): RateLimitDescriptor => ({
  entries: Object.entries(entries).map(([key, value]) => ({ key, value })),
  ...extra,
});

function ok(r: RateLimitResponse | { code: number; details: string }): RateLimitResponse {
  if (!("overallCode" in r)) throw new Error(`call failed: ${r.code} ${r.details}`);
  return r;
}

test("counts hits per window in Redis, goes OVER_LIMIT once the count passes the limit", async () => {
  const t = movableClock();
  const { svc, client } = await start({ clock: t.clock });
  const call = async (hits: number) => ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "k1" })], hitsAddend: hits }));

  let r = await call(3);
  assert.is(r.overallCode, Code.OK);
  assert.equal(r.statuses, [{
    code: Code.OK,
    currentLimit: { requestsPerUnit: 10, unit: Unit.MINUTE, name: "per-key" },
    limitRemaining: 7,
    durationUntilReset: { seconds: 50, nanos: 0 },
  }]);
  r = await call(7);
  assert.is(r.overallCode, Code.OK, "reaching the limit exactly is still OK");
  assert.is(r.statuses[0].limitRemaining, 0);
  r = await call(1);
  assert.is(r.overallCode, Code.OVER_LIMIT);
  assert.is(r.statuses[0].code, Code.OVER_LIMIT);
  assert.is(r.statuses[0].limitRemaining, 0);

  // envoyproxy/ratelimit's key: <prefix><domain>_<key>_<value>_<window start>, expiring with the window.
  const windowStart = Math.floor(t.clock() / 1000 / 60) * 60;
  const key = `${svc.keyPrefix}tollgate_api_key_k1_${windowStart}`;
  assert.equal(await redis.keys(svc.keyPrefix), [key]);
  assert.is(await redis.get(key), "11", "over-limit hits are still counted, as envoyproxy/ratelimit does");
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 50 && ttl <= 60, `ttl ${ttl}`);
});

test("hits_addend: request-level 0 counts 1; a descriptor's own value wins; descriptor 0 checks without spending", async () => {
  const { svc, client } = await start();
  const req = (descriptors: RateLimitDescriptor[], hitsAddend = 0) => client.call({ domain: "tollgate", descriptors, hitsAddend });
  let r = ok(await req([d({ api_key: "h" })]));
  assert.is(r.statuses[0].limitRemaining, 9, "unset request hits count as 1");
  r = ok(await req([d({ api_key: "h" }, { hitsAddend: 4 })], 100));
  assert.is(r.statuses[0].limitRemaining, 5, "the descriptor's 4 overrides the request's 100");
  r = ok(await req([d({ api_key: "h" }, { hitsAddend: 0 })], 100));
  assert.is(r.statuses[0].limitRemaining, 5, "0 checks only");
  assert.is(r.statuses[0].code, Code.OK);
  const [key] = await redis.keys(svc.keyPrefix);
  assert.is(await redis.get(key), "5");
  r = ok(await req([d({ api_key: "h" }, { hitsAddend: 6 })]));
  assert.is(r.overallCode, Code.OVER_LIMIT);
  r = ok(await req([d({ api_key: "h" }, { hitsAddend: 0 })]));
  assert.is(r.overallCode, Code.OVER_LIMIT, "a check sees the exhausted budget");
  assert.is(await redis.get(key), "11");
});

test("several descriptors: each gets its status, any over limit makes the whole request OVER_LIMIT, all are counted", async () => {
  const { svc, client } = await start();
  const descriptors = [d({ api_key: "multi" }), d({ team: "red", model: "gpt-4o" }), d({ unknown: "x" })];
  let r = ok(await client.call({ domain: "tollgate", descriptors, hitsAddend: 8 }));
  assert.is(r.overallCode, Code.OK);
  assert.equal(r.statuses.map((s) => s.limitRemaining), [2, 92, 0]);
  assert.equal(r.statuses[2], { code: Code.OK, limitRemaining: 0 }, "no rule: OK without a limit");
  r = ok(await client.call({ domain: "tollgate", descriptors, hitsAddend: 8 }));
  assert.is(r.overallCode, Code.OVER_LIMIT);
  assert.equal(r.statuses.map((s) => s.code), [Code.OVER_LIMIT, Code.OK, Code.OK]);
  assert.is(r.statuses[1].limitRemaining, 84, "the other limit was spent too");
  assert.is(r.statuses[1].currentLimit!.name, "team-model");
  assert.is((await redis.keys(svc.keyPrefix)).length, 2, "no key for the unmatched descriptor");
});

test("per-value counters, the most specific rule, other domains and limit overrides", async () => {
  const { svc, client } = await start();
  const one = async (desc: RateLimitDescriptor, domain = "tollgate") => ok(await client.call({ domain, descriptors: [desc], hitsAddend: 1 })).statuses[0];
  assert.is((await one(d({ api_key: "a" }))).limitRemaining, 9);
  assert.is((await one(d({ api_key: "b" }))).limitRemaining, 9, "each value has its own counter");
  const vip = await one(d({ api_key: "vip" }));
  assert.is(vip.currentLimit!.name, "vip", "an exact value beats the wildcard");
  assert.is(vip.limitRemaining, 999);
  assert.equal(await one(d({ api_key: "a" }), "other-domain"), { code: Code.OK, limitRemaining: 0 });
  assert.equal(await one(d({ team: "red" })), { code: Code.OK, limitRemaining: 0 }, "entry count must match");
  const o = await one(d({ anything: "x" }, { limit: { requestsPerUnit: 50, unit: Unit.HOUR } }));
  assert.equal(o.currentLimit, { requestsPerUnit: 50, unit: Unit.HOUR, name: "" });
  assert.is(o.limitRemaining, 49);
  assert.ok(o.durationUntilReset!.seconds > 0 && o.durationUntilReset!.seconds <= 3600);
  assert.is((await redis.keys(svc.keyPrefix)).length, 4);
});

test("windows are fixed per unit: the reset counts down and the next window starts from zero", async () => {
  const t = movableClock();
  const { client } = await start({ clock: t.clock });
  const hit = async (entries: Record<string, string>, hits = 1) => ok(await client.call({ domain: "tollgate", descriptors: [d(entries)], hitsAddend: hits })).statuses[0];
  assert.is((await hit({ api_key: "w" }, 10)).durationUntilReset!.seconds, 50);
  t.advance(49_500);
  const late = await hit({ api_key: "w" });
  assert.is(late.code, Code.OVER_LIMIT);
  assert.is(late.durationUntilReset!.seconds, 1);
  t.advance(600);
  const fresh = await hit({ api_key: "w" });
  assert.is(fresh.code, Code.OK, "a new minute, a new counter");
  assert.is(fresh.limitRemaining, 9);
  assert.is(fresh.durationUntilReset!.seconds, 60);

  for (const [key, seconds] of [["burst", 1], ["team", 3600 - 60], ["daily", 86400 - 60]] as [string, number][]) {
    const entries = key === "team" ? { team: "t", model: "m" } : { [key]: "v" };
    assert.is((await hit(entries)).durationUntilReset!.seconds, seconds, `${key} reset`);
  }
  t.advance(1000);
  assert.is((await hit({ burst: "v" }, 3)).limitRemaining, 0, "per-second window turned over");
});

test("shadow mode counts and reports but never refuses; response headers describe the tightest limit", async () => {
  const { client } = await start({ responseHeaders: true });
  const r1 = ok(await client.call({ domain: "tollgate", descriptors: [d({ shadow: "s" }), d({ api_key: "hd" })], hitsAddend: 5 }));
  assert.is(r1.overallCode, Code.OK);
  assert.equal(r1.statuses[0].code, Code.OK);
  assert.is(r1.statuses[0].limitRemaining, 0);
  assert.equal(r1.responseHeadersToAdd.map((h) => h.key), ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]);
  assert.equal(r1.responseHeadersToAdd.slice(0, 2).map((h) => h.value), ["2", "0"]);
  const { client: plain } = await start();
  assert.equal(ok(await plain.call({ domain: "tollgate", descriptors: [d({ api_key: "x" })], hitsAddend: 1 })).responseHeadersToAdd, []);
});

test("malformed and empty requests are refused with INVALID_ARGUMENT", async () => {
  const { client } = await start();
  const garbage = await client.callRaw(Uint8Array.from([0x0a, 0x05, 0x61]));
  assert.equal(garbage.ok, false);
  if (!garbage.ok) {
    assert.is(garbage.code, grpc.status.INVALID_ARGUMENT);
    assert.match(garbage.details, /malformed RateLimitRequest/);
  }
  const noDomain = await client.call({ domain: "", descriptors: [d({ api_key: "x" })], hitsAddend: 0 });
  assert.equal(noDomain, { code: grpc.status.INVALID_ARGUMENT, details: "rate limit domain must not be empty" });
  const noDescriptors = await client.call({ domain: "tollgate", descriptors: [], hitsAddend: 0 });
  assert.equal(noDescriptors, { code: grpc.status.INVALID_ARGUMENT, details: "rate limit descriptor list must not be empty" });
});

test("concurrent calls through two replicas sharing Redis admit exactly the budget", async () => {
  const keyPrefix = `tollgate-rls-test:${process.pid}:shared:`;
  const a = await start({ keyPrefix });
  const b = await start({ keyPrefix });
  const calls = Array.from({ length: 60 }, (_, i) =>
    (i % 2 ? a : b).client.call({ domain: "tollgate", descriptors: [d({ team: "race", model: "m" })], hitsAddend: 5 }));
  const results = (await Promise.all(calls)).map(ok);
  const admitted = results.filter((r) => r.overallCode === Code.OK).length;
  assert.is(admitted, 20, "100 per hour / 5 per call");
  const remaining = results.filter((r) => r.overallCode === Code.OK).map((r) => r.statuses[0].limitRemaining).sort((x, y) => x - y);
  assert.equal(remaining, Array.from({ length: 20 }, (_, i) => i * 5), "every admitted call saw a distinct count");
  assert.is(a.svc.received.length + b.svc.received.length, 60);
});

test("setLatency delays answers past a client's deadline; the late hit still lands", async () => {
  const { svc, client } = await start();
  svc.setLatency(600);
  const t0 = Date.now();
  const late = await client.call({ domain: "tollgate", descriptors: [d({ api_key: "slow" })], hitsAddend: 2 }, 100);
  assert.equal((late as any).code, grpc.status.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - t0 < 550, "the client gave up at its deadline, not when the answer came");
  await new Promise((r) => setTimeout(r, 650));
  svc.setLatency(0);
  const r = ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "slow" })], hitsAddend: 1 }));
  assert.is(r.statuses[0].limitRemaining, 7, "the timed-out call was still counted");
});

test("setDown refuses connections on the same port until brought back up", async () => {
  const { svc, client } = await start();
  assert.ok("overallCode" in (await client.call({ domain: "tollgate", descriptors: [d({ api_key: "dn" })], hitsAddend: 1 })));
  await svc.setDown(true);
  const down = await client.call({ domain: "tollgate", descriptors: [d({ api_key: "dn" })], hitsAddend: 1 }, 2000);
  assert.is((down as any).code, grpc.status.UNAVAILABLE);
  const fresh = new RateLimitClient(svc.address);
  assert.is(((await fresh.call({ domain: "tollgate", descriptors: [d({ api_key: "dn" })], hitsAddend: 1 }, 2000)) as any).code, grpc.status.UNAVAILABLE);
  fresh.close();
  await svc.setDown(false);
  const again = new RateLimitClient(svc.address);
  const r = ok(await again.call({ domain: "tollgate", descriptors: [d({ api_key: "dn" })], hitsAddend: 1 }));
  assert.is(r.statuses[0].limitRemaining, 8, "calls while down were not counted");
  again.close();
});

test("setDown('unavailable') answers UNAVAILABLE on an open port and recovers at once", async () => {
  const { svc, client } = await start();
  await svc.setDown("unavailable");
  const down = await client.call({ domain: "tollgate", descriptors: [d({ api_key: "un" })], hitsAddend: 1 });
  assert.equal(down, { code: grpc.status.UNAVAILABLE, details: "rate limit service is down" });
  await svc.setDown(false);
  const r = ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "un" })], hitsAddend: 1 }));
  assert.is(r.statuses[0].limitRemaining, 9, "the same client is served again, and nothing was counted while down");
});

test("a Redis that dies makes calls fail with UNAVAILABLE; the service recovers when it is back", async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tollgate-redis-"));
  const runRedis = () => spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  let proc = runRedis();
  try {
    await waitForRedis(port);
    const { svc, client } = await start({ redisPort: port, redisTimeoutMs: 500 });
    assert.is(ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "r" })], hitsAddend: 1 })).statuses[0].limitRemaining, 9);
    proc.kill("SIGKILL");
    await new Promise((r) => proc.once("exit", r));
    const failed = await client.call({ domain: "tollgate", descriptors: [d({ api_key: "r" })], hitsAddend: 1 });
    assert.is((failed as any).code, grpc.status.UNAVAILABLE);
    assert.match((failed as any).details, /^redis error: /);
    proc = runRedis();
    await waitForRedis(port);
    const back = ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "r" })], hitsAddend: 1 }));
    assert.is(back.statuses[0].limitRemaining, 9, "a fresh Redis starts from zero");
    await svc.close();
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    await startRateLimitService({ redisPort: port, limits: LIMITS });
    assert.unreachable("starting without Redis must fail");
  } catch (e) {
    assert.match((e as Error).message, /cannot connect to redis/);
  }
});

test("invalid limit configurations are refused with the field named", () => {
  const bad: [any, RegExp][] = [
    [[{ entries: [], requestsPerUnit: 1, unit: "minute" }], /limits\[0\]\.entries/],
    [[{ entries: [{ key: "" }], requestsPerUnit: 1, unit: "minute" }], /limits\[0\]\.entries\[0\]\.key/],
    [[{ entries: [{ key: "k" }], requestsPerUnit: -1, unit: "minute" }], /limits\[0\]\.requestsPerUnit/],
    [[{ entries: [{ key: "k" }], requestsPerUnit: 1, unit: "week" }], /limits\[0\]\.unit/],
  ];
  for (const [limits, re] of bad) assert.throws(() => validateLimits(limits), re);
});

test("close() stops the server and deletes the service's keys", async () => {
  const svc = await startRateLimitService({ redisPort: redisPort(), limits: LIMITS });
  const client = new RateLimitClient(svc.address);
  ok(await client.call({ domain: "tollgate", descriptors: [d({ api_key: "c" })], hitsAddend: 1 }));
  assert.is((await redis.keys(svc.keyPrefix)).length, 1);
  await svc.close();
  assert.is((await redis.keys(svc.keyPrefix)).length, 0);
  assert.is(((await client.call({ domain: "tollgate", descriptors: [d({ api_key: "c" })], hitsAddend: 1 }, 1000)) as any).code, grpc.status.UNAVAILABLE);
  client.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as any).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForRedis(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RedisClient.connect({ port, timeoutMs: 200 });
      await c.ping();
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

test.after(async () => {
  for (const { svc, client } of open) {
    client.close();
    await svc.close();
  }
  await redis.deleteByPrefix(`tollgate-rls-test:${process.pid}:`);
  redis.close();
});

test.run();
