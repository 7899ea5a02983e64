/**
 * @module filters/payload-guard/gemini-array.test
 * Gemini `streamGenerateContent` without `alt=sse`: one JSON array of response objects arriving
 * in pieces. The guard holds it back element by element like SSE events: a secret split over two
 * elements is redacted before any part of it passes, untouched elements pass byte for byte, the
 * array stays valid JSON, and a block ends the array with an error element.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { everyBoundary } from "../../test/support/chunkings.ts";
import type { Host, HttpStream } from "../../harness/index.ts";
import { loadGuard, postHeaders } from "./test-support.ts";

const PATH = "/v1beta/models/gemini-2.0-flash:streamGenerateContent";
const JSON_HEADERS = { ":status": "200", "content-type": "application/json; charset=UTF-8" };
const REQUEST = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });

/** One element as Gemini pretty-prints it (CRLF line ends). */
function element(text: string): string {
  return JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }], modelVersion: "gemini-2.0-flash" }, null, 2).replace(/\n/g, "\r\n");
}

/** The array as the upstream sends it: `[{…}\r\n,\r\n{…}\r\n]`, one piece per element. */
function pieces(texts: string[]): string[] {
  return texts.map((t, i) => (i === 0 ? "[" : "\r\n,\r\n") + element(t)).concat(["\r\n]"]);
}

function start(host: Host): HttpStream {
  const s = host.stream();
  s.sendRequestHeaders(postHeaders(PATH, REQUEST));
  s.sendRequestBody(REQUEST, true);
  s.sendResponseHeaders(JSON_HEADERS);
  return s;
}

/** The text the client has, when what it received so far parses (closed with `]` if still open). */
function texts(body: string): string[] {
  const trimmed = body.trimEnd();
  const parsed = JSON.parse(trimmed.endsWith("]") ? trimmed : trimmed + "]");
  return parsed.map((e: any) => e.error ? `ERROR:${e.error.message}` : e.candidates[0].content.parts.map((p: any) => p.text).join(""));
}

test("a key split over two array elements is redacted before any part of it passes; the array stays valid", async () => {
  const host = await loadGuard({ response: { detectors: { openai_key: "redact" } } });
  const s = start(host);
  const parts = pieces(["Here: sk-proj-abcdef", "ghijklmnopqrstuvwx ok", " done."]);
  s.sendResponseBody(parts[0]);
  assert.not.match(s.client.bodyText, "sk-proj", "the element ending in half a key is held");
  s.sendResponseBody(parts[1]);
  assert.not.match(s.client.bodyText, "ghijkl");
  s.sendResponseBody(parts[2]);
  s.sendResponseBody(parts[3], true);
  assert.equal(texts(s.client.bodyText), ["Here: [REDACTED:openai_key]", " ok", " done."]);
  assert.is(s.property("tollgate.guard.findings"), "openai_key:1");
});

test("prose passes element by element (held back at most one element), byte for byte", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact", openai_key: "redact" } } });
  const s = start(host);
  const parts = pieces(["The answer ", "is forty ", "two. ", "Bye."]);
  for (let i = 0; i < parts.length - 1; i++) {
    s.sendResponseBody(parts[i]);
    if (i > 0) assert.ok(s.client.bodyText.length >= parts.slice(0, i).join("").length, `after ${i + 1} elements`);
  }
  s.sendResponseBody(parts[parts.length - 1], true);
  assert.is(s.client.bodyText, parts.join(""));
});

test("redaction is the same in every chunking of the array (cut at every byte)", async () => {
  const host = await loadGuard({ response: { detectors: { email: "redact" } } });
  const whole = pieces(["mail jane@", "example.com now", " bye"]).join("");
  for (const { name, chunks } of everyBoundary(whole)) {
    const s = start(host);
    chunks.forEach((c, i) => s.sendResponseBody(c, i === chunks.length - 1));
    assert.equal(texts(s.client.bodyText), ["mail [REDACTED:email]", " now", " bye"], name);
  }
});

test("a block mid-array ends it with an error element and the closing bracket; the text never arrives", async () => {
  const host = await loadGuard({ response: { detectors: { aws_access_key: "block" } } });
  const s = start(host);
  const parts = pieces(["Fine so far. ", "the id AKIAIOSFODNN7EXAMPLE", " more"]);
  parts.forEach((p, i) => s.sendResponseBody(p, i === parts.length - 1));
  assert.not.match(s.client.bodyText, "AKIA");
  const got = texts(s.client.bodyText);
  assert.is(got[0], "Fine so far. ");
  assert.is(got[got.length - 1], "ERROR:response blocked by payload-guard: aws_access_key detected");
  assert.ok(s.client.bodyText.trimEnd().endsWith("]"));
});

test("a block in the first element still sends a whole array", async () => {
  const host = await loadGuard({ response: { detectors: { aws_access_key: "block" } } });
  const s = start(host);
  const parts = pieces(["AKIAIOSFODNN7EXAMPLE"]);
  parts.forEach((p, i) => s.sendResponseBody(p, i === parts.length - 1));
  assert.equal(texts(s.client.bodyText), ["ERROR:response blocked by payload-guard: aws_access_key detected"]);
});

test.run();
