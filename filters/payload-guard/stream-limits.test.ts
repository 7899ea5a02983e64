/**
 * @module filters/payload-guard/stream-limits.test
 * Streams at the edges of the holdback window: a PEM private key longer than `holdbackBytes` is
 * redacted to its END line, however it is cut into events, and an SSE event too large to scan
 * never passes unscanned while a detector is configured (`bodyTooLarge` decides).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Host, HttpStream } from "../../harness/index.ts";
import { CHAT, DONE, SSE, chat, chatEvent, clientText, loadGuard, postHeaders } from "./test-support.ts";


function startStream(host: Host): HttpStream {
  const body = chat("hi", { stream: true });
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(CHAT, body));
  s.sendRequestBody(body, true);
  s.sendResponseHeaders(SSE);
  return s;
}

/** 40 lines of 64 base64 characters: 2.6 KB of key, far past a 64-byte window. */
const KEY_LINES = Array.from({ length: 40 }, (_, i) => (`MIIEpAIBAAKCAQEA${i.toString(36)}`.repeat(8)).slice(0, 64));
const KEY = ["-----BEGIN RSA PRIVATE KEY-----", ...KEY_LINES, "-----END RSA PRIVATE KEY-----"].join("\n");

function assertNoKeyMaterial(s: HttpStream): void {
  const text = clientText(s);
  for (const line of KEY_LINES) assert.not.ok(text.includes(line.slice(0, 20)), `key material reached the client: ${JSON.stringify(text.slice(0, 200))}`);
  assert.not.ok(text.includes("PRIVATE KEY"), "no BEGIN or END line reaches the client");
}

test("a private key longer than holdbackBytes, one line per event, is redacted through its END line", async () => {
  const host = await loadGuard({ response: { detectors: { private_key: "redact" }, holdbackBytes: 64 } });
  const s = startStream(host);
  s.sendResponseBody(chatEvent("Your key: "));
  for (const line of KEY.split("\n")) s.sendResponseBody(chatEvent(line + "\n"));
  s.sendResponseBody(chatEvent(" Keep it safe."));
  s.sendResponseBody(DONE, true);
  assertNoKeyMaterial(s);
  assert.is(clientText(s), "Your key: [REDACTED:private_key]\n Keep it safe.");
  assert.is(s.property("tollgate.guard.findings"), "private_key:1");
  assert.ok(s.client.bodyText.endsWith(DONE));
});

test("the END line split over two events still closes the key; text after it passes", async () => {
  const host = await loadGuard({ response: { detectors: { private_key: "redact", email: "redact" }, holdbackBytes: 64 } });
  const s = startStream(host);
  const text = KEY + " then mail a@b.io";
  const cut = text.indexOf("-----END") + 6; // "-----EN" | "D RSA PRIVATE KEY-----"
  for (let i = 0; i < cut; i += 50) s.sendResponseBody(chatEvent(text.slice(i, Math.min(i + 50, cut))));
  s.sendResponseBody(chatEvent(text.slice(cut)));
  s.sendResponseBody(DONE, true);
  assertNoKeyMaterial(s);
  assert.is(clientText(s), "[REDACTED:private_key] then mail [REDACTED:email]");
});

test("a key cut off by the end of the stream stays redacted to the end", async () => {
  const host = await loadGuard({ response: { detectors: { private_key: "redact" }, holdbackBytes: 64 } });
  const s = startStream(host);
  s.sendResponseBody(chatEvent("k "));
  for (const line of KEY_LINES.slice(0, 10)) s.sendResponseBody(chatEvent((line === KEY_LINES[0] ? "-----BEGIN EC PRIVATE KEY-----\n" : "") + line + "\n"));
  s.sendResponseBody(DONE, true);
  assertNoKeyMaterial(s);
  assert.is(clientText(s), "k [REDACTED:private_key]");
});

test("a second key after a closed one is found and counted on its own", async () => {
  const host = await loadGuard({ response: { detectors: { private_key: "redact" }, holdbackBytes: 64 } });
  const s = startStream(host);
  for (const line of (KEY + "\nand " + KEY).split("\n")) s.sendResponseBody(chatEvent(line + "\n"));
  s.sendResponseBody(DONE, true);
  assertNoKeyMaterial(s);
  assert.is(clientText(s), "[REDACTED:private_key]\nand [REDACTED:private_key]\n");
  assert.is(s.property("tollgate.guard.findings"), "private_key:2");
});

/** An event whose data line runs past 1 MiB, an email near its start; `end` adds its blank line. */
function hugeEvent(end: boolean): string {
  return chatEvent("mail a@b.io " + "x".repeat((1 << 20) + 100)).slice(0, end ? undefined : -2);
}

for (const end of [false, true]) {
  test(`an SSE event over 1 MiB (${end ? "complete" : "never ending"}) fails closed by default: an error event ends the stream`, async () => {
    const host = await loadGuard({ response: { detectors: { email: "redact" } } });
    const s = startStream(host);
    s.sendResponseBody(chatEvent("before "));
    s.sendResponseBody(hugeEvent(end));
    s.sendResponseBody(chatEvent("after") + DONE, true);
    const body = s.client.bodyText;
    assert.ok(body.length < 4096, `nothing of the big event passed (${body.length} bytes)`);
    assert.not.match(body, "a@b.io");
    assert.not.match(body, "after");
    assert.is(clientText(s), "before ");
    assert.match(body, /"code":"response_too_large"/);
    assert.is(host.metric("payload_guard.body_too_large")?.value, 1);
  });
}

test("with bodyTooLarge FailOpen the oversized event passes unscanned and is counted, held text still redacted", async () => {
  const host = await loadGuard({ bodyTooLarge: "FailOpen", response: { detectors: { email: "redact" } } });
  const s = startStream(host);
  s.sendResponseBody(chatEvent("to bob@example.com"));
  const big = hugeEvent(true);
  s.sendResponseBody(big);
  s.sendResponseBody(DONE, true);
  const body = s.client.bodyText;
  assert.ok(body.includes(big), "the oversized event passed byte for byte");
  assert.not.match(body, "bob@example.com");
  assert.match(body, "to [REDACTED:email]");
  assert.ok(body.endsWith(DONE));
  assert.is(host.metric("payload_guard.unscanned")?.value, 1);
});

test.run();
