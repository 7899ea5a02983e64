/**
 * @module filters/model-router/rules.test
 * Rules, first match wins: each condition (model exact and glob, request headers, estimated
 * prompt tokens, images, tools, stream, phrases in the last user message), their actions (set
 * the model, set headers), the per-rule counter and property, and weighted splits that stay
 * sticky per session and keep their ratios over many sessions.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CHAT, chatBody, loadRouter, send } from "./test-support.ts";

const served = async (host: Awaited<ReturnType<typeof loadRouter>>, body: string, headers: Record<string, string> = {}, path = CHAT) => {
  const s = await send(host, path, body, { headers });
  assert.is(s.localResponse, null, s.localResponse?.bodyText);
  return { model: s.upstream.headers?.get("x-gateway-model-name"), rule: s.property("tollgate.rule"), s };
};

test("model conditions: exact and glob; rules see the model after aliases", async () => {
  const host = await loadRouter({
    aliases: { fast: "gpt-4o-mini" },
    rules: [
      { name: "exact", when: { model: "gpt-4o" }, setModel: "gpt-4o-2024-11-20" },
      { name: "glob", when: { model: "gpt-4o-*" }, setModel: "gpt-4o-mini-pool" },
      { name: "one-char", when: { model: "o?" }, setModel: "o-series" },
    ],
  });
  assert.equal(await served(host, chatBody("gpt-4o")).then((r) => [r.model, r.rule]), ["gpt-4o-2024-11-20", "exact"]);
  assert.equal(await served(host, chatBody("fast")).then((r) => [r.model, r.rule]), ["gpt-4o-mini-pool", "glob"]);
  assert.equal(await served(host, chatBody("o3")).then((r) => [r.model, r.rule]), ["o-series", "one-char"]);
  assert.equal(await served(host, chatBody("o3-mini")).then((r) => [r.model, r.rule]), ["o3-mini", undefined]);
  assert.equal(await served(host, chatBody("gpt-4")).then((r) => [r.model, r.rule]), ["gpt-4", undefined]);
});

test("the body is rewritten to the model a rule chose", async () => {
  const host = await loadRouter({ rules: [{ name: "pin", when: { model: "gpt-4o" }, setModel: "gpt-4o-2024-11-20" }] });
  const { s } = await served(host, chatBody("gpt-4o", "hi"));
  assert.is(s.upstream.bodyText, chatBody("gpt-4o-2024-11-20", "hi"));
});

test("first match wins, in configuration order", async () => {
  const host = await loadRouter({
    rules: [
      { name: "first", when: { model: "m*" }, setModel: "one" },
      { name: "second", when: { model: "m1" }, setModel: "two" },
    ],
  });
  assert.equal(await served(host, chatBody("m1")).then((r) => [r.model, r.rule]), ["one", "first"]);
  assert.is(host.metric("model_router.rule.first.matched")?.value, 1);
  assert.is(host.metric("model_router.rule.second.matched")?.value, 0);
});

test("header conditions: exact and glob values, absent headers never match, header names are case-insensitive", async () => {
  const host = await loadRouter({
    rules: [
      { name: "acme", when: { headers: { "X-Tenant": "acme" } }, setModel: "acme-model" },
      { name: "beta", when: { headers: { "x-tenant": "beta-*", "x-tier": "gold" } }, setModel: "beta-gold" },
    ],
  });
  assert.is((await served(host, chatBody("m"), { "x-tenant": "acme" })).model, "acme-model");
  assert.is((await served(host, chatBody("m"), { "x-tenant": "acme2" })).model, "m");
  assert.is((await served(host, chatBody("m"), { "x-tenant": "beta-eu", "x-tier": "gold" })).model, "beta-gold");
  assert.is((await served(host, chatBody("m"), { "x-tenant": "beta-eu" })).model, "m", "all conditions must hold");
  assert.is((await served(host, chatBody("m"))).model, "m");
});

test("long-context rule on estimated prompt tokens (min and max)", async () => {
  const host = await loadRouter({
    rules: [
      { name: "long-context", when: { minPromptTokens: 2000 }, setModel: "long-ctx" },
      { name: "tiny", when: { maxPromptTokens: 20 }, setModel: "small" },
    ],
  });
  const long = "The quick brown fox jumps over the lazy dog. ".repeat(400); // ~4000 tokens
  assert.equal(await served(host, chatBody("m", long)).then((r) => [r.model, r.rule]), ["long-ctx", "long-context"]);
  assert.equal(await served(host, chatBody("m", "hi")).then((r) => [r.model, r.rule]), ["small", "tiny"]);
  assert.equal(await served(host, chatBody("m", "medium sized prompt ".repeat(20))).then((r) => [r.model, r.rule]), ["m", undefined]);
});

test("images, tools and stream conditions, true and false", async () => {
  const host = await loadRouter({
    rules: [
      { name: "vision", when: { hasImages: true }, setModel: "vision" },
      { name: "tools", when: { hasTools: true, stream: false }, setModel: "tool-user" },
      { name: "streaming", when: { stream: true }, setModel: "streamer" },
      { name: "plain", when: { hasImages: false, hasTools: false, stream: false }, setModel: "plain" },
    ],
  });
  const image = JSON.stringify({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "what?" }, { type: "image_url", image_url: { url: "https://img.example/cat.png" } }] }] });
  const tools = JSON.stringify({ model: "m", tools: [{ type: "function", function: { name: "f", parameters: {} } }], messages: [{ role: "user", content: "x" }] });
  const toolsStream = JSON.stringify({ model: "m", stream: true, tools: [{ type: "function", function: { name: "f", parameters: {} } }], messages: [{ role: "user", content: "x" }] });
  const anthropicImage = JSON.stringify({ model: "m", max_tokens: 9, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }] });
  assert.is((await served(host, image)).model, "vision");
  assert.is((await served(host, anthropicImage, {}, "/v1/messages")).model, "vision");
  assert.is((await served(host, tools)).model, "tool-user");
  assert.is((await served(host, toolsStream)).model, "streamer");
  assert.is((await served(host, chatBody("m", "x", { tools: [] }))).model, "plain", "an empty tools array is no tools");
  assert.is((await served(host, chatBody("m"))).model, "plain");
});

test("phrases in the last user message only (case-insensitive, escapes decoded)", async () => {
  const host = await loadRouter({ rules: [{ name: "reasoning", when: { lastUserMessageContains: ["think step by step", "prove that"] }, setModel: "o3" }] });
  const conv = (msgs: Array<[string, string]>) => JSON.stringify({ model: "m", messages: msgs.map(([role, content]) => ({ role, content })) });
  assert.is((await served(host, conv([["user", "Please THINK step by step about this"]]))).model, "o3");
  assert.is((await served(host, conv([["user", "Prove\nthat"], ["assistant", "ok"], ["user", "now \"prove that\" x²"]]))).model, "o3");
  assert.is((await served(host, conv([["user", "think step by step"], ["assistant", "sure"], ["user", "thanks"]]))).model, "m", "an earlier user message does not count");
  assert.is((await served(host, conv([["system", "think step by step"], ["user", "hello"]]))).model, "m", "a system prompt does not count");
  assert.is((await served(host, conv([["user", "think step\u00a0by step"]]))).model, "m");
});

test("set headers: a rule's headers reach the upstream, replacing a client's value", async () => {
  const host = await loadRouter({ rules: [{ name: "premium", when: { headers: { "x-tenant": "acme" } }, setHeaders: { "x-priority": "high", "x-pool": "a" } }] });
  const { s, model, rule } = await served(host, chatBody("gpt-4o"), { "x-tenant": "acme", "x-priority": "low" });
  assert.is(model, "gpt-4o");
  assert.is(rule, "premium");
  assert.equal(s.upstream.headers?.getAll("x-priority"), ["high"]);
  assert.is(s.upstream.headers?.get("x-pool"), "a");
});

test("a counter per matched rule", async () => {
  const host = await loadRouter({ rules: [{ name: "a", when: { model: "a*" } }, { name: "b", when: { model: "b*" } }] });
  for (const m of ["a1", "a2", "b1", "c1", "a3"]) await served(host, chatBody(m));
  assert.is(host.metric("model_router.rule.a.matched")?.value, 3);
  assert.is(host.metric("model_router.rule.b.matched")?.value, 1);
  assert.is(host.metric("model_router.routed")?.value, 5);
});

const split = { name: "canary", when: { model: "gpt-4o" }, split: { stickyHeader: "x-session-id", targets: [{ model: "gpt-4o", weight: 90 }, { model: "gpt-4o-canary", weight: 10 }] } };

test("weighted split: the same session always gets the same model", async () => {
  const host = await loadRouter({ rules: [split] }, { workers: 2 });
  for (let i = 0; i < 50; i++) {
    const session = `session-${i}`;
    const first = (await served(host, chatBody("gpt-4o"), { "x-session-id": session })).model;
    for (let j = 0; j < 4; j++) assert.is((await served(host, chatBody("gpt-4o"), { "x-session-id": session })).model, first, session);
  }
  // Two hosts (two gateways, or a restart) agree on every session.
  const other = await loadRouter({ rules: [split] });
  for (let i = 0; i < 50; i++) {
    const h = { "x-session-id": `session-${i}` };
    assert.is((await served(other, chatBody("gpt-4o"), h)).model, (await served(host, chatBody("gpt-4o"), h)).model);
  }
});

test("weighted split: ratios within tolerance over many sessions, and without the sticky header", async () => {
  const host = await loadRouter({ rules: [split] });
  const n = 4000;
  let canary = 0, canaryUnsticky = 0;
  for (let i = 0; i < n; i++) {
    if ((await served(host, chatBody("gpt-4o"), { "x-session-id": `user-${i}-${i * 7919}` })).model === "gpt-4o-canary") canary++;
    if ((await served(host, chatBody("gpt-4o"))).model === "gpt-4o-canary") canaryUnsticky++;
  }
  // 10% of 4000 = 400; binomial σ ≈ 19, so ±80 is over 4σ.
  assert.ok(Math.abs(canary - 400) < 80, `sticky canary share ${canary}/${n}`);
  assert.ok(Math.abs(canaryUnsticky - 400) < 80, `unsticky canary share ${canaryUnsticky}/${n}`);
  assert.is(host.metric("model_router.rule.canary.matched")?.value, 2 * n);
});

test("three-way split keeps each share", async () => {
  const host = await loadRouter({ rules: [{ name: "abc", split: { stickyHeader: "x-user", targets: [{ model: "a", weight: 1 }, { model: "b", weight: 2 }, { model: "c", weight: 1 }] } }] });
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 2000; i++) counts[(await served(host, chatBody("x"), { "x-user": String(i) })).model!]++;
  assert.ok(Math.abs(counts.a - 500) < 90 && Math.abs(counts.b - 1000) < 100 && Math.abs(counts.c - 500) < 90, JSON.stringify(counts));
});

test.run();
