/**
 * @module test/bench-modules/noop.test
 * The no-op module benches subtract as the host's own cost must really do nothing: every
 * callback runs and continues, the exchange passes through byte for byte, and it makes no
 * host call, logs nothing and misuses nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host } from "../../harness/index.ts";
import { build } from "../../scripts/build.ts";

const WASM = "dist/test/noop.wasm";
await build(["noop"]);

test("every stream callback runs, continues, and the exchange passes through unchanged", async () => {
  const host = await Host.load(WASM);
  const body = '{"model":"m","messages":[{"role":"user","content":"hi"}]}';
  const s = await host.run({
    request: { headers: { ":method": "POST", ":path": "/v1/chat/completions", ":authority": "api" }, bodyChunks: [body.slice(0, 10), body.slice(10)], trailers: { "x-t": "1" } },
    response: { headers: { ":status": "200", "x-r": "v" }, body: "{}", trailers: { "grpc-status": "0" } },
  });
  assert.is(s.upstream.bodyText, body);
  assert.is(s.upstream.trailers?.get("x-t"), "1");
  assert.is(s.client.headers?.get("x-r"), "v");
  assert.is(s.client.bodyText, "{}");
  assert.is(s.localResponse, null);
  assert.ok(s.finished);
  const stream = s.callbacks.filter((c) => /request|response/.test(c.callback));
  assert.equal(stream.map((c) => c.callback), [
    "proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_body", "proxy_on_request_trailers",
    "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers",
  ]);
  assert.ok(stream.every((c) => c.status === "Continue"), JSON.stringify(stream));
  assert.equal(s.trace().filter((e) => e.kind === "hostcall"), []);
  assert.equal(host.logs(), []);
  assert.equal(host.misuse(), []);
});

test.run();
