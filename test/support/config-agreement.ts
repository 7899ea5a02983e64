/**
 * @module test/support/config-agreement
 * The contract every shipped filter's configuration keeps: its JSON Schema (what the controller
 * checks before a config reaches a gateway) and its `proxy_on_configure` (what the gateway runs)
 * accept and refuse the same documents, and a refused one is logged naming the bad field.
 */
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Host, HostLoadError } from "../../harness/index.ts";

export interface FilterUnderTest {
  /** The built module, e.g. `dist/filters/token-limit.wasm`. */
  wasm: string;
  rootId: string;
  /** The filter's `config.schema.json`. */
  schemaUrl: URL;
}

/** The schema check and the filter's own check of one configuration. */
export function configChecks(filter: FilterUnderTest) {
  const schema = JSON.parse(readFileSync(filter.schemaUrl, "utf8"));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  /** Loads the filter with `config`; returns null when it started, else its error log lines. */
  async function configure(config: unknown): Promise<string[] | null> {
    const lines: string[] = [];
    try {
      await Host.load(filter.wasm, {
        rootId: filter.rootId, pluginConfig: config as object,
        onLog: (e) => { if (e.level === "error") lines.push(e.message); },
      });
      return null;
    } catch (e) {
      if (!(e instanceof HostLoadError)) throw e;
      return lines.length ? lines : [String(e)];
    }
  }
  return { validate, configure };
}

/**
 * Registers the two agreement tests on `test`: every valid configuration passes both checks, and
 * every invalid one fails both, with an "invalid configuration" log line naming `field`.
 */
export function testConfigAgreement(test: Test, filter: FilterUnderTest, valid: unknown[], invalid: [unknown, string][]) {
  const { validate, configure } = configChecks(filter);
  test("valid configurations: the schema accepts them and the filter starts", async () => {
    for (const c of valid) {
      assert.ok(validate(c), `schema refused ${JSON.stringify(c)}: ${JSON.stringify(validate.errors)}`);
      assert.is(await configure(c), null, `filter refused ${JSON.stringify(c)}`);
    }
  });

  test("invalid configurations: the schema refuses them and proxy_on_configure returns false with a log naming the field", async () => {
    for (const [c, field] of invalid) {
      assert.not.ok(validate(c), `schema accepted ${JSON.stringify(c)}`);
      const lines = await configure(c);
      assert.ok(lines !== null, `filter accepted ${JSON.stringify(c)}`);
      const line = lines!.find((l) => l.includes("invalid configuration"));
      assert.ok(line, `no configuration error logged for ${JSON.stringify(c)}: ${lines}`);
      assert.ok(line!.includes(field), `log line "${line}" does not name ${field}`);
    }
  });
}
