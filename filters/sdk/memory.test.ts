/**
 * @module filters/sdk/memory.test
 * The SDK frees what the host allocates in module memory (header values, pairs, bodies,
 * properties, shared values, callout answers): linear memory stays flat over many requests.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadProbe, probeRequest } from "../../test/conformance/probe.ts";

test("module memory stays flat over 3000 requests that read headers, bodies, properties, shared data and callout answers", async () => {
  const host = await loadProbe({
    logLevel: "warn", // the probe's report lines are dropped by the host, not by the module
    clusters: { backend: () => ({ headers: { ":status": "200", "x-answer": "yes" }, body: "pong", trailers: { "x-t": "t" } }) },
  });
  const request = { ...probeRequest("headers,buffers,properties,shared,callout", { "x-probe-arg": "append", "x-probe-then": "continue" }), "x-dup": "1" };
  const pagesAt: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const s = host.stream();
    s.sendRequestHeaders(request, false);
    s.sendRequestBody("hello world", true);
    await host.settle();
    assert.ok(s.upstream.endOfStream, `request ${i} reached the upstream`);
    s.sendResponseHeaders({ ":status": "200" }, false);
    s.sendResponseBody("response body", true);
    assert.ok(s.finished);
    if (i === 300 || i === 2999) pagesAt.push(host.memoryPages()[0]);
    host.logEntries.length = 0;
  }
  assert.not.ok(host.failed);
  assert.is(pagesAt[1], pagesAt[0], `memory grew from ${pagesAt[0]} to ${pagesAt[1]} pages`);
});

test.run();
