/**
 * @module controller/oci/auth.test
 * Registry challenges: parsing, Basic, Bearer token fetch and caching, identity tokens.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:http";
import { Authenticator, parseChallenge } from "./auth.ts";

test("parses a Bearer challenge as registry 2.8 sends it", () => {
  const c = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/filter:pull,push"');
  assert.is(c.scheme, "bearer");
  assert.equal(c.params, { realm: "https://auth.example/token", service: "registry.example", scope: "repository:team/filter:pull,push" });
});

test("parses Basic, unquoted values, escapes and spacing", () => {
  assert.equal(parseChallenge('Basic realm="tollgate-test"'), { scheme: "basic", params: { realm: "tollgate-test" } });
  assert.equal(parseChallenge('bearer  realm=http://x/token , service = "s\\"q"').params, { realm: "http://x/token", service: 's"q' });
  assert.equal(parseChallenge(""), { scheme: "", params: {} });
});

test("Basic: answers once with the credentials, then gives up", async () => {
  const auth = new Authenticator("r.example", { username: "u", password: "p" });
  assert.ok(await auth.answer('Basic realm="x"', "repository:a:pull"));
  assert.is(auth.authorization("repository:a:pull"), `Basic ${Buffer.from("u:p").toString("base64")}`);
  assert.not.ok(await auth.answer('Basic realm="x"', "repository:a:pull"), "a second 401 means wrong credentials");
  assert.not.ok(await new Authenticator("r.example", undefined).answer('Basic realm="x"', "s"), "nothing to send without credentials");
});

test("Bearer: fetches a token for the scope with Basic credentials, caches it, honours access_token", async () => {
  const seen: { url: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ access_token: "tok-1", expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const realm = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  try {
    const auth = new Authenticator("r.example", { username: "u", password: "p" });
    assert.ok(await auth.answer(`Bearer realm="${realm}",service="svc"`, "repository:a:pull,push"));
    assert.is(auth.authorization("repository:a:pull,push"), "Bearer tok-1");
    assert.is(seen.length, 1);
    const url = new URL(seen[0].url, "http://x");
    assert.is(url.searchParams.get("service"), "svc");
    assert.is(url.searchParams.get("scope"), "repository:a:pull,push");
    assert.is(seen[0].auth, `Basic ${Buffer.from("u:p").toString("base64")}`);
    assert.not.ok(await auth.answer(`Bearer realm="${realm}",service="svc"`, "repository:a:pull,push"), "a fresh token that is refused again is final");
    assert.is(seen.length, 1);
  } finally {
    server.close();
  }
});

test("Bearer: an identity token is exchanged with the refresh-token grant, not sent as a password", async () => {
  let body = "";
  let method = "";
  const server = createServer((req, res) => {
    method = req.method!;
    req.on("data", (d) => (body += d));
    req.on("end", () => res.end(JSON.stringify({ token: "tok-2" })));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const realm = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  try {
    const auth = new Authenticator("r.example", { identityToken: "refresh-xyz" });
    assert.ok(await auth.answer(`Bearer realm="${realm}",service="svc"`, "repository:a:pull"));
    assert.is(method, "POST");
    const form = new URLSearchParams(body);
    assert.is(form.get("grant_type"), "refresh_token");
    assert.is(form.get("refresh_token"), "refresh-xyz");
    assert.is(auth.authorization("repository:a:pull"), "Bearer tok-2");
  } finally {
    server.close();
  }
});

test.run();
