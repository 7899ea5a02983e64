/**
 * @module filters/model-router/passthrough.test
 * `holdHeaders: false` — a gateway without `allow_on_headers_stop_iteration` (the harness runs
 * it as Envoy does: StopIteration from headers would become StopAll and the body would never
 * arrive). The router never pauses the headers; it still rewrites aliases in the body where the
 * length allows, publishes its decision to later filters, and never touches the headers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CHAT, chatBody, loadRouter, postHeaders, send } from "./test-support.ts";
import { Chain } from "../../harness/index.ts";
import { ROUTER_WASM } from "./test-support.ts";

const config = { holdHeaders: false, aliases: { "gpt-latest": "gpt-4o-2024-08-06", "gpt-x": "gpt-y" }, rules: [{ name: "tag", when: { model: "gpt-y" }, setHeaders: { "x-tag": "1" } }] };

test("headers pass at once (Continue), and the request completes", async () => {
  const host = await loadRouter(config);
  const body = chatBody("gpt-4o");
  const s = host.stream();
  assert.is(s.sendRequestHeaders(postHeaders(CHAT, {}, body)), "Continue");
  assert.ok(s.upstream.headers, "the upstream has the headers before any body");
  s.sendRequestBody(body, true);
  assert.ok(s.upstream.endOfStream);
  assert.is(s.upstream.bodyText, body);
  assert.is(s.upstream.headers?.get("x-gateway-model-name"), undefined, "headers cannot change once passed");
  assert.is(s.routeCacheClears, 0, "clearing the route cache after routing would change nothing but cost");
  assert.is(s.property("tollgate.model"), "gpt-4o");
  assert.is(s.property("tollgate.api"), "openai.chat_completions");
});

test("the same plugin with holdHeaders false on a gateway that does allow StopIteration still never holds", async () => {
  const host = await loadRouter(config, { allowOnHeadersStopIteration: true });
  const s = host.stream();
  assert.is(s.sendRequestHeaders(postHeaders(CHAT, { "transfer-encoding": "chunked" })), "Continue");
});

test("chunked request (no content-length): the alias is rewritten in the body", async () => {
  const host = await loadRouter(config);
  const body = chatBody("gpt-latest");
  const s = await send(host, CHAT, body, { chunked: true, chunks: [body.slice(0, 7), body.slice(7)] });
  assert.is(s.upstream.bodyText, chatBody("gpt-4o-2024-08-06"));
  assert.is(s.upstream.headers?.get("content-length"), undefined);
  assert.is(s.property("tollgate.model"), "gpt-4o-2024-08-06");
});

test("content-length already sent: a same-length alias is rewritten, a different-length one is left and counted", async () => {
  const host = await loadRouter(config);
  const same = chatBody("gpt-x");
  let s = await send(host, CHAT, same);
  assert.is(s.upstream.bodyText, chatBody("gpt-y"));
  assert.is(s.upstream.headers?.get("content-length"), String(same.length));
  assert.is(s.property("tollgate.rule"), "tag");
  assert.is(s.upstream.headers?.get("x-tag"), undefined, "rule headers cannot be set once the headers passed");

  const longer = chatBody("gpt-latest");
  s = await send(host, CHAT, longer);
  assert.is(s.upstream.bodyText, longer, "body kept: rewriting it would contradict content-length");
  assert.is(s.upstream.headers?.get("content-length"), String(longer.length));
  assert.is(s.property("tollgate.model"), "gpt-4o-2024-08-06", "the decision is still published");
  assert.is(host.metric("model_router.body_not_rewritten")?.value, 1);
  assert.ok(host.logs("warn").some((l) => l.includes("body not rewritten")));
});

test("errors still answer: 400 for a bad body and 413 for a large one, after the headers passed", async () => {
  const host = await loadRouter({ ...config, maxBodyBytes: 100 });
  let s = await send(host, CHAT, "nope");
  assert.is(s.localResponse?.status, 400);
  assert.ok(s.upstream.reset, "the upstream request is reset");
  s = await send(host, CHAT, chatBody("m", "x".repeat(200)), { chunked: true });
  assert.is(s.localResponse?.status, 413);
});

test("later filters are fed: the next filter in the chain receives the rewritten body, and the property is on the stream", async () => {
  // A second router instance (routing nothing) stands in for a later filter.
  const chain = await Chain.load([
    { wasm: ROUTER_WASM, options: { rootId: "model-router", pluginConfig: config } },
    { wasm: ROUTER_WASM, options: { rootId: "model-router", pluginConfig: { holdHeaders: false } } },
  ]);
  const body = chatBody("gpt-x");
  const s = chain.stream();
  s.sendRequestHeaders(postHeaders(CHAT, {}, body));
  s.sendRequestBody(body, true);
  assert.is(s.property("tollgate.model"), "gpt-y");
  assert.is(s.upstream.bodyText, chatBody("gpt-y"), "the second filter received the rewritten body");
});

test.run();
