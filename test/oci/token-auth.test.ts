/**
 * @module test/oci/token-auth.test
 * A registry behind a bearer token service the test runs (`auth: token`, ES256 JWTs
 * signed with a key whose self-signed certificate is the registry's rootcertbundle):
 * the challenge flow with scopes, anonymous pull-only access, refusals, skopeo against
 * the same setup, and no password or token in any output.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryModuleResolver } from "../../controller/oci/resolver.ts";
import { isolatedEnv, run, tempDir, tinyWasm, tollgate, type CliRun } from "./fixtures.ts";
import { assertOneLineFailure } from "./helpers.ts";
import { startRegistry, type RunningRegistry } from "./registry.ts";
import { startTokenServer, type TokenServer } from "./token-server.ts";

const USER = "ci-bot";
const PASSWORD = "tok-pw-5d1c8a-do-not-print";
const IDENTITY_TOKEN = "identity-9b2e77-do-not-print";
let reg: RunningRegistry;
let tokens: TokenServer;
const work = tempDir();
const runs: CliRun[] = [];
const tg = async (args: string[], opts: Parameters<typeof tollgate>[1] = {}) => {
  const r = await tollgate(args, opts);
  runs.push(r);
  return r;
};
const login = ["--username", USER, "--password-stdin"];

test.before(async () => {
  tokens = await startTokenServer(work.path, { users: { [USER]: PASSWORD }, identityTokens: { [IDENTITY_TOKEN]: USER }, anonymousPull: true });
  reg = await startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile });
  writeFileSync(join(work.path, "m.wasm"), tinyWasm("token"));
});
test.after(async () => {
  await reg?.stop();
  await tokens?.stop();
  work.remove();
});

test("push with credentials: token requested for the service and the repository's pull,push scope", async () => {
  const pushed = await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/filter:1`, "--plain-http", ...login], { stdin: PASSWORD });
  assert.is(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, /^sha256:[a-f0-9]{64}\n$/);
  const asked = tokens.requests.filter((r) => r.account === USER);
  assert.ok(asked.length >= 1);
  for (const r of asked) {
    assert.is(r.service, "tollgate-test-registry");
    assert.equal(r.scopes, ["repository:team/filter:pull,push"]);
  }
  assert.is(asked.length, 1, "one token serves every request of the push");
});

test("anonymous pull gets a pull-only token; anonymous push is refused with a hint", async () => {
  const before = tokens.requests.length;
  const out = join(work.path, "anon.wasm");
  const pulled = await tg(["pull", `${reg.host}/team/filter:1`, "--plain-http", "-o", out]);
  assert.is(pulled.code, 0, pulled.stderr);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "m.wasm")));
  const anon = tokens.requests.slice(before);
  assert.ok(anon.length >= 1 && anon.every((r) => !r.authenticated && r.scopes[0] === "repository:team/filter:pull"));
  assertOneLineFailure(await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/filter:2`, "--plain-http"]), /requires authentication for team\/filter: use --username/);
});

test("wrong credentials are refused by the token service, one line", async () => {
  assertOneLineFailure(await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/filter:2`, "--plain-http", ...login], { stdin: "not-the-password" }), /registry 127\.0\.0\.1:\d+ refused the credentials$/, 1);
});

test("the resolver pins the digest through the token flow, with and without credentials", async () => {
  const digest = (await tg(["inspect", `${reg.host}/team/filter:1`, "--plain-http", "--json"])).stdout;
  const resolver = new RegistryModuleResolver({ plainHttp: true });
  assert.is((await resolver.resolve(`${reg.host}/team/filter:1`)).digest, JSON.parse(digest).digest);
  assert.is((await resolver.resolve(`${reg.host}/team/filter:1`, { credentials: { [reg.host]: { username: USER, password: PASSWORD } } })).layout, "compat");
});

test("skopeo authenticates through the same token service and reads what tollgate pushed", async () => {
  const raw = await run("skopeo", ["inspect", "--tls-verify=false", "--creds", `${USER}:${PASSWORD}`, "--raw", `docker://${reg.host}/team/filter:1`]);
  assert.is(raw.code, 0, raw.stderr);
  const copy = await run("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", `${USER}:${PASSWORD}`, "--dest-creds", `${USER}:${PASSWORD}`,
    `docker://${reg.host}/team/filter:1`, `docker://${reg.host}/team/copied:1`]);
  assert.is(copy.code, 0, copy.stderr);
  const out = join(work.path, "copied.wasm");
  const pulled = await tg(["pull", `${reg.host}/team/copied:1`, "--plain-http", "-o", out, ...login], { stdin: PASSWORD, env: isolatedEnv({ TOLLGATE_DEBUG: "1" }) });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "m.wasm")));
});

test("an identity token from a credentials file is exchanged with the refresh-token grant and can push", async () => {
  const file = join(work.path, "auth.json");
  writeFileSync(file, JSON.stringify({ auths: { [reg.host]: { identitytoken: IDENTITY_TOKEN } } }));
  const before = tokens.requests.length;
  const pushed = await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/by-identity:1`, "--plain-http"], { env: isolatedEnv({ REGISTRY_AUTH_FILE: file }) });
  assert.is(pushed.code, 0, pushed.stderr);
  assert.equal(tokens.requests.slice(before).map((r) => [r.account, r.scopes]), [[USER, ["repository:team/by-identity:pull,push"]]]);
  writeFileSync(file, JSON.stringify({ auths: { [reg.host]: { identitytoken: "revoked" } } }));
  assertOneLineFailure(await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/by-identity:2`, "--plain-http"], { env: isolatedEnv({ REGISTRY_AUTH_FILE: file }) }), /refused the credentials/);
});

test("no output contains the password, its Basic form or any issued token", () => {
  assert.ok(tokens.issued.length >= 3);
  const secrets = [PASSWORD, IDENTITY_TOKEN, Buffer.from(`${USER}:${PASSWORD}`).toString("base64"), ...tokens.issued, ...tokens.issued.map((t) => t.split(".")[2])];
  for (const r of runs) for (const s of secrets) assert.not.ok(r.stdout.includes(s) || r.stderr.includes(s), `secret leaked in: ${r.stdout}${r.stderr}`);
});

test.run();
