/**
 * @module scripts/start.test
 * `npm start` end to end: the script starts (building if needed), prints its three curl
 * commands, and those exact command lines — run by a shell, with curl — show a routed request,
 * a redacted prompt and a 429 once the budget is spent; Ctrl-C then stops it with status 0.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const sh = promisify(execFile);

test("npm start prints three commands that show routing, redaction and a 429; Ctrl-C stops it cleanly", async () => {
  // Port 0: any free port, so the test never collides with a demo already running on 8080.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, TOLLGATE_PORT: "0", TOLLGATE_MOCK_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "", err = "";
  child.stdout.setEncoding("utf8").on("data", (c) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 240_000;
    while (!out.includes("Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes("Ctrl-C"), `npm start did not come up:\n${out}\n${err}`);
    const context = () => `\n--- npm start output ---\n${out}\n${err}`;
    assert.match(out, /Tollgate dev gateway {2}http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /mock LLM upstream {5}http:\/\/127\.0\.0\.1:\d+/);
    const commands = out.split("\n").filter((l) => /^ {3}(curl|for) /.test(l)).map((l) => l.trim());
    assert.is(commands.length, 3, out);

    const routed = JSON.parse((await sh("bash", ["-c", commands[0]])).stdout);
    assert.is(routed.model, "gpt-4o-mini");
    assert.is(routed.choices[0].message.content, 'Mock answer from gpt-4o-mini: you said "Hello, Tollgate!".');

    const redacted = JSON.parse((await sh("bash", ["-c", commands[1]])).stdout);
    assert.is(redacted.choices[0].message.content, 'Mock answer from gpt-4o-mini: you said "Write to [REDACTED:email] today".');

    const codes = (await sh("bash", ["-c", commands[2]])).stdout.trim().split("\n");
    assert.equal(codes, ["200", "200", "429"], context());

    // The per-request log lines were printed, one per request (5 so far; a line follows its response).
    const logged = () => out.split("\n").filter((l) => l.startsWith("POST /v1/chat/completions ")).length;
    for (let i = 0; i < 50 && logged() < 5; i++) await new Promise((r) => setTimeout(r, 100));
    assert.is(logged(), 5);
    assert.match(out, /POST \/v1\/chat\/completions 429 model=gpt-4o-mini .* local-reply=token-limit/);
  } finally {
    child.kill("SIGINT");
  }
  assert.is(await exited, 0);
  assert.match(out, "stopped (SIGINT)");
});

test.run();
