/**
 * @module filters/model-router/config.test
 * The configuration contract: `config.schema.json` (what the controller checks) and the filter's
 * `proxy_on_configure` (what the gateway runs) accept and refuse the same documents, and a refused
 * one is logged with the field it concerns.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configChecks, testConfigAgreement } from "../../test/support/config-agreement.ts";
import { ROUTER_WASM } from "./test-support.ts";

const FILTER = { wasm: ROUTER_WASM, rootId: "model-router", schemaUrl: new URL("./config.schema.json", import.meta.url) };
const { configure } = configChecks(FILTER);

const rule = (r: Record<string, unknown>) => ({ rules: [{ name: "r", ...r }] });

const VALID: unknown[] = [
  {},
  { holdHeaders: true, modelHeader: "x-gateway-model-name", maxBodyBytes: 2097152, onParseError: "continue", apiPrefixes: ["/openai", "/api/v1/"] },
  { maxBodyBytes: 1 }, { maxBodyBytes: 67108864 }, { maxBodyBytes: 1024.0 }, { maxBodyBytes: 1e3 },
  { aliases: { "gpt-latest": "gpt-4o", "modèle": "β" } },
  { rules: [] },
  rule({}),
  rule({ when: { model: "gpt-4o*", headers: { "X-Tenant": "acme-*" }, minPromptTokens: 0, maxPromptTokens: 100000, hasImages: true, hasTools: false, stream: true, lastUserMessageContains: ["think step by step"] }, setModel: "o3" }),
  rule({ split: { stickyHeader: "x-session-id", targets: [{ model: "a", weight: 90 }, { model: "b", weight: 10 }] }, setHeaders: { "x-canary": "yes" } }),
  rule({ split: { targets: [{ model: "only", weight: 1 }] } }),
  rule({ setHeaders: { "x-empty": "" } }),
  { rules: [{ name: "a-b_C9" }, { name: "a-b_C9" }] },
  { modelHeader: "X-Model" },
  { aliases: { ["a".repeat(256)]: "b".repeat(256) } },
];

const INVALID: Array<[unknown, string]> = [
  [{ unknownField: 1 }, "unknownField"],
  [{ holdheaders: true }, "holdheaders"],
  [{ holdHeaders: "yes" }, "holdHeaders"],
  [{ modelHeader: 5 }, "modelHeader"],
  [{ modelHeader: "bad header" }, "modelHeader"],
  [{ modelHeader: "" }, "modelHeader"],
  [{ maxBodyBytes: 0 }, "maxBodyBytes"],
  [{ maxBodyBytes: -5 }, "maxBodyBytes"],
  [{ maxBodyBytes: 1.5 }, "maxBodyBytes"],
  [{ maxBodyBytes: "2MiB" }, "maxBodyBytes"],
  [{ maxBodyBytes: 67108865 }, "maxBodyBytes"],
  [{ onParseError: "drop" }, "onParseError"],
  [{ apiPrefixes: "/openai" }, "apiPrefixes"],
  [{ apiPrefixes: ["openai"] }, "apiPrefixes[0]"],
  [{ apiPrefixes: ["/ok", "/with space"] }, "apiPrefixes[1]"],
  [{ apiPrefixes: ["/a?b"] }, "apiPrefixes[0]"],
  [{ aliases: [] }, "aliases"],
  [{ aliases: { a: 1 } }, "aliases.a"],
  [{ aliases: { a: "" } }, "aliases.a"],
  [{ aliases: { a: "bad\nname" } }, "aliases.a"],
  [{ aliases: { a: "x".repeat(257) } }, "aliases.a"],
  [{ aliases: { "": "x" } }, "aliases."],
  [{ rules: {} }, "rules"],
  [{ rules: ["r"] }, "rules[0]"],
  [{ rules: [{}] }, "rules[0]"],
  [{ rules: [{ name: "ok" }, { name: "has space" }] }, "rules[1].name"],
  [{ rules: [{ name: "x".repeat(65) }] }, "rules[0].name"],
  [rule({ wen: {} }), "rules[0]"],
  [rule({ when: { modle: "x" } }), "rules[0].when"],
  [rule({ when: { model: 3 } }), "rules[0].when.model"],
  [rule({ when: { model: "" } }), "rules[0].when.model"],
  [rule({ when: { headers: { "x-a": 1 } } }), "rules[0].when.headers.x-a"],
  [rule({ when: { headers: { "bad name": "v" } } }), "rules[0].when.headers.bad name"],
  [rule({ when: { headers: { "x-a": "v\r\nx-b: 1" } } }), "rules[0].when.headers.x-a"],
  [rule({ when: { minPromptTokens: -1 } }), "rules[0].when.minPromptTokens"],
  [rule({ when: { maxPromptTokens: "10" } }), "rules[0].when.maxPromptTokens"],
  [rule({ when: { hasImages: 1 } }), "rules[0].when.hasImages"],
  [rule({ when: { hasTools: "true" } }), "rules[0].when.hasTools"],
  [rule({ when: { stream: null } }), "rules[0].when.stream"],
  [rule({ when: { lastUserMessageContains: [] } }), "rules[0].when.lastUserMessageContains"],
  [rule({ when: { lastUserMessageContains: [""] } }), "rules[0].when.lastUserMessageContains[0]"],
  [rule({ when: { lastUserMessageContains: "x" } }), "rules[0].when.lastUserMessageContains"],
  [rule({ setModel: "a", split: { targets: [{ model: "b", weight: 1 }] } }), "rules[0]"],
  [rule({ setModel: "a\u0000" }), "rules[0].setModel"],
  [rule({ split: {} }), "rules[0].split"],
  [rule({ split: { targets: [] } }), "rules[0].split.targets"],
  [rule({ split: { targets: [{ model: "a" }] } }), "rules[0].split.targets[0]"],
  [rule({ split: { targets: [{ model: "a", weight: 0 }] } }), "rules[0].split.targets[0].weight"],
  [rule({ split: { targets: [{ model: "a", weight: 1, extra: 1 }] } }), "rules[0].split.targets[0]"],
  [rule({ split: { stickyHeader: "x y", targets: [{ model: "a", weight: 1 }] } }), "rules[0].split.stickyHeader"],
  [rule({ setHeaders: { "x-a": "line\nbreak" } }), "rules[0].setHeaders.x-a"],
  [rule({ setHeaders: { ":path": "/x" } }), "rules[0].setHeaders.:path"],
  [rule({ setHeaders: { "x-a": "v".repeat(4097) } }), "rules[0].setHeaders.x-a"],
];

testConfigAgreement(test, FILTER, VALID, INVALID);

test("configurations that are not JSON objects are refused without a trap", async () => {
  for (const raw of ["{", "[1,2]", "null", '"x"', "{\"rules\":[}", "\u0000\u0001", "{}{}"]) {
    const lines = await configure(raw);
    assert.ok(lines !== null, `accepted ${JSON.stringify(raw)}`);
    assert.ok(lines!.some((l) => l.includes("invalid configuration")), `${raw}: ${lines}`);
  }
  assert.is(await configure(""), null, "an empty configuration means all defaults");
});

test("a duplicated field is refused (which copy would apply?)", async () => {
  const lines = await configure('{"maxBodyBytes":10,"maxBodyBytes":20}');
  assert.ok(lines?.some((l) => l.includes("maxBodyBytes: duplicate field")), String(lines));
});

test.run();
