/**
 * @module filters/token-limit/limits.test
 * Local limits through the built filter: reservations held while requests are in flight and
 * replaced by actual usage, several limits at once (per key, per team), the 429 and the
 * `x-ratelimit-*` headers, sliding windows on the manual clock, four workers racing, a CAS race
 * retried without losing either update, and 100,000 distinct keys in a bounded slot table.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Host, HttpStream } from "../../harness/index.ts";
import { PATHS, chatResponse, exchange, loadLimiter, requestHeaders } from "./test-support.ts";

const T0 = Date.UTC(2026, 0, 1); // a whole minute: sub-buckets of a 60 s window start at T0 + 6 s·k

/** Output-only cost makes a reservation exactly the output cap. */
const perKey = (tokens: number, extra: Record<string, unknown> = {}) =>
  ({ name: "per-key", key: { headers: ["x-api-key"] }, tokens, window: "60s", cost: { input: 0, output: 1 }, ...extra });

const ask = (maxTokens: number) => JSON.stringify({ model: "gpt-4o-mini", max_tokens: maxTokens, messages: [{ role: "user", content: "hi" }] });

/** Sends the request only (it stays in flight). */
function start(host: Host, key: string, maxTokens: number, extra: Record<string, string> = {}, worker?: number): HttpStream {
  const body = ask(maxTokens);
  const s = host.stream(worker !== undefined ? { worker } : undefined);
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], { "x-api-key": key, ...extra }, body), false);
  s.sendRequestBody(body, true);
  return s;
}

/** Completes an in-flight request with reported usage. */
function complete(s: HttpStream, input: number, output: number): void {
  s.sendResponseHeaders({ ":status": "200", "content-type": "application/json" }, false);
  s.sendResponseBody(chatResponse(input, output), true);
}

function errorOf(s: HttpStream): { message: string; type: string; code: string } {
  return JSON.parse(Buffer.from(s.localResponse!.body).toString()).error;
}

test("reserve: in-flight requests hold their output cap; the third is refused before spending anything", async () => {
  const host = await loadLimiter({ limits: [perKey(1000)] }, { startTime: T0 });
  const a = start(host, "k1", 400), b = start(host, "k1", 400);
  assert.is(a.localResponse, null);
  assert.is(b.localResponse, null);
  assert.ok(a.upstream.endOfStream && b.upstream.endOfStream, "both reached the upstream");
  const c = start(host, "k1", 400);
  assert.is(c.localResponse?.status, 429);
  assert.is(c.upstream.headers, null, "the refused request never reached the upstream");
  // The reservations sit in the sub-bucket [0 s, 6 s), which leaves the ring at 66 s.
  assert.is(c.localResponse?.headers.get("retry-after"), "66");
  assert.is(c.localResponse?.headers.get("x-ratelimit-remaining-tokens"), "200");
  const e = errorOf(c);
  assert.is(e.type, "tokens");
  assert.is(e.code, "rate_limit_exceeded");
  assert.match(e.message, '"per-key"');
  // Another key has its own budget.
  assert.is(start(host, "k2", 400).localResponse, null);
  // a ends with 50 output tokens: its 400 reserved become 50, so 400 fit again (400 + 50 + 400 ≤ 1000).
  complete(a, 10, 50);
  assert.is(a.client.headers?.get("x-ratelimit-limit-tokens"), "1000");
  assert.is(a.client.headers?.get("x-ratelimit-remaining-tokens"), "600");
  assert.is(a.client.headers?.get("x-ratelimit-reset-tokens"), "1m6s");
  const d = start(host, "k1", 400);
  assert.is(d.localResponse, null);
  complete(d, 10, 400);
  assert.is(d.client.headers?.get("x-ratelimit-remaining-tokens"), "150");
  assert.is(host.metric("tollgate.token_limit.rejected.per-key")?.value, 1);
});

test("a stream cut before its response releases its reservation", async () => {
  const host = await loadLimiter({ limits: [perKey(1000)] }, { startTime: T0 });
  const a = start(host, "k", 900);
  assert.is(start(host, "k", 900).localResponse?.status, 429);
  a.reset();
  assert.is(start(host, "k", 900).localResponse, null);
});

