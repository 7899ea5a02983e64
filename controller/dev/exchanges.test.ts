/**
 * @module controller/dev/exchanges.test
 * The exchange-file loader: every accepted shape, and the message for each kind of mistake.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bodyBytes, ExchangeFileError, loadExchangeFile, loadExchangeFiles, parseExchanges } from "./exchanges.ts";

const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c));

/** Parses and expects an ExchangeFileError; returns its message. */
function failure(source: string, file = "ex.yaml"): string {
  try {
    parseExchanges(source, file);
  } catch (err) {
    assert.instance(err, ExchangeFileError);
    assert.not.match((err as Error).message, "\n");
    return (err as Error).message;
  }
  assert.unreachable(`expected ${file} to be rejected`);
  return "";
}

const REQUEST = `request:\n  headers: {":method": POST, ":path": /v1/chat/completions}\n`;

test("the issue's example: one exchange with a streamed response", () => {
  const [ex, ...rest] = parseExchanges(
    `name: chat-stream
at: 0
request:
  headers: {":method": POST, ":path": /v1/chat/completions, ":authority": api.openai.com, content-type: application/json, x-api-key: team-a}
  body: '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
response:
  headers: {":status": "200", content-type: text/event-stream}
  bodyChunks: ["data: {}\\n\\n", "data: [DONE]\\n\\n"]
`,
    "samples/chat.yaml",
  );
  assert.is(rest.length, 0);
  assert.is(ex.name, "chat-stream");
  assert.is(ex.at, 0);
  assert.equal(ex.request.headers, [
    [":method", "POST"],
    [":path", "/v1/chat/completions"],
    [":authority", "api.openai.com"],
    ["content-type", "application/json"],
    ["x-api-key", "team-a"],
  ]);
  assert.equal(text(ex.request.bodyChunks), ['{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}']);
  assert.is(ex.request.trailers, null);
  assert.ok(ex.response);
  assert.is(ex.response!.status, 200);
  assert.equal(ex.response!.headers, [[":status", "200"], ["content-type", "text/event-stream"]]);
  assert.equal(text(ex.response!.bodyChunks), ["data: {}\n\n", "data: [DONE]\n\n"]);
  assert.equal(ex.source, { file: "samples/chat.yaml", index: null });
});

test("a list under exchanges:, with unknown top-level keys ignored and default names", () => {
  const list = parseExchanges(
    `notes: anything at all
owner: {team: a}
exchanges:
  - name: first
    notes: ignored too
    ${REQUEST.replace(/\n  /g, "\n      ")}
  - at: 1.5
    ${REQUEST.replace(/\n  /g, "\n      ")}
`,
    "dir/run.yml",
  );
  assert.equal(list.map((e) => e.name), ["first", "run[1]"]);
  assert.equal(list.map((e) => e.at), [null, 1.5]);
  assert.equal(list.map((e) => e.source.index), [0, 1]);
  assert.equal(list.map((e) => e.response), [null, null]);
  assert.equal(list[0].request.bodyChunks, []);
});

test("header names are lowercased, pseudo-headers kept as given, numbers become strings", () => {
  const [ex] = parseExchanges(
    `request:
  headers: {":method": GET, ":path": /, Content-Length: 0, X-Retry: 3.5, X-Empty: ""}
response:
  headers: {":status": 429, Retry-After: 7}
`,
    "h.yaml",
  );
  assert.equal(ex.request.headers.slice(2), [["content-length", "0"], ["x-retry", "3.5"], ["x-empty", ""]]);
  assert.equal(ex.response!.headers, [[":status", "429"], ["retry-after", "7"]]);
  assert.is(ex.response!.status, 429);
});

test("headers may also be a list of [name, value] pairs, for repeated names", () => {
  const [ex] = parseExchanges(
    `request:
  headers: [[":method", GET], [":path", /], [Cookie, a=1], [cookie, b=2]]
`,
    "h.yaml",
  );
  assert.equal(ex.request.headers.slice(2), [["cookie", "a=1"], ["cookie", "b=2"]]);
});

test("bodyChunks mixes text and raw bytes; a chunk may end inside a UTF-8 character", () => {
  // "é" is C3 A9: the first chunk ends with C3, the second starts with A9.
  const [ex] = parseExchanges(
    `${REQUEST}  bodyChunks: ["caf", {base64: ww==}, {base64: "qQ=="}, "", " ok"]
`,
    "b.yaml",
  );
  assert.equal(ex.request.bodyChunks.map((c) => [...c]), [[0x63, 0x61, 0x66], [0xc3], [0xa9], [], [0x20, 0x6f, 0x6b]]);
  assert.is(new TextDecoder().decode(bodyBytes(ex.request)), "café ok");
});

