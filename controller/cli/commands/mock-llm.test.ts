/**
 * @module controller/cli/commands/mock-llm.test
 * `tollgate mock-llm` as a user runs it: a real process that listens, serves with the flag
 * defaults, logs each request, and stops cleanly on SIGTERM and SIGINT; bad flags and a busy
 * port give a one-line message and a non-zero exit.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { post, sseJson } from "../../dev/mock-llm/test-client.ts";
import { parseListen } from "./mock-llm.ts";

const BIN = fileURLToPath(new URL("../bin.mjs", import.meta.url));

interface Run {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

function run(...args: string[]): Run {
  const child = spawn(process.execPath, [BIN, "mock-llm", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function listening(r: Run): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout());
    if (m) return m[1];
    if (Date.now() > end || r.child.exitCode !== null) throw new Error(`mock-llm did not start: ${r.stdout()} ${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

test("serves with the flags as defaults, logs each request, stops cleanly on SIGTERM", async () => {
  const r = run("--listen", "127.0.0.1:0", "--chunks", "3", "--no-usage");
  try {
    const url = await listening(r);
    const events = sseJson((await post(url, "/v1/chat/completions", { model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] })).text);
    assert.is(events.filter((c) => c.choices?.[0]?.delta?.content).length, 3);
    assert.ok(events.slice(0, -1).every((c) => !("usage" in c)));
    // A header still overrides the flag.
    const one = (await post(url, "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }] }, { "x-mock-fail": "503" }));
    assert.is(one.status, 503);
    r.child.kill("SIGTERM");
    assert.is(await r.exit, 0);
    assert.match(r.stdout(), "POST /v1/chat/completions 200 stream finished");
    assert.match(r.stdout(), "POST /v1/chat/completions 503");
    assert.match(r.stdout(), "mock-llm stopped (SIGTERM)");
    assert.is(r.stderr(), "");
  } finally {
    r.child.kill("SIGKILL");
  }
});

test("SIGINT during a running stream still exits 0", async () => {
  const r = run("--listen", "127.0.0.1:0", "--chunk-delay-ms", "60000", "--quiet");
  try {
    const url = await listening(r);
    const pending = post(url, "/v1/messages", { model: "c", max_tokens: 9, stream: true, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    await new Promise((res) => setTimeout(res, 100));
    r.child.kill("SIGINT");
    assert.is(await r.exit, 0);
    await pending;
    assert.match(r.stdout(), "mock-llm stopped (SIGINT)");
    assert.not.match(r.stdout(), "POST /v1/messages");
  } finally {
    r.child.kill("SIGKILL");
  }
});

test("bad flags and a busy port: one line on stderr, non-zero exit", async () => {
  const bad = run("--fail", "200");
  assert.is(await bad.exit, 2);
  assert.is(bad.stderr(), "tollgate mock-llm: --fail: expected a number from 400 to 599, got 200\n");
  const unknown = run("--port", "1");
  assert.is(await unknown.exit, 2);
  assert.match(unknown.stderr(), /^tollgate mock-llm: Unknown option '--port' \(see tollgate mock-llm --help\)\n$/);

  const blocker = createServer();
  await new Promise<void>((res) => blocker.listen(0, "127.0.0.1", res));
  const port = (blocker.address() as { port: number }).port;
  try {
    const busy = run("--listen", `127.0.0.1:${port}`);
    assert.is(await busy.exit, 1);
    assert.is(busy.stderr(), `tollgate mock-llm: cannot listen on 127.0.0.1:${port}: address already in use\n`);
  } finally {
    blocker.close();
  }
});

test("--listen forms", () => {
  assert.equal(parseListen("127.0.0.1:8081"), { host: "127.0.0.1", port: 8081 });
  assert.equal(parseListen(":9000"), { host: "127.0.0.1", port: 9000 });
  assert.equal(parseListen("9000"), { host: "127.0.0.1", port: 9000 });
  assert.equal(parseListen("[::1]:0"), { host: "::1", port: 0 });
  assert.throws(() => parseListen("localhost:99999"), /--listen: expected HOST:PORT/);
  assert.throws(() => parseListen("127.0.0.1"), /--listen: expected HOST:PORT/);
});

test.run();
