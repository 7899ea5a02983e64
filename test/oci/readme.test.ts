/**
 * @module test/oci/readme.test
 * README's OCI walkthrough, run exactly as written: the first ```sh block of the `oci`
 * section goes to bash unchanged (only an EXIT trap is added, to stop the registry it
 * starts even when a line fails, and `-x` so a failure shows the command that failed). The trap
 * must not fail under `set -e`: a `[ … ] && kill` whose kill finds the registry already reaped
 * made bash exit 1 after a clean walk, the intermittent failure seen in parallel CI runs.
 * It needs 127.0.0.1:5000 free, as the README says.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { isolatedEnv, ROOT, run } from "./fixtures.ts";

function walkthrough(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("<!-- section:oci -->"), readme.indexOf("<!-- /section:oci -->"));
  const block = /```sh\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, "the oci section has a sh block");
  return block[1];
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const s = createServer();
    s.once("error", () => resolvePromise(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolvePromise(true)));
  });
}

test("README: build → push → inspect → pull → FilterModule rendered with the pushed digest", async () => {
  assert.ok(await portFree(5000), "127.0.0.1:5000 is taken; the README walkthrough uses it");
  const script = walkthrough();
  assert.match(script, /npx tollgate push /);
  const result = await run("bash", ["-c", `trap 'if [ -n "\${REGISTRY_PID:-}" ]; then kill "$REGISTRY_PID" 2>/dev/null || true; fi' EXIT\nset -euxo pipefail\n${script}`], { env: isolatedEnv() });
  assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const pushed = /^(sha256:[a-f0-9]{64})$/m.exec(result.stdout);
  assert.ok(pushed, `push printed a digest:\n${result.stdout}`);
  assert.match(result.stdout, new RegExp(`^Digest:\\s+${pushed[1]}$`, "m"), "inspect shows the pushed digest");
  assert.match(result.stdout, /^Layout:\s+compat$/m);
  assert.match(result.stdout, /^kind: WasmPlugin$/m);
  assert.match(result.stdout, /^ {2}url: oci:\/\/127\.0\.0\.1:5000\/tollgate\/abi-probe:0\.1\.0$/m);
  assert.match(result.stdout, new RegExp(`^ {2}sha256: ${pushed[1].slice(7)}$`, "m"), "the WasmPlugin pins the digest push printed");
  assert.ok(await portFree(5000), "the registry was stopped");
});

test.run();
