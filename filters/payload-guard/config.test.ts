/**
 * @module filters/payload-guard/config.test
 * The configuration contract: `config.schema.json` (what the controller checks) and the filter's
 * `proxy_on_configure` (what the gateway runs) accept and refuse the same documents, and a refused
 * one is logged with the field it concerns.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { Host, HostLoadError } from "../../harness/index.ts";
import { GUARD_WASM, allDetectors } from "./test-support.ts";

const schema = JSON.parse(readFileSync(new URL("./config.schema.json", import.meta.url), "utf8"));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

/** Loads the guard with `config`; returns null when it started, else the error log lines. */
async function configure(config: unknown): Promise<string[] | null> {
  const lines: string[] = [];
  try {
    await Host.load(GUARD_WASM, { rootId: "payload-guard", pluginConfig: config as object, onLog: (e) => { if (e.level === "error") lines.push(e.message); } });
    return null;
  } catch (e) {
    if (!(e instanceof HostLoadError)) throw e;
    return lines.length ? lines : [String(e)];
  }
}

const VALID: unknown[] = [
  {},
  { holdHeaders: true, maxBodyBytes: 2097152, bodyTooLarge: "FailOpen", onParseError: "continue", blockStatus: 451, mask: "<{kind}>", maskChar: "#", flagHeader: "X-Guard", apiPrefixes: ["/openai"] },
  { maxBodyBytes: 1 }, { maxBodyBytes: 67108864 }, { maxBodyBytes: 1024.0 }, { blockStatus: 599 },
  { request: { detectors: allDetectors("block") }, response: { detectors: allDetectors("redact"), streaming: "off", holdbackBytes: 64 } },
  { request: { detectors: {}, fields: [] }, response: { fields: ["output", "tool_call"], holdbackBytes: 1048576 } },
  { request: { fields: ["message", "system", "prompt", "input", "tool_result", "tool_call"] } },
  { phraseLists: { codenames: { phrases: ["project falcon", "  blue harbor "], request: "block", response: "flag" }, "x-2_y": { phrases: ["é"] } } },
  { moderation: { cluster: "outbound|80||mod.ns.svc.cluster.local" } },
  { moderation: { cluster: "c", path: "/moderate", authority: "mod", model: "", timeout: "1m30s", failureMode: "FailOpen" } },
  { moderation: { cluster: "c", timeout: "0" } }, { moderation: { cluster: "c", timeout: "1.5s" } },
  { maskChar: "!" }, { maskChar: "~" },
];

const INVALID: Array<[unknown, string]> = [
  [{ unknownField: 1 }, "unknownField"],
  [{ holdHeaders: "yes" }, "holdHeaders"],
  [{ maxBodyBytes: 0 }, "maxBodyBytes"], [{ maxBodyBytes: 67108865 }, "maxBodyBytes"], [{ maxBodyBytes: 1.5 }, "maxBodyBytes"],
  [{ bodyTooLarge: "open" }, "bodyTooLarge"],
  [{ onParseError: "drop" }, "onParseError"],
  [{ blockStatus: 200 }, "blockStatus"], [{ blockStatus: 600 }, "blockStatus"],
  [{ mask: "" }, "mask"], [{ mask: 5 }, "mask"],
  [{ maskChar: "**" }, "maskChar"], [{ maskChar: "\"" }, "maskChar"], [{ maskChar: "\\" }, "maskChar"], [{ maskChar: " " }, "maskChar"],
  [{ flagHeader: "bad header" }, "flagHeader"], [{ flagHeader: "" }, "flagHeader"],
  [{ apiPrefixes: "/openai" }, "apiPrefixes"], [{ apiPrefixes: [""] }, "apiPrefixes"],
  [{ request: { detectors: { emails: "redact" } } }, "request.detectors.emails"],
  [{ request: { detectors: { email: "mask" } } }, "request.detectors.email"],
  [{ request: { detectors: { email: true } } }, "request.detectors.email"],
  [{ request: { fields: ["output"] } }, "request.fields[0]"],
  [{ request: { streaming: "holdback" } }, "request.streaming"],
  [{ response: { fields: ["message"] } }, "response.fields[0]"],
  [{ response: { streaming: "buffer" } }, "response.streaming"],
  [{ response: { holdbackBytes: 63 } }, "response.holdbackBytes"], [{ response: { holdbackBytes: 1048577 } }, "response.holdbackBytes"],
  [{ response: { detectors: { codenames: "flag" } }, phraseLists: { codenames: { phrases: ["x"] } } }, "response.detectors.codenames"],
  [{ phraseLists: { email: { phrases: ["x"] } } }, "phraseLists.email"],
  [{ phraseLists: { "Bad Name": { phrases: ["x"] } } }, "phraseLists.Bad Name"],
  [{ phraseLists: { l: ["x"] } }, "phraseLists.l"],
  [{ phraseLists: { l: { phrases: [] } } }, "phraseLists.l.phrases"],
  [{ phraseLists: { l: {} } }, "phraseLists.l.phrases"],
  [{ phraseLists: { l: { phrases: ["   "] } } }, "phraseLists.l.phrases[0]"],
  // Found by the fuzzer: a NUL in a phrase matched the stream guard's blanked bytes.
  [{ phraseLists: { l: { phrases: ["x", "\n\t\u0000"] } } }, "phraseLists.l.phrases[1]"],
  [{ phraseLists: { l: { phrases: ["a\u007fb"] } } }, "phraseLists.l.phrases[0]"],
  [{ phraseLists: { l: { phrases: ["x"], request: "deny" } } }, "phraseLists.l.request"],
  [{ phraseLists: { l: { phrases: ["x"], other: 1 } } }, "phraseLists.l.other"],
  [{ moderation: {} }, "moderation.cluster"],
  [{ moderation: { cluster: "" } }, "moderation.cluster"],
  [{ moderation: { cluster: "c", path: "v1/moderations" } }, "moderation.path"],
  [{ moderation: { cluster: "c", timeout: "soon" } }, "moderation.timeout"],
  [{ moderation: { cluster: "c", timeout: 5 } }, "moderation.timeout"],
  // Found by the fuzzer: the schema let through durations that are not whole milliseconds.
  [{ moderation: { cluster: "c", timeout: "1.0005s" } }, "moderation.timeout"],
  [{ moderation: { cluster: "c", timeout: "500us" } }, "moderation.timeout"],
  [{ moderation: { cluster: "c", failureMode: "open" } }, "moderation.failureMode"],
  [{ moderation: { cluster: "c", retries: 2 } }, "moderation.retries"],
];

for (const config of VALID) {
  test(`accepted by both: ${JSON.stringify(config)}`, async () => {
    assert.ok(validate(config), `schema refused: ${JSON.stringify(validate.errors)}`);
    assert.is(await configure(config), null);
  });
}

for (const [config, field] of INVALID) {
  test(`refused by both, naming ${field}: ${JSON.stringify(config)}`, async () => {
    assert.not.ok(validate(config), "schema accepted it");
    const lines = await configure(config);
    assert.ok(lines, "proxy_on_configure accepted it");
    assert.ok(lines!.some((l) => l.includes(field)), `log names ${field}: ${lines!.join(" | ")}`);
  });
}

test("a configuration that is not JSON is refused with a log line", async () => {
  const lines = await configure("{not json");
  assert.ok(lines && lines.some((l) => l.includes("not valid JSON")));
});

test.run();