test("admission spend: only an exhausted budget refuses; actual usage is charged", async () => {
  const host = await loadLimiter({ admission: "spend", limits: [perKey(1000)] }, { startTime: T0 });
  const a = start(host, "k", 5000);
  assert.is(a.localResponse, null, "the cap is not reserved");
  complete(a, 0, 1200);
  const b = start(host, "k", 1);
  assert.is(b.localResponse?.status, 429);
  assert.is(b.localResponse?.headers.get("x-ratelimit-remaining-tokens"), "0");
});

test("several limits: per key and per team both must admit; the refusal names the team limit", async () => {
  const host = await loadLimiter({ limits: [perKey(1000), { name: "per-team", key: { headers: ["x-team"] }, tokens: 1500, window: "1h", cost: { input: 0, output: 1 } }] }, { startTime: T0 });
  const a = start(host, "alice", 100, { "x-team": "red" });
  complete(a, 0, 800);
  const b = start(host, "bob", 100, { "x-team": "red" });
  complete(b, 0, 600);
  const c = start(host, "bob", 200, { "x-team": "red" });
  assert.is(c.localResponse?.status, 429);
  assert.match(errorOf(c).message, '"per-team"');
  // bob's per-key reservation was given back when the team refused: 600 + 350 fits bob's 1000.
  const d = start(host, "bob", 350, { "x-team": "blue" });
  assert.is(d.localResponse, null);
  // Without the team header only the per-key limit applies.
  assert.is(start(host, "carol", 900).localResponse, null);
});

test("weights: cache reads at 0.1, output at 4", async () => {
  const host = await loadLimiter({ limits: [{ name: "w", tokens: 10000, window: "60s", cost: { input: 1, output: 4, cacheRead: 0.1 } }] }, { startTime: T0 });
  const body = JSON.stringify({ model: "gpt-4o-mini", max_tokens: 0, messages: [{ role: "user", content: "hi" }] });
  const usage = JSON.stringify({ choices: [], usage: { prompt_tokens: 2100, completion_tokens: 100, total_tokens: 2200, prompt_tokens_details: { cached_tokens: 2000 } } });
  const s = await exchange(host, { body, responseChunks: [usage] });
  // 100 plain input + 0.1 · 2000 cached + 4 · 100 output = 700
  assert.is(s.client.headers?.get("x-ratelimit-remaining-tokens") !== undefined, true);
  const next = await exchange(host, { body, responseChunks: ["{}"] });
  assert.is(next.client.headers?.get("x-ratelimit-remaining-tokens"), String(10000 - 700 - Number(next.property("tollgate.input_tokens"))));
});

test("sliding window: tokens spent late in a minute still count after the minute turns, then leave", async () => {
  const host = await loadLimiter({ limits: [perKey(1000)] }, { startTime: T0 });
  host.advance(50_000);
  complete(start(host, "k", 600), 0, 600);
  host.advance(15_000); // t = 65 s: a fixed window would have reset at 60 s
  const r = start(host, "k", 500);
  assert.is(r.localResponse?.status, 429);
  // The 600 sit in the sub-bucket [48 s, 54 s), which leaves the ring at 114 s: 49 s from now.
  assert.is(r.localResponse?.headers.get("retry-after"), "49");
  host.advance(48_000); // 113 s
  assert.is(start(host, "k", 500).localResponse?.status, 429);
  host.advance(1_000); // 114 s
  assert.is(start(host, "k", 500).localResponse, null);
});

test("no double budget at a window edge: a full budget at 59 s blocks until 59 s + 60 s", async () => {
  const host = await loadLimiter({ limits: [perKey(1000)] }, { startTime: T0 });
  host.advance(59_000);
  complete(start(host, "k", 1000), 0, 1000);
  host.advance(2_000);
  assert.is(start(host, "k", 1).localResponse?.status, 429, "61 s: still within 60 s of the spend");
  host.advance(57_000);
  assert.is(start(host, "k", 1).localResponse?.status, 429, "118 s");
  host.advance(2_000);
  assert.is(start(host, "k", 1).localResponse, null, "120 s: the sub-bucket [54 s, 60 s) has left");
});

