/**
 * @module filters/sdk/readme-example.test
 * README's SDK example must compile as pasted, meet the module rules every filter meets, and
 * do what the README says when run through the harness.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileReadmeExample } from "./readme-example.ts";
import { checkModuleShape } from "../../test/module-shape.ts";
import { Host } from "../../harness/index.ts";

let wasm: Uint8Array;

test.before(async () => {
  wasm = await compileReadmeExample();
});

test("README's sdk example compiles as a filter and passes the import/export rules", () => {
  assert.equal(checkModuleShape(wasm), []);
});

test("README's sdk example greets with its configuration, blocks with a JSON 403 and counts requests", async () => {
  const host = await Host.load(wasm, { pluginConfig: "bonjour" });
  const ok = await host.run({ request: { headers: { ":method": "GET", ":path": "/", ":authority": "a" } } });
  assert.is(ok.upstream.headers?.get("x-greeting"), "bonjour");
  assert.is(ok.client.headers?.get(":status"), "200");
  const blocked = await host.run({ request: { headers: { ":method": "GET", ":path": "/", ":authority": "a", "x-block": "1" } } });
  assert.is(blocked.localResponse?.status, 403);
  assert.is(blocked.localResponse?.headers.get("content-type"), "application/json");
  assert.is(JSON.parse(blocked.localResponse!.bodyText).error.type, "forbidden");
  assert.is(blocked.upstream.headers, null);
  assert.is(host.metric("hello_requests_total")?.value, 2);
  assert.equal(host.misuse(), []);
});

test.run();
