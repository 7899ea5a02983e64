/**
 * @module test/oci/tls.test
 * The default transport: HTTPS. A registry with a self-signed certificate is trusted
 * through NODE_EXTRA_CA_CERTS (as any Node program), refused with a hint otherwise, and
 * --plain-http against it says to drop the flag. skopeo checks the same certificate.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isolatedEnv, run, tempDir, tinyWasm, tollgate } from "./fixtures.ts";
import { assertOneLineFailure } from "./helpers.ts";
import { selfSignedCertificate, startRegistry, type RunningRegistry } from "./registry.ts";

let reg: RunningRegistry;
let certFile: string;
const work = tempDir();

test.before(async () => {
  const tls = await selfSignedCertificate(work.path);
  certFile = tls.certFile;
  reg = await startRegistry({ kind: "none" }, tls);
  writeFileSync(join(work.path, "m.wasm"), tinyWasm("tls"));
});
test.after(async () => {
  await reg?.stop();
  work.remove();
});

test("push and pull over HTTPS with the CA in NODE_EXTRA_CA_CERTS", async () => {
  const env = isolatedEnv({ NODE_EXTRA_CA_CERTS: certFile });
  const pushed = await tollgate(["push", join(work.path, "m.wasm"), `${reg.host}/secure/m:1`], { env });
  assert.is(pushed.code, 0, pushed.stderr);
  const out = join(work.path, "out.wasm");
  const pulled = await tollgate(["pull", `${reg.host}/secure/m:1`, "-o", out], { env });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.is(pulled.stdout, pushed.stdout);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "m.wasm")));

  const certDir = join(work.path, "certs");
  mkdirSync(certDir);
  copyFileSync(certFile, join(certDir, "ca.crt"));
  const raw = await run("skopeo", ["inspect", "--cert-dir", certDir, "--raw", `docker://${reg.host}/secure/m:1`]);
  assert.is(raw.code, 0, raw.stderr);
  assert.is(JSON.parse(raw.stdout).layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
});

test("an untrusted certificate is refused with a hint", async () => {
  assertOneLineFailure(await tollgate(["pull", `${reg.host}/secure/m:1`, "-o", join(work.path, "x.wasm")]),
    /cannot reach registry 127\.0\.0\.1:\d+ \([A-Z_]+\) \(its TLS certificate is not trusted: add the CA with NODE_EXTRA_CA_CERTS\)$/);
});

test("--plain-http against an HTTPS registry says so", async () => {
  assertOneLineFailure(await tollgate(["inspect", `${reg.host}/secure/m:1`, "--plain-http"]), /refused plain HTTP: it speaks HTTPS, drop --plain-http$/);
});

test.run();
