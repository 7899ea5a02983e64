/**
 * @module controller/oci/credentials.test
 * Docker/Podman credential files: entry forms, lookup order, broken files.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authFilePaths, loadCredentialFiles, readAuthFile, registryKey } from "./credentials.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-creds-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("registry keys: scheme and path are dropped", () => {
  assert.is(registryKey("https://index.example/v1/"), "index.example");
  assert.is(registryKey("127.0.0.1:5000"), "127.0.0.1:5000");
});

test("auth entries: base64 user:pass (password may contain ':'), username/password, identity token", () => {
  withDir((dir) => {
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ auths: {
      "127.0.0.1:5000": { auth: b64("alice:pa:ss") },
      "https://reg.example/v2/": { username: "bob", password: "pw" },
      "tok.example": { identitytoken: "refresh" },
    } }));
    assert.equal(readAuthFile(file), {
      "127.0.0.1:5000": { username: "alice", password: "pa:ss" },
      "reg.example": { username: "bob", password: "pw" },
      "tok.example": { identityToken: "refresh" },
    });
  });
});

test("lookup order: REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR auth.json, then DOCKER_CONFIG, else ~/.docker", () => {
  withDir((dir) => {
    mkdirSync(join(dir, "containers"));
    mkdirSync(join(dir, "docker"));
    mkdirSync(join(dir, "home/.docker"), { recursive: true });
    writeFileSync(join(dir, "podman.json"), JSON.stringify({ auths: { a: { auth: b64("podman:1") } } }));
    writeFileSync(join(dir, "containers/auth.json"), JSON.stringify({ auths: { a: { auth: b64("xdg:2") }, b: { auth: b64("xdg:2") } } }));
    writeFileSync(join(dir, "docker/config.json"), JSON.stringify({ auths: { a: { auth: b64("docker:3") }, b: { auth: b64("docker:3") }, c: { auth: b64("docker:3") } } }));
    writeFileSync(join(dir, "home/.docker/config.json"), JSON.stringify({ auths: { d: { auth: b64("home:4") } } }));
    const env = { REGISTRY_AUTH_FILE: join(dir, "podman.json"), XDG_RUNTIME_DIR: dir, DOCKER_CONFIG: join(dir, "docker") };
    const creds = loadCredentialFiles(env, join(dir, "home"));
    assert.is(creds.a.username, "podman");
    assert.is(creds.b.username, "xdg");
    assert.is(creds.c.username, "docker");
    assert.is(creds.d, undefined, "DOCKER_CONFIG replaces ~/.docker");
    assert.is(loadCredentialFiles({}, join(dir, "home")).d.username, "home");
    assert.equal(authFilePaths({}, "/h"), [join("/h", ".docker", "config.json")]);
  });
});

test("a missing file is no credentials; a broken one is a clear error without its content", () => {
  withDir((dir) => {
    assert.equal(readAuthFile(join(dir, "nope.json")), {});
    writeFileSync(join(dir, "bad.json"), '{"auths": {"h": {"auth": "c2VjcmV0' /* truncated */);
    assert.throws(() => readAuthFile(join(dir, "bad.json")), (err: Error) => /is not valid JSON$/.test(err.message) && !err.message.includes("c2VjcmV0"));
    writeFileSync(join(dir, "nocolon.json"), JSON.stringify({ auths: { h: { auth: b64("secretwithoutcolon") } } }));
    assert.throws(() => readAuthFile(join(dir, "nocolon.json")), (err: Error) => /not base64 of user:password/.test(err.message) && !err.message.includes("secretwithoutcolon"));
  });
});

test.run();
