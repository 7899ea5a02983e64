/**
 * @module harness/readme.test
 * README's harness examples are the files readme-example.test.ts and readme-tcp-example.test.ts
 * (which run as tests), so the documented examples cannot rot: this test fails when they drift apart.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";

test("README's harness example is readme-example.test.ts verbatim (apart from the import path)", () => {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("<!-- section:harness -->"), readme.indexOf("<!-- /section:harness -->"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "the harness section has a ts code block");
  const file = readFileSync("harness/readme-example.test.ts", "utf8").replace('from "./index.ts"', 'from "../../harness/index.ts"');
  assert.fixture(block!, file);
});

test("README's TCP example is readme-tcp-example.test.ts verbatim (apart from the import path)", () => {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("<!-- section:harness -->"), readme.indexOf("<!-- /section:harness -->"));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, "the harness section has a second ts code block");
  const file = readFileSync("harness/readme-tcp-example.test.ts", "utf8").replace('from "./index.ts"', 'from "../../harness/index.ts"');
  assert.fixture(blocks[1], file);
});

test.run();