test("bodyBase64 gives the whole body as raw bytes; YAML !!binary works too", () => {
  const [a] = parseExchanges(`${REQUEST}  bodyBase64: "AAEC/w=="\n`, "b.yaml");
  assert.equal(a.request.bodyChunks.map((c) => [...c]), [[0, 1, 2, 255]]);
  assert.ok(a.request.bodyChunks[0] instanceof Uint8Array);
  const [b] = parseExchanges(`${REQUEST}  bodyChunks: [!!binary AAEC, tail]\n`, "b.yaml");
  assert.equal(b.request.bodyChunks.map((c) => [...c]), [[0, 1, 2], [0x74, 0x61, 0x69, 0x6c]]);
});

test("a body written as a mapping is sent as its JSON text", () => {
  const [ex] = parseExchanges(`${REQUEST}  body: {model: gpt-4o-mini, stream: true, messages: [{role: user, content: hi}]}\n`, "b.yaml");
  assert.equal(JSON.parse(new TextDecoder().decode(bodyBytes(ex.request))), {
    model: "gpt-4o-mini",
    stream: true,
    messages: [{ role: "user", content: "hi" }],
  });
});

test("trailers on request and response", () => {
  const [ex] = parseExchanges(
    `${REQUEST}  trailers: {Grpc-Status: 0}
response:
  headers: {":status": "200"}
  body: done
  trailers: [[x-usage, "12"]]
`,
    "t.yaml",
  );
  assert.equal(ex.request.trailers, [["grpc-status", "0"]]);
  assert.equal(ex.response!.trailers, [["x-usage", "12"]]);
  assert.equal(text(ex.response!.bodyChunks), ["done"]);
});

test("JSON files are read as JSON", () => {
  const list = parseExchanges(
    JSON.stringify({
      exchanges: [
        { name: "j", request: { headers: { ":method": "POST", ":path": "/v1/messages" }, bodyChunks: ["{", { base64: "fQ==" }] }, response: { headers: { ":status": "201" } } },
      ],
    }),
    "x.json",
  );
  assert.equal(text(list[0].request.bodyChunks), ["{", "}"]);
  assert.is(list[0].response!.status, 201);
  assert.match(failure("{ not json", "x.json"), /^x\.json: not valid JSON: /);
});

test("error messages name the file, the field and the exchange", () => {
  const list = (item: string) => `exchanges:\n  - name: a\n    ${REQUEST.replace(/\n  /g, "\n      ")}\n  - name: chat-stream\n${item}`;
  assert.is(
    failure(list(`    request:\n      headers: {":method": POST, ":path": /}\n      bodyChunks: ["ok", 42]\n`)),
    'ex.yaml: exchanges[1].request.bodyChunks[1]: expected a string or {base64}, got number 42 (exchange "chat-stream")',
  );
  assert.is(
    failure(`name: one\n${REQUEST}  bodyChunks: [{base64: "@@@"}]\n`),
    'ex.yaml: request.bodyChunks[0].base64: not valid base64 (exchange "one")',
  );
  assert.is(failure(`${REQUEST}  bodyChunks: [{base64: AA==, extra: 1}]\n`), "ex.yaml: request.bodyChunks[0]: expected a string or {base64}, got a mapping");
  assert.is(failure(`${REQUEST}  bodyBase64: "abc"\n  body: x\n`), "ex.yaml: request: give only one of body, bodyChunks, bodyBase64 (found body, bodyBase64)");
  assert.is(failure(`${REQUEST}  bodychunks: []\n`), "ex.yaml: request.bodychunks: unknown field (expected headers, body, bodyChunks, bodyBase64, trailers)");
  assert.is(failure(`${REQUEST}  body: 12\n`), "ex.yaml: request.body: expected a string (or a mapping or list, sent as JSON), got number 12");
  assert.is(failure(`request:\n  headers: {":path": /}\n`), 'ex.yaml: request.headers: missing ":method"');
  assert.is(failure(`request:\n  headers: {":method": GET, ":path": /, x-flag: true}\n`), "ex.yaml: request.headers.x-flag: expected a string or number, got boolean true");
  assert.is(failure(`request:\n  headers: {":method": GET, ":path": /, x-none: null}\n`), "ex.yaml: request.headers.x-none: expected a string or number, got null");
  assert.is(failure(`request:\n  headers: {":method": GET, ":path": /, "bad name": x}\n`), 'ex.yaml: request.headers.bad name: invalid header name "bad name"');
  assert.is(failure(`request:\n  headers: {":method": GET, ":path": /, ":status": 200}\n`), "ex.yaml: request.headers.:status: unknown request pseudo-header (expected one of :method, :path, :authority, :scheme, :protocol)");
  assert.is(failure(`request:\n  headers: [[":method", GET], [":path"]]\n`), "ex.yaml: request.headers[1]: expected a [name, value] pair, got a list");
  assert.is(failure(`request:\n  headers: "x"\n`), 'ex.yaml: request.headers: expected a mapping of header names to values (or a list of [name, value] pairs), got the string "x"');
  assert.is(failure(`${REQUEST}  trailers: {":path": /x}\n`), 'ex.yaml: request.trailers.:path: pseudo-header ":path" is not allowed here');
  assert.is(failure(`${REQUEST}response:\n  headers: {content-type: text/plain}\n`), 'ex.yaml: response.headers: missing ":status"');
  assert.is(failure(`${REQUEST}response:\n  headers: {":status": 700}\n`), 'ex.yaml: response.headers.:status: expected a status from 100 to 599, got "700"');
  assert.is(failure(`${REQUEST}response: "ok"\n`), 'ex.yaml: response: expected a mapping with headers and a body, got the string "ok"');
  assert.is(failure(`name: 7\n${REQUEST}`), "ex.yaml: name: expected a non-empty string, got number 7");
  assert.is(failure(`name: n\nat: -1\n${REQUEST}`), 'ex.yaml: at: expected seconds (a number >= 0), got number -1 (exchange "n")');
  assert.is(failure(`name: n\n`), 'ex.yaml: request: missing (exchange "n")');
});

