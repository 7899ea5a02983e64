/**
 * @module test/bench-modules/floor.test
 * The host-call floor makes token-limit's host calls and nothing else: on both of the token-limit
 * bench's exchanges its trace has, callback by callback, the same calls by kind, count, sizes and
 * status as token-limit's (and the same callback results), on the same shared-data keys; a route-
 * keyed limit (a property read) is followed too. The comparison catches a floor that drifts, the
 * script's key recovery follows the CAS chain, a malformed script is refused, and memory stays
 * flat (what the host writes lands in one reused block).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host, HostLoadError } from "../../harness/index.ts";
import type { TraceEntry } from "../../harness/vm.ts";
import { build } from "../../scripts/build.ts";
import { BENCH_CONFIG } from "../../filters/token-limit/test-support.ts";
import { FLOOR_WASM, benchExchange, checkFloor, deriveFloor, loadFloor, loadTokenLimit, runExchange } from "./token-limit-floor.ts";
import { callsByCallback, floorScript, hostCallProfile } from "./floor-script.ts";

await build(["token-limit", "bench-floor"]);
const KEEP_TRACE = { options: { traceLimit: 100_000 } };

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  try { await p; } catch (e) { assert.match(String(e), message); return; }
  assert.unreachable("resolved");
}

/** Host calls by kind per callback, e.g. `request_body: get_buffer_bytes×1 set_shared_data×2 …`. */
function countsByCallback(trace: TraceEntry[]): string[] {
  return callsByCallback(trace).map(({ callback, calls }) => {
    const n = new Map<string, number>();
    for (const c of calls) n.set(c.name, (n.get(c.name) ?? 0) + 1);
    return `${callback}: ${[...n].sort().map(([k, v]) => `${k}×${v}`).join(" ")}`;
  });
}

for (const streaming of [false, true]) {
  const x = benchExchange(streaming);
  test(`${x.name}: the floor makes token-limit's host calls, callback by callback`, async () => {
    const { script, profile, outside } = await deriveFloor(x);
    assert.is(outside, 0, "token-limit makes no host call outside the stream during an exchange");
    const limiter = await loadTokenLimit(KEEP_TRACE);
    for (let i = 0; i < 2; i++) runExchange(limiter, x);
    const expected = runExchange(limiter, x).trace();
    const floor = await loadFloor(script, KEEP_TRACE);
    for (let i = 0; i < 2; i++) runExchange(floor, x);
    const got = runExchange(floor, x).trace();

    // By kind and count per callback, then in order with sizes, statuses and callback results.
    assert.equal(countsByCallback(got), countsByCallback(expected));
    assert.equal(hostCallProfile(got), hostCallProfile(expected));
    assert.equal(hostCallProfile(expected), profile, "the bench's own trace of token-limit is the one compared");
    const calls = got.filter((e) => e.kind === "hostcall");
    assert.is(calls.length, script.calls);
    assert.ok(calls.every((c) => c.result === 0), "every call succeeds, every shared-data CAS included");
    if (streaming) assert.ok(calls.length > 200, `${calls.length} calls: one body read per chunk at least`);

    // The same shared-data keys, values of the same size.
    assert.equal([...floor.sharedData.keys()].sort(), [...limiter.sharedData.keys()].sort());
    assert.equal([...floor.sharedData.values()].map((v) => v.bytes.length), [...limiter.sharedData.values()].map((v) => v.bytes.length));
    assert.equal(floor.misuse(), []);
    assert.not.ok(floor.failed);
  });
}

test("a limit keyed on the route (a property read) is followed too", async () => {
  const x = benchExchange(false);
  const t = {
    config: { ...BENCH_CONFIG, limits: [...BENCH_CONFIG.limits, { name: "per-route", key: { route: true }, tokens: 1_000_000_000, window: "60s" }] },
    options: { properties: { "xds.route_name": "chat-route" } },
  };
  const { script, profile } = await deriveFloor(x, t);
  assert.ok(profile.some((l) => l.includes("get_property(14)→0")), profile.join("\n"));
  assert.equal(script.placeholders.filter((p) => p.includes("property")), []);
  await checkFloor(script, x, profile, t);
});

