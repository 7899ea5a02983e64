/**
 * @module filters/model-router/sample.test
 * `samples/model-router.json` does what `samples/model-router.md` says: it passes the schema, and
 * through the built router the alias, the long-context rule and the refusals behave as described.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { CHAT, chatBody, loadRouter, send } from "./test-support.ts";

const sample = JSON.parse(readFileSync(new URL("../../samples/model-router.json", import.meta.url), "utf8"));
const schema = JSON.parse(readFileSync(new URL("./config.schema.json", import.meta.url), "utf8"));

test("the sample passes the schema", () => {
  const validate = new Ajv2020({ strict: false }).compile(schema);
  assert.ok(validate(sample), JSON.stringify(validate.errors));
});

test("the sample routes as its README says", async () => {
  const host = await loadRouter({ ...sample, holdHeaders: true });
  const route = async (body: string, path = CHAT) => {
    const s = await send(host, path, body);
    return { model: s.upstream.headers?.get("x-gateway-model-name"), reason: s.upstream.headers?.get("x-routed-reason"), rule: s.property("tollgate.rule"), s };
  };
  let r = await route(chatBody("default", "hi"));
  assert.equal([r.model, r.rule], ["llama-3.1-8b-instruct", undefined]);
  assert.is(r.s.upstream.bodyText, chatBody("llama-3.1-8b-instruct", "hi"));
  r = await route(chatBody("smart"));
  assert.is(r.model, "llama-3.1-70b-instruct");
  const logs = "2026-11-27T02:00:00Z ERROR connection reset by peer while reading response header from upstream\n".repeat(1000);
  r = await route(chatBody("gpt-4o-mini", logs), "/vllm/v1/chat/completions");
  assert.equal([r.model, r.reason, r.rule], ["llama-3.1-70b-instruct", "long-context", "long-context"]);
  r = await route(chatBody("llama-3.1-70b-instruct"));
  assert.equal([r.model, r.rule], ["llama-3.1-70b-instruct", undefined]);
  r = await route("not json");
  assert.is(r.s.localResponse?.status, 400);
});

test.run();
