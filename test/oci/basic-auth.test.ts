/**
 * @module test/oci/basic-auth.test
 * A registry with htpasswd basic auth: credentials from --username/--password-stdin and
 * from Docker/Podman credential files, clear refusals, skopeo reading what tollgate
 * pushed and the other way round, and no secret in any output.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryModuleResolver } from "../../controller/oci/resolver.ts";
import { isolatedEnv, run, tempDir, tinyWasm, tollgate, type CliRun } from "./fixtures.ts";
import { assertOneLineFailure } from "./helpers.ts";
import { startRegistry, type RunningRegistry } from "./registry.ts";

const USER = "publisher";
const PASSWORD = "Pw-7f3e9c1b-do-not-print";
let reg: RunningRegistry;
const work = tempDir();
const runs: CliRun[] = [];
const tg = async (args: string[], opts: Parameters<typeof tollgate>[1] = {}) => {
  const r = await tollgate(args, opts);
  runs.push(r);
  return r;
};
const authFile = (file: string, user: string, password: string) => {
  writeFileSync(file, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${user}:${password}`).toString("base64") } } }));
};

test.before(async () => {
  reg = await startRegistry({ kind: "htpasswd", users: { [USER]: PASSWORD } });
  writeFileSync(join(work.path, "m.wasm"), tinyWasm("basic"));
});
test.after(async () => {
  await reg?.stop();
  work.remove();
});

test("anonymous access is refused with a hint", async () => {
  assertOneLineFailure(await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/m:1`, "--plain-http"]),
    /registry 127\.0\.0\.1:\d+ requires authentication for team\/m: use --username with --password-stdin, or a credentials file$/, 1);
});

test("a wrong password is refused as wrong credentials", async () => {
  assertOneLineFailure(await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/m:1`, "--plain-http", "--username", USER, "--password-stdin"], { stdin: "wrong-password\n" }),
    /refused the credentials for team\/m/, 1);
});

test("--username with --password-stdin pushes and pulls", async () => {
  const pushed = await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/m:1`, "--plain-http", "--username", USER, "--password-stdin"], { stdin: `${PASSWORD}\n` });
  assert.is(pushed.code, 0, pushed.stderr);
  const out = join(work.path, "pulled.wasm");
  const pulled = await tg(["pull", `${reg.host}/team/m:1`, "--plain-http", "-o", out, "--username", USER, "--password-stdin"], { stdin: PASSWORD });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.is(pulled.stdout, pushed.stdout);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "m.wasm")));
});

test("credentials from DOCKER_CONFIG, ~/.docker/config.json and REGISTRY_AUTH_FILE (which wins)", async () => {
  const dockerDir = join(work.path, "docker");
  const home = join(work.path, "home");
  mkdirSync(dockerDir);
  mkdirSync(join(home, ".docker"), { recursive: true });
  authFile(join(dockerDir, "config.json"), USER, PASSWORD);
  authFile(join(home, ".docker/config.json"), USER, PASSWORD);
  authFile(join(work.path, "podman-auth.json"), USER, PASSWORD);
  authFile(join(work.path, "stale.json"), USER, "stale-password");
  const inspect = (env: NodeJS.ProcessEnv) => tg(["inspect", `${reg.host}/team/m:1`, "--plain-http"], { env: isolatedEnv(env) });

  for (const env of [{ DOCKER_CONFIG: dockerDir }, { HOME: home }, { REGISTRY_AUTH_FILE: join(work.path, "podman-auth.json") }]) {
    const r = await inspect(env);
    assert.is(r.code, 0, `${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stdout, /^Layout:\s+compat$/m);
  }
  assertOneLineFailure(await inspect({ REGISTRY_AUTH_FILE: join(work.path, "stale.json"), DOCKER_CONFIG: dockerDir }), /refused the credentials/);
  // --username overrides the files
  const r = await tg(["inspect", `${reg.host}/team/m:1`, "--plain-http", "--username", USER, "--password-stdin"], { stdin: PASSWORD, env: isolatedEnv({ REGISTRY_AUTH_FILE: join(work.path, "stale.json") }) });
  assert.is(r.code, 0, r.stderr);
});

test("the resolver takes credentials from its options", async () => {
  const resolver = new RegistryModuleResolver({ plainHttp: true });
  const pinned = (await tg(["inspect", `${reg.host}/team/m:1`, "--plain-http", "--json", "--username", USER, "--password-stdin"], { stdin: PASSWORD })).stdout;
  const resolved = await resolver.resolve(`${reg.host}/team/m:1`, { credentials: { [reg.host]: { username: USER, password: PASSWORD } } });
  assert.is(resolved.digest, JSON.parse(pinned).digest);
  try {
    await resolver.resolve(`${reg.host}/team/m:1`);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /requires authentication/);
  }
});

test("skopeo reads what tollgate pushed; tollgate reads what skopeo copied in", async () => {
  const creds = `${USER}:${PASSWORD}`;
  const raw = await run("skopeo", ["inspect", "--tls-verify=false", "--creds", creds, "--raw", `docker://${reg.host}/team/m:1`]);
  assert.is(raw.code, 0, raw.stderr);
  assert.is(JSON.parse(raw.stdout).layers.length, 1);
  const copy = await run("skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", creds, "--dest-creds", creds,
    `docker://${reg.host}/team/m:1`, `docker://${reg.host}/team/copy:1`]);
  assert.is(copy.code, 0, copy.stderr);
  const out = join(work.path, "copy.wasm");
  const pulled = await tg(["pull", `${reg.host}/team/copy:1`, "--plain-http", "-o", out, "--username", USER, "--password-stdin"], { stdin: PASSWORD });
  assert.is(pulled.code, 0, pulled.stderr);
  assert.equal(readFileSync(out), readFileSync(join(work.path, "m.wasm")));
});

test("failures with TOLLGATE_DEBUG still print no secret", async () => {
  const wrong = await tg(["push", join(work.path, "m.wasm"), `${reg.host}/team/m:2`, "--plain-http", "--username", USER, "--password-stdin"], { stdin: `${PASSWORD}-typo`, env: isolatedEnv({ TOLLGATE_DEBUG: "1" }) });
  assert.match(wrong.stderr, /refused the credentials/);
  const tls = await tg(["pull", `${reg.host}/team/m:1`, "-o", join(work.path, "x.wasm"), "--username", USER, "--password-stdin"], { stdin: PASSWORD, env: isolatedEnv({ TOLLGATE_DEBUG: "1" }) });
  assert.match(tls.stderr, /cannot reach registry/);
});

test("no output of any run above contains the password or the Basic header", () => {
  assert.ok(runs.length >= 12);
  const secrets = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString("base64"), Buffer.from(`${USER}:${PASSWORD}-typo`).toString("base64"), "stale-password"];
  for (const r of runs) {
    for (const s of secrets) {
      assert.not.ok(r.stdout.includes(s) || r.stderr.includes(s), `secret leaked in: ${r.stdout}${r.stderr}`);
    }
  }
});

test.run();
