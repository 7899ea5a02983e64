/**
 * @module filters/token-limit/config.test
 * The configuration contract: `config.schema.json` (what the controller checks) and the filter's
 * `proxy_on_configure` (what the gateway runs) accept and refuse the same documents, and a refused
 * one is logged with the field it concerns.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { configChecks, testConfigAgreement } from "../../test/support/config-agreement.ts";
import { TOKEN_LIMIT_WASM } from "./test-support.ts";

const FILTER = { wasm: TOKEN_LIMIT_WASM, rootId: "token-limit", schemaUrl: new URL("./config.schema.json", import.meta.url) };
const { validate, configure } = configChecks(FILTER);

const limit = (l: Record<string, unknown> = {}) => ({ limits: [{ name: "l", tokens: 1000, window: "60s", ...l }] });
const RLS = { rateLimitService: { cluster: "ratelimit" } };

const VALID: unknown[] = [
  {},
  { holdHeaders: true, maxBodyBytes: 2097152, maxResponseBytes: 1, apiPrefixes: ["/openai"], injectStreamUsage: false, admission: "spend", defaultOutputTokens: 0, models: ["gpt-4o", "claude-sonnet-4-5"], slots: 1 },
  { slots: 1048576, maxBodyBytes: 67108864, defaultOutputTokens: 10000000 },
  limit(),
  limit({ key: { headers: ["x-api-key", "X-Team"], model: true, route: true }, cost: { input: 1, output: 4, cacheRead: 0.1, cacheWrite: 1.25 } }),
  limit({ window: "1s" }), limit({ window: "24h" }), limit({ window: "30d" }), limit({ window: "9999999s" }), limit({ window: "90m" }),
  limit({ tokens: 1e15 }), limit({ tokens: 5.0 }), limit({ cost: {} }), limit({ key: {} }), limit({ cost: { output: 0 } }),
  { ...limit({ scope: "global", window: "1m" }), ...RLS },
  { ...limit({ scope: "global", window: "86400s", tokens: 4294967295 }), rateLimitService: { cluster: "outbound|8081||rls.svc", domain: "d", timeout: "99999ms", failureMode: "FailClosed" } },
  { ...limit({ scope: "local" }) },
  { ...RLS, rateLimitService: { cluster: "c", timeout: "2s" } },
  { limits: [{ name: "a", tokens: 1, window: "1h" }, { name: "b", tokens: 2, window: "1d" }] },
];

const INVALID: Array<[unknown, string]> = [
  [{ unknown: 1 }, "unknown"],
  [{ holdHeaders: "yes" }, "holdHeaders"],
  [{ maxBodyBytes: 0 }, "maxBodyBytes"],
  [{ maxResponseBytes: 67108865 }, "maxResponseBytes"],
  [{ apiPrefixes: ["openai"] }, "apiPrefixes[0]"],
  [{ apiPrefixes: ["/with space"] }, "apiPrefixes[0]"],
  [{ injectStreamUsage: 1 }, "injectStreamUsage"],
  [{ admission: "hold" }, "admission"],
  [{ defaultOutputTokens: -1 }, "defaultOutputTokens"],
  [{ defaultOutputTokens: 1.5 }, "defaultOutputTokens"],
  [{ models: "gpt-4o" }, "models"],
  [{ models: ["with space"] }, "models[0]"],
  [{ models: Array.from({ length: 65 }, (_, i) => `m${i}`) }, "models"],
  [{ slots: 0 }, "slots"],
  [{ slots: 1048577 }, "slots"],
  [{ limits: {} }, "limits"],
  [{ limits: [{ tokens: 1, window: "1s" }] }, "limits[0].name"],
  [{ limits: [{ name: "l", window: "1s" }] }, "limits[0].tokens"],
  [{ limits: [{ name: "l", tokens: 1 }] }, "limits[0].window"],
  [limit({ name: "has space" }), "limits[0].name"],
  [limit({ name: "x".repeat(65) }), "limits[0].name"],
  [limit({ tokens: 0 }), "limits[0].tokens"],
  [limit({ tokens: "1000" }), "limits[0].tokens"],
  [limit({ window: "0s" }), "limits[0].window"],
  [limit({ window: "500ms" }), "limits[0].window"],
  [limit({ window: "1h30m" }), "limits[0].window"],
  [limit({ window: "60" }), "limits[0].window"],
  [limit({ window: "10000000s" }), "limits[0].window"],
  [limit({ window: 60 }), "limits[0].window"],
  [limit({ key: { header: ["x"] } }), "limits[0].key.header"],
  [limit({ key: { headers: ["bad header"] } }), "limits[0].key.headers[0]"],
  [limit({ key: { headers: "x-api-key" } }), "limits[0].key.headers"],
  [limit({ key: { model: "yes" } }), "limits[0].key.model"],
  [limit({ cost: { input: -1 } }), "limits[0].cost.input"],
  [limit({ cost: { output: 1001 } }), "limits[0].cost.output"],
  [limit({ cost: { cache: 1 } }), "limits[0].cost.cache"],
  [limit({ scope: "cluster" }), "limits[0].scope"],
  [limit({ scope: "global" }), "limits[0].scope"],
  [{ ...limit({ scope: "global", window: "2m" }), ...RLS }, "limits[0].window"],
  [{ ...limit({ scope: "global", window: "1h", tokens: 4294967296 }), ...RLS }, "limits[0].tokens"],
  [{ limits: Array.from({ length: 33 }, (_, i) => ({ name: `l${i}`, tokens: 1, window: "1s" })) }, "limits"],
  [{ rateLimitService: {} }, "rateLimitService.cluster"],
  [{ rateLimitService: { cluster: "" } }, "rateLimitService.cluster"],
  [{ rateLimitService: { cluster: "c", timeout: "0ms" } }, "rateLimitService.timeout"],
  [{ rateLimitService: { cluster: "c", timeout: "100s" } }, "rateLimitService.timeout"],
  [{ rateLimitService: { cluster: "c", timeout: "1m" } }, "rateLimitService.timeout"],
  [{ rateLimitService: { cluster: "c", failureMode: "failOpen" } }, "rateLimitService.failureMode"],
  [{ rateLimitService: { cluster: "c", port: 1 } }, "rateLimitService.port"],
];

testConfigAgreement(test, FILTER, VALID, INVALID);

test("duplicate limit names are refused by the filter (beyond what JSON Schema can express)", async () => {
  const lines = await configure({ limits: [{ name: "a", tokens: 1, window: "1s" }, { name: "a", tokens: 2, window: "1s" }] });
  assert.ok(lines?.some((l) => l.includes("limits[1].name")), String(lines));
});

test("configurations that are not JSON objects are refused without a trap", async () => {
  for (const raw of ["{", "[1,2]", "null", '"x"', "{\"limits\":[}", "\u0000\u0001", "{}{}"]) {
    const lines = await configure(raw);
    assert.ok(lines !== null, `accepted ${JSON.stringify(raw)}`);
    assert.ok(lines!.some((l) => l.includes("invalid configuration")), `${raw}: ${lines}`);
  }
  assert.is(await configure(""), null, "an empty configuration means all defaults");
});

test("samples/token-limit.json is accepted by the schema and the filter", async () => {
  const sample = JSON.parse(readFileSync(new URL("../../samples/token-limit.json", import.meta.url), "utf8"));
  assert.ok(validate(sample), JSON.stringify(validate.errors));
  assert.is(await configure(sample), null);
});

test.run();
