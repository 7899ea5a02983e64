/**
 * @module filters/sdk/readme-example.test
 * README's SDK example must compile as pasted and meet the module rules every filter meets.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileReadmeExample } from "./readme-example.ts";
import { checkModuleShape } from "../../test/module-shape.ts";

test("README's sdk example compiles as a filter and passes the import/export rules", async () => {
  const wasm = await compileReadmeExample();
  assert.equal(checkModuleShape(wasm), []);
});

test.run();