test("the check catches a floor that drifts: one call fewer, or one callback more", async () => {
  const x = benchExchange(true);
  const { script, profile } = await deriveFloor(x);
  const lines = script.text.split("\n");
  const noClock = { ...script, text: lines.filter((l, i) => !(l === "time" && i === lines.lastIndexOf("time"))).join("\n") };
  await rejects(checkFloor(noClock, x, profile), /drifted from token-limit at callback/);
  const extraChunk = { ...script, text: script.text.replace("cb response_body 199 0", "cb response_body 200 0") };
  await rejects(checkFloor(extraChunk, x, profile), /drifted/);
  await checkFloor(script, x, profile);
});

test("shared-data keys follow the CAS chain, even when two keys have the same length", () => {
  // Before: key A written with cas 5, B with cas 6 (the store's counter is at 6). The request
  // writes A then B (new cas 7 and 8); the response writes B first (cas 8), then A (cas 7).
  const entry = (kind: "callback" | "hostcall", name: string, args: Array<number | bigint>, result = 0): TraceEntry => ({ seq: 0, kind, name, context: 2, args, result });
  const get = () => entry("hostcall", "env.proxy_get_shared_data", [100, 5, 8, 16, 24]);
  const set = (cas: number) => entry("hostcall", "env.proxy_set_shared_data", [100, 5, 200, 176, cas]);
  const trace = [
    entry("callback", "proxy_on_request_body", [2, 10, 1]), get(), set(5), get(), set(6),
    entry("callback", "proxy_on_response_body", [2, 10, 1]), get(), set(8), get(), set(7),
  ];
  const s = floorScript({ trace, sharedBefore: new Map([["key-a", { cas: 5 }], ["key-b", { cas: 6 }]]), headers: new Map(), filterState: new Map() });
  const ops = s.text.split("\n").filter((l) => l.startsWith("shared_") || l.startsWith("key "));
  assert.equal(ops, [
    `key ${Buffer.from("key-a").toString("hex")}`, `key ${Buffer.from("key-b").toString("hex")}`,
    "shared_get 0", "shared_set 0 176 1", "shared_get 1", "shared_set 1 176 1",
    "shared_get 1", "shared_set 1 176 1", "shared_get 0", "shared_set 0 176 1",
  ]);
  assert.equal(s.placeholders, []);
});

test("a host call or callback the floor cannot replay stops the derivation with its name", () => {
  const trace: TraceEntry[] = [
    { seq: 1, kind: "callback", name: "proxy_on_request_headers", context: 2, args: [2, 3, 0], result: 0 },
    { seq: 2, kind: "hostcall", name: "env.proxy_send_local_response", context: 2, args: [429, 0, 0, 0, 0, 0, 0, -1], result: 0 },
  ];
  assert.throws(() => floorScript({ trace, sharedBefore: new Map(), headers: new Map(), filterState: new Map() }), /no replay for host call env.proxy_send_local_response/);
  assert.throws(() => callsByCallback([{ ...trace[0], name: "proxy_on_http_call_response" }]), /no replay for callback proxy_on_http_call_response/);
});

test("a malformed script is refused at configure, never a trap", async () => {
  const bad = [
    "", "pairs 0\n", "cb request_headers 1 0\nteleport 3\n", "cb request_headers 1 0\npairs\n", "cb nowhere 1 0\n",
    "cb request_headers 0 0\n", "cb request_headers 1 0\nshared_get 0\n", "key 6\n", "key zz\n",
    "metric 3\n", "cb request_headers 1 0\nmetric_inc 0 1\n", "cb request_body 1 0\nbuffer_get 0 0 99999999999\n",
  ];
  for (const config of bad) {
    try {
      await Host.load(FLOOR_WASM, { pluginConfig: config });
      assert.unreachable(`loaded with ${JSON.stringify(config)}`);
    } catch (e) {
      assert.instance(e, HostLoadError, String(e));
      assert.match((e as Error).message, "proxy_on_configure returned false");
    }
  }
});

test("memory stays flat: what the host writes lands in one reused block", async () => {
  const x = benchExchange(true);
  const { script } = await deriveFloor(x);
  const floor = await loadFloor(script);
  for (let i = 0; i < 20; i++) runExchange(floor, x);
  const before = floor.memoryPages();
  for (let i = 0; i < 300; i++) runExchange(floor, x);
  assert.equal(floor.memoryPages(), before);
});

test.run();
