/**
 * @module filters/token-limit/global.test
 * Global limits through a real rate limit service (test/rls: gRPC on @grpc/grpc-js, counters in
 * the real Redis of `bash test/services.sh start`): the check spends nothing, the report at the
 * end spends the actual tokens, a reservation larger than what remains is refused, and the
 * service being down or slow is handled by `failureMode` within the timeout.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startRateLimitService, type RateLimitService } from "../../test/rls/service.ts";
import { redisPort } from "../../test/rls/redis.ts";
import type { Host } from "../../harness/index.ts";
import { chatResponse, exchange, loadLimiter, requestHeaders } from "./test-support.ts";

const services: RateLimitService[] = [];
async function service(): Promise<RateLimitService> {
  const svc = await startRateLimitService({ redisPort: redisPort(), limits: [] });
  services.push(svc);
  return svc;
}

const global = (failureMode: string, cluster = "ratelimit", timeout = "500ms") => ({
  rateLimitService: { cluster, domain: "tollgate", timeout, failureMode },
  limits: [{ name: "team-global", key: { headers: ["x-team"] }, tokens: 1000, window: "1m", cost: { input: 0, output: 1 }, scope: "global" }],
});

const ask = (maxTokens: number) => JSON.stringify({ model: "gpt-4o-mini", max_tokens: maxTokens, messages: [{ role: "user", content: "hi" }] });

async function load(svc: RateLimitService, failureMode = "FailOpen", timeout = "500ms"): Promise<Host> {
  return loadLimiter(global(failureMode, "ratelimit", timeout), { clusters: { ratelimit: `grpc://${svc.address}` } });
}

test("check spends nothing, the end reports the actual tokens, and a reservation over what remains is refused", async () => {
  const svc = await service();
  const host = await load(svc);
  const a = await exchange(host, { headers: { "x-team": "red" }, body: ask(400), responseChunks: [chatResponse(7, 600)] });
  assert.is(a.localResponse, null);
  assert.is(a.upstream.bodyText, ask(400));
  await host.settle();
  const [check, report] = svc.received;
  assert.equal(check.descriptors, [{ entries: [{ key: "team-global", value: "red" }], limit: { requestsPerUnit: 1000, unit: 2 }, hitsAddend: 0 }]);
  assert.equal(report.descriptors[0].hitsAddend, 600);
  assert.is(a.client.headers?.get("x-ratelimit-limit-tokens"), "1000");
  assert.is(a.client.headers?.get("x-ratelimit-remaining-tokens"), "1000");

  const b = await exchange(host, { headers: { "x-team": "red" }, body: ask(500) });
  assert.is(b.localResponse?.status, 429);
  assert.is(b.localResponse?.headers.get("x-ratelimit-remaining-tokens"), "400");
  assert.match(JSON.parse(Buffer.from(b.localResponse!.body).toString()).error.message, '"team-global"');
  assert.ok(Number(b.localResponse?.headers.get("retry-after")) >= 1);
  // Another team is counted apart.
  const c = await exchange(host, { headers: { "x-team": "blue" }, body: ask(500), responseChunks: [chatResponse(1, 1)] });
  assert.is(c.localResponse, null);
  // A second gateway replica shares the counters through the service.
  const replica = await load(svc);
  const d = await exchange(replica, { headers: { "x-team": "red" }, body: ask(300), responseChunks: [chatResponse(1, 1)] });
  assert.is(d.localResponse, null);
  assert.is(d.client.headers?.get("x-ratelimit-remaining-tokens"), "400");
});

test("service down: FailOpen admits (and counts the failure), FailClosed answers 503", async () => {
  const svc = await service();
  await svc.setDown("unavailable");
  const open = await load(svc, "FailOpen");
  const a = await exchange(open, { headers: { "x-team": "t" }, body: ask(10), responseChunks: [chatResponse(1, 1)] });
  assert.is(a.localResponse, null);
  assert.ok(a.upstream.endOfStream);
  assert.ok((open.metric("tollgate.token_limit.rls_failures")?.value ?? 0) >= 1);
  const closed = await load(svc, "FailClosed");
  const b = await exchange(closed, { headers: { "x-team": "t" }, body: ask(10) });
  assert.is(b.localResponse?.status, 503);
  assert.is(b.upstream.headers, null);
  assert.is(JSON.parse(Buffer.from(b.localResponse!.body).toString()).error.code, "rate_limit_service_unavailable");
  await svc.setDown(true);
  const c = await exchange(closed, { headers: { "x-team": "t" }, body: ask(10) });
  assert.is(c.localResponse?.status, 503, "refused connections too");
  await svc.setDown(false);
});

test("service slow: the callout times out and the failure mode decides", async () => {
  const svc = await service();
  svc.setLatency(400);
  const closed = await load(svc, "FailClosed", "50ms");
  const t0 = Date.now();
  const a = await exchange(closed, { headers: { "x-team": "slow" }, body: ask(10) });
  assert.is(a.localResponse?.status, 503);
  assert.ok(Date.now() - t0 < 400, "answered at the timeout, not when the service replied");
  const open = await load(svc, "FailOpen", "50ms");
  const b = await exchange(open, { headers: { "x-team": "slow" }, body: ask(10), responseChunks: [chatResponse(1, 1)] });
  assert.is(b.localResponse, null);
  svc.setLatency(0);
  // Let the late answers land before the service closes (they would reopen its Redis connection).
  await new Promise((r) => setTimeout(r, 500));
});

test("a request without the key header is not globally limited and makes no callout", async () => {
  const svc = await service();
  const host = await load(svc);
  const a = await exchange(host, { body: ask(10), responseChunks: [chatResponse(1, 1)] });
  assert.is(a.localResponse, null);
  await host.settle();
  assert.is(svc.received.length, 0);
});

test("without holdHeaders the headers pass at once and the body waits for the service's answer", async () => {
  const svc = await service();
  const host = await loadLimiter({ ...global("FailOpen"), holdHeaders: false }, { clusters: { ratelimit: `grpc://${svc.address}` } });
  const body = ask(100);
  const s = host.stream();
  assert.is(s.sendRequestHeaders(requestHeaders("/v1/chat/completions", { "x-team": "green" }, body), false), "Continue");
  assert.ok(s.upstream.headers !== null, "headers forwarded before the body");
  s.sendRequestBody(body, true);
  assert.is(s.upstream.endOfStream, false, "the body waits for the check");
  await host.settle();
  assert.is(s.upstream.bodyText, body);
  assert.ok(s.upstream.endOfStream);
  s.sendResponseHeaders({ ":status": "200", "content-type": "application/json" }, false);
  s.sendResponseBody(chatResponse(3, 950), true);
  await host.settle();
  const t = host.stream();
  t.sendRequestHeaders(requestHeaders("/v1/chat/completions", { "x-team": "green" }, body), false);
  t.sendRequestBody(body, true);
  await host.settle();
  assert.is(t.localResponse?.status, 429, "50 left, 100 asked");
  assert.is(host.failed, false);
});

test.after(async () => { for (const s of services) await s.close(); });
test.run();
