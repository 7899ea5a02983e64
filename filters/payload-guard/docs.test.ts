/**
 * @module filters/payload-guard/docs.test
 * The documentation keeps up with the code: both READMEs list exactly the shipped
 * prompt-injection phrases, the repository README names every configuration field of the schema
 * and every built-in detector, and the shipped phrases are each caught by the built filter.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { ALL_BUILTINS, CHAT, chat, loadGuard, send } from "./test-support.ts";

const read = (p: string) => readFileSync(new URL(p, import.meta.url), "utf8");
const shipped = [...read("./detect/injection-phrases.ts").matchAll(/^\s+"([^"]+)",$/gm)].map((m) => m[1]);
const rootReadme = read("../../README.md");
const section = rootReadme.slice(rootReadme.indexOf("<!-- filter:payload-guard -->"), rootReadme.indexOf("<!-- /filter:payload-guard -->"));

const listed = (md: string) => [...md.matchAll(/^- `([^`]+)`$/gm)].map((m) => m[1]);

test("both READMEs list exactly the shipped phrases", () => {
  assert.ok(shipped.length >= 30);
  assert.equal(listed(section), shipped);
  assert.equal(listed(read("./README.md")), shipped);
});

test("the README section names every schema field and every detector", () => {
  const schema = JSON.parse(read("./config.schema.json"));
  for (const f of Object.keys(schema.properties)) if (f !== "request" && f !== "response") assert.match(section, `\`${f}\``, f);
  for (const f of Object.keys(schema.properties.request.properties)) assert.match(section, `\`request.${f}\``, f);
  for (const f of Object.keys(schema.properties.response.properties)) assert.match(section, `\`response.${f}\``, f);
  for (const f of Object.keys(schema.properties.moderation.properties)) assert.match(section, `"${f}"`, f);
  for (const k of ALL_BUILTINS) assert.match(section, `| \`${k}\` |`, k);
});

test("every shipped phrase is caught, in capitals with folded whitespace", async () => {
  const host = await loadGuard({ request: { detectors: { prompt_injection: "block" } } });
  for (const p of shipped) {
    const s = await send(host, CHAT, chat(`well, ${p.toUpperCase().replaceAll(" ", " \n\t ")} ok`));
    assert.is(s.localResponse?.status, 400, p);
  }
});

test.run();