test("four workers racing on one key never admit more than the budget", async () => {
  const host = await loadLimiter({ limits: [perKey(10_000)] }, { startTime: T0, workers: 4 });
  const streams: HttpStream[] = [];
  for (let i = 0; i < 40; i++) streams.push(start(host, "shared", 1000, {}, i % 4));
  const admitted = streams.filter((s) => s.localResponse === null);
  assert.is(admitted.length, 10);
  assert.equal(new Set(admitted.map((_, i) => i % 4)).size, 4);
  for (const s of admitted) complete(s, 0, 500);
  const more: HttpStream[] = [];
  for (let i = 0; i < 12; i++) more.push(start(host, "shared", 1000, {}, (i * 3) % 4));
  assert.is(more.filter((s) => s.localResponse === null).length, 5);
  assert.is(host.failed, false);
});

test("a CAS race (another worker writes between our read and our write) is retried and loses neither update", async () => {
  const host = await loadLimiter({ limits: [perKey(1000)] }, { startTime: T0, workers: 2 });
  assert.is(start(host, "k", 300, {}, 1).localResponse, null, "worker 1 reserves 300: the slot exists");
  const store = host.environment.shared;
  const set = store.set.bind(store);
  let raced = 0, mismatches = 0;
  // Worker 0's next write finds the slot changed under it, as if worker 1 had reserved 100 more
  // between worker 0's read and write (the value: 11 pairs of i64 sub-bucket, i64 tokens).
  store.set = (vmId: string, key: string, value: Uint8Array, cas: number) => {
    if (raced === 0 && key.startsWith("tollgate.token-limit/")) {
      raced++;
      const other = Buffer.from(store.get(vmId, key)!.value);
      let newest = 0;
      for (let i = 1; i < 11; i++) if (other.readBigInt64LE(i * 16) > other.readBigInt64LE(newest * 16)) newest = i;
      other.writeBigInt64LE(other.readBigInt64LE(newest * 16 + 8) + 100n, newest * 16 + 8);
      set(vmId, key, new Uint8Array(other), 0);
    }
    const status = set(vmId, key, value, cas);
    if (status !== 0) mismatches++;
    return status;
  };
  assert.is(start(host, "k", 300, {}, 0).localResponse, null);
  store.set = set;
  assert.is(raced, 1);
  assert.is(mismatches, 1, "the first write was refused by the CAS and retried");
  // 300 + 100 + 300 are held: 300 more fit, 301 do not.
  assert.is(start(host, "k", 301).localResponse?.status, 429);
  assert.is(start(host, "k", 300).localResponse, null);
});

test("100,000 distinct API keys: shared data stays within the slot table and memory stays flat", async () => {
  const host = await loadLimiter({ slots: 1024, limits: [perKey(1_000_000)] }, { startTime: T0 });
  const run = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const s = start(host, `key-${i}`, 10);
      complete(s, 0, 5);
    }
  };
  await run(0, 2_000);
  const pagesBefore = host.memoryPages()[0];
  const entriesBefore = host.sharedData.size;
  await run(2_000, 100_000);
  const pagesAfter = host.memoryPages()[0];
  const entries = host.sharedData.size;
  assert.ok(entries <= 1024, `${entries} shared-data keys for 100,000 API keys`);
  let bytes = 0;
  for (const [, v] of host.sharedData) bytes += v.bytes.length;
  assert.ok(bytes <= 1024 * 176, `${bytes} bytes of shared data`);
  assert.is(pagesAfter, pagesBefore, `wasm memory ${pagesBefore} → ${pagesAfter} pages`);
  console.log(`  100,000 keys: shared data ${entriesBefore} → ${entries} keys (${bytes} bytes), wasm memory ${pagesBefore} → ${pagesAfter} pages`);
});

test.run();
