/**
 * @module harness/failure.test
 * Failure (§10.14) and misuse: a trap fails the VM; in-flight and later streams get the
 * 503 `wasm_fail_stream` reply unless fail-open; other workers keep running; bad pointers
 * are INVALID_MEMORY_ACCESS and are recorded for a fuzzer to ask about.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GET, POST, scripted, streamLogs } from "./testdata/helpers.ts";

test("a trap fails the VM: that stream gets 503 wasm_fail_stream, later streams too, callbacks are skipped", async () => {
  const host = await scripted("request_headers#1 log 2 first\nrequest_body trap\nlog log 2 logged");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  assert.is(s.sendRequestBody("x", true), "StopIterationNoBuffer");
  assert.ok(host.failed);
  assert.match(host.failures()[0], "trap in proxy_on_request_body");
  assert.is(s.localResponse?.status, 503);
  assert.is(s.localResponse?.details, "wasm_fail_stream");
  assert.is(s.localResponse?.grpcStatus, 14);
  assert.not.ok(streamLogs(host).includes("logged"), "no callbacks after the trap");
  const later = host.stream();
  assert.is(later.sendRequestHeaders(GET, true), "StopAllIterationAndWatermark");
  assert.is(later.client.headers?.get(":status"), "503");
  assert.equal(later.contextIds, [0]);
  assert.ok(host.logs("critical").some((l) => l.includes("wasm VM failed")));
});

test("an AssemblyScript abort logs at critical through proxy_log, then traps", async () => {
  const host = await scripted("request_headers abort");
  host.stream().sendRequestHeaders(GET, true);
  assert.ok(host.logs("critical").some((l) => l.startsWith("abort: scripted abort")));
  assert.ok(host.failed);
});

test("fail-open: the failed filter is skipped and traffic passes", async () => {
  const host = await scripted("request_headers#1 trap\nrequest_headers add 0 x-never 1", { failOpen: true });
  const s = host.stream();
  assert.is(s.sendRequestHeaders(GET, true), "Continue");
  assert.ok(s.upstream.endOfStream);
  const later = await host.run({ request: { headers: GET } });
  assert.is(later.localResponse, null);
  assert.is(later.upstream.headers?.get("x-never"), undefined);
  assert.is(later.client.headers?.get(":status"), "200");
});

test("a failure is per worker VM: the other worker keeps serving", async () => {
  const host = await scripted("request_headers@eos trap", { workers: 2 });
  host.stream({ worker: 0 }).sendRequestHeaders(GET, true);
  assert.ok(host.vms[0].failed);
  assert.not.ok(host.vms[1].failed);
  const ok = host.stream({ worker: 1 });
  ok.sendRequestHeaders(GET);
  assert.ok(ok.upstream.headers);
  assert.is(ok.localResponse, null);
});

test("bad pointers are INVALID_MEMORY_ACCESS, bad log levels BAD_ARGUMENT, and both are recorded as misuse", async () => {
  const host = await scripted("request_headers badptr\nrequest_headers badlevel");
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), ["badptr log status=6", "badptr get status=6", "badptr ret status=6", "badlevel status=2"]);
  const m = host.misuse().map((x) => `${x.call} ${x.reason}`);
  assert.ok(m.includes("env.proxy_log INVALID_MEMORY_ACCESS"));
  assert.ok(m.includes("env.proxy_log BAD_ARGUMENT"));
  assert.ok(!host.failed, "misuse is reported, not a trap");
});

test("WASI: stdout/stderr go to the log at info/error; clocks follow the manual clock", async () => {
  const host = await scripted("request_headers stdout hello\\sout\nrequest_headers stderr oops\nrequest_headers time", { startTime: Date.UTC(2026, 5, 1) });
  host.advance(1500);
  host.stream().sendRequestHeaders(GET, true);
  assert.ok(host.logs("info").includes("hello out"));
  assert.ok(host.logs("error").includes("oops"));
  assert.ok(host.logs("info").includes(`time=${(BigInt(Date.UTC(2026, 5, 1) + 1500) * 1_000_000n).toString()}`));
});

test("log level: lines below the level are dropped and proxy_get_log_level reports it", async () => {
  const host = await scripted("request_headers loglevel\nrequest_headers log 1 debug-line\nrequest_headers log 3 warn-line", { logLevel: "info" });
  host.stream().sendRequestHeaders(GET, true);
  assert.ok(host.logs().includes("loglevel=2"));
  assert.not.ok(host.logs().includes("debug-line"));
  assert.equal(host.logs("warn"), ["warn-line"]);
});

test("root shutdown: on_done false waits for proxy_done, which then deletes the root", async () => {
  const host = await scripted("done return 0\ntick done\ntick tick 0\nconfigure tick 5");
  host.close();
  assert.ok(host.logs().includes("done 1"));
  assert.not.ok(host.logs().includes("delete 1"));
  const again = await scripted("done return 0\nconfigure tick 5\ntick done");
  again.close();
  again.advance(5);
  assert.not.ok(again.logs().includes("tick 1"), "close cancels the tick timer");
});

test.run();