test("file-level mistakes", () => {
  assert.is(failure("- a\n- b\n"), "ex.yaml: expected an exchange or a mapping with exchanges:, got a list");
  assert.is(failure("exchanges: {a: 1}\n"), "ex.yaml: exchanges: expected a list of exchanges, got a mapping");
  assert.is(failure("exchanges: []\n"), "ex.yaml: exchanges: the list is empty");
  assert.is(failure(`exchanges: [1]\n`), "ex.yaml: exchanges[0]: expected an exchange (a mapping with request and response), got number 1");
  assert.is(failure(`exchanges: []\n${REQUEST}`), "ex.yaml: request: a file holds one exchange or a list under exchanges:, not both");
  assert.match(failure("a: [1, 2\n"), /^ex\.yaml: not valid YAML: /);
  assert.match(failure("a: 1\na: 2\n"), /^ex\.yaml: not valid YAML: Map keys must be unique/);
});

test("the clock never goes back, within a file and across files", async () => {
  const item = (name: string, at: number) => `  - name: ${name}\n    at: ${at}\n    ${REQUEST.replace(/\n  /g, "\n      ")}`;
  assert.is(
    failure(`exchanges:\n${item("a", 5)}\n${item("b", 2)}\n`),
    "ex.yaml: exchanges[1].at: 2 is earlier than the previous exchange's 5: exchanges run in order and the clock never goes back (exchange \"b\")",
  );
  const dir = await mkdtemp(join(tmpdir(), "tollgate-exchanges-"));
  try {
    await writeFile(join(dir, "one.yaml"), `exchanges:\n${item("a", 1)}\n${item("b", 3)}\n`);
    await writeFile(join(dir, "two.json"), JSON.stringify({ name: "c", at: 2, request: { headers: { ":method": "GET", ":path": "/" } } }));
    await writeFile(join(dir, "three.yaml"), `name: d\nat: 3\n${REQUEST}`);
    const ok = await loadExchangeFiles([join(dir, "one.yaml"), join(dir, "three.yaml")]);
    assert.equal(ok.map((e) => [e.name, e.at]), [["a", 1], ["b", 3], ["d", 3]]);
    try {
      await loadExchangeFiles([join(dir, "one.yaml"), join(dir, "two.json")]);
      assert.unreachable("two.json goes back in time");
    } catch (err) {
      assert.instance(err, ExchangeFileError);
      assert.is((err as Error).message, `${join(dir, "two.json")}: at: 2 is earlier than the previous exchange's 3: exchanges run in order and the clock never goes back (exchange "c")`);
    }
    try {
      await loadExchangeFile(join(dir, "missing.yaml"));
      assert.unreachable("missing file");
    } catch (err) {
      assert.is((err as Error).message, `${join(dir, "missing.yaml")}: no such file`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
