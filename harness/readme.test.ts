/**
 * @module harness/readme.test
 * README's harness example is the file readme-example.test.ts (which runs as a test), so
 * the documented example cannot rot: this test fails when the two drift apart.
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

test.run();
