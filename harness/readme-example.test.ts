import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host } from "./index.ts";

const WASM = "dist/test/harness-example.wasm"; // your filter: dist/filters/<name>.wasm

test("a request without an API key gets the filter's 401 and never reaches the upstream", async () => {
  const host = await Host.load(WASM, { pluginConfig: "x-api-key" });
  const s = await host.run({ request: { headers: { ":method": "GET", ":path": "/v1/models", ":authority": "api" } } });
  assert.is(s.localResponse?.status, 401);
  assert.is(s.localResponse?.details, "missing_api_key");
  assert.is(s.client.headers?.get("content-type"), "application/json");
  assert.match(s.client.bodyText, "missing API key");
  assert.is(s.upstream.headers, null);
});

test("a keyed request, step by step: headers, body, then the upstream's response", async () => {
  const host = await Host.load(WASM, { pluginConfig: "x-api-key" });
  const s = host.stream();
  assert.is(s.sendRequestHeaders({ ":method": "POST", ":path": "/v1/chat/completions", ":authority": "api", "x-api-key": "acme" }), "Continue");
  s.sendRequestBody('{"model":"m1"}', true);
  assert.is(s.upstream.headers?.get("x-tenant"), "acme");
  assert.is(s.upstream.bodyText, '{"model":"m1"}');
  s.sendResponseHeaders({ ":status": "200" });
  s.sendResponseBody("{}", true);
  assert.is(s.client.headers?.get("x-served-by"), "tollgate");
  assert.ok(s.finished);
  assert.is(host.metric("example_requests")?.value, 1);
  assert.equal(host.logs("info"), ["tenant acme"]);
});

test.run();
