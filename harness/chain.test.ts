/**
 * @module harness/chain.test
 * Several plugins as Envoy's filter chain: request order, reverse response order, a local
 * reply stopping the rest and passing back only through the filters before it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chain, Host } from "./index.ts";
import { buildFixtures, GET, SCRIPT_WASM } from "./testdata/helpers.ts";

async function chainOf(...scripts: string[]): Promise<Chain> {
  await buildFixtures();
  return Chain.load(scripts.map((s, i) => ({ wasm: SCRIPT_WASM, options: { name: `f${i + 1}`, pluginConfig: s } })));
}

test("request path in order, response path in reverse, on_log for each then done/delete", async () => {
  const tag = (n: number) => `request_headers log 2 req${n}\nresponse_headers log 2 res${n}\nlog log 2 log${n}`;
  const chain = await chainOf(tag(1), tag(2), tag(3));
  const s = await chain.run({ request: { headers: GET } });
  assert.equal(s.logs("info").filter((l) => /^(req|res|log)\d$/.test(l)), ["req1", "req2", "req3", "res3", "res2", "res1", "log1", "log2", "log3"]);
  assert.equal(s.callbacks.map((c) => `${c.plugin}:${c.callback.replace("proxy_on_", "")}`), [
    "f1:request_headers", "f2:request_headers", "f3:request_headers", "f3:response_headers", "f2:response_headers", "f1:response_headers",
  ]);
});

test("a local reply from filter 2 stops filter 3 and passes back through filters 2 and 1 only", async () => {
  const chain = await chainOf("response_headers add 2 x-f1 1", "request_headers local 401 no_key denied\nresponse_headers add 2 x-f2 1", "request_headers log 2 never\nresponse_headers add 2 x-f3 1");
  const s = await chain.run({ request: { headers: GET } });
  assert.is(s.client.headers?.get(":status"), "401");
  assert.is(s.client.headers?.get("x-f2"), "1");
  assert.is(s.client.headers?.get("x-f1"), "1");
  assert.is(s.client.headers?.get("x-f3"), undefined);
  assert.is(s.localResponse?.plugin, "f2");
  const third = chain.plugins[2].host;
  assert.not.ok(third.logs().includes("never"));
  assert.equal(s.trace("f3").filter((t) => t.kind === "callback").map((t) => t.name),
    ["proxy_on_context_create", "proxy_on_log", "proxy_on_done", "proxy_on_delete"], "filter 3 only sees create → log → done → delete");
});

test("a filter pausing holds everything behind it; resuming releases it to the next filter", async () => {
  const chain = await chainOf("request_headers return 1\nrequest_headers tick 10\ntick effective 2\ntick continue 0\ntick tick 0", "request_headers log 2 second-saw-headers");
  const s = chain.stream();
  s.sendRequestHeaders(GET, true);
  assert.ok(s.paused());
  assert.not.ok(chain.plugins[1].host.logs().includes("second-saw-headers"));
  chain.advance(10);
  assert.ok(chain.plugins[1].host.logs().includes("second-saw-headers"));
  assert.not.ok(s.paused("request"));
  assert.ok(s.upstream.endOfStream);
});

test("a chain needs one environment; Host.load with `environment` joins one", async () => {
  await buildFixtures();
  const a = await Host.load(SCRIPT_WASM, {});
  const b = await Host.load(SCRIPT_WASM, {});
  assert.throws(() => new Chain([a, b]), /share one Environment/);
  const c = await Host.load(SCRIPT_WASM, { environment: a.environment });
  assert.is(new Chain([a, c]).plugins.length, 2);
});

test.run();
