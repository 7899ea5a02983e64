/**
 * @module filters/payload-guard/straddling.test
 * A match that begins in a released event and ends in a held one (a phrase across two deltas, a
 * phone number cut after its area code): what else lies in its rest — a shorter phrase inside
 * it, a phrase running on past it — is found as in the whole stream, so the client gets the same
 * bytes in every chunking (found by the fuzzer: one-letter redact phrases inside a flagged one).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { everyBoundary } from "../../test/support/chunkings.ts";
import type { Host } from "../../harness/index.ts";
import { CHAT, DONE, GEMINI_SSE, SSE, chat, chatEvent, clientText, loadGuard, postHeaders, send } from "./test-support.ts";

/** The client's bytes for `stream` cut at every byte boundary; asserts they are all the same and returns them. */
async function sameInEveryChunking(host: Host, stream: string, path = CHAT, body = chat("hi", { stream: true })): Promise<string> {
  let expected: string | null = null;
  for (const { name, chunks } of everyBoundary(stream)) {
    const s = await host.run({ request: { headers: postHeaders(path, body), body }, response: { headers: SSE, bodyChunks: chunks } });
    expected ??= s.client.bodyText;
    assert.is(s.client.bodyText, expected, name);
  }
  return expected!;
}

const textOf = (bodyText: string) => clientText({ client: { bodyText } } as Parameters<typeof clientText>[0]);

test("a redact phrase inside the rest of a flagged phrase that straddles two events is redacted in every chunking", async () => {
  const host = await loadGuard({ phraseLists: { places: { phrases: ["the weather in Paris"], response: "flag" }, letters: { phrases: ["A"], response: "redact" } } });
  const stream = chatEvent("the weather") + chatEvent(" in Paris now") + DONE;
  const out = await sameInEveryChunking(host, stream);
  assert.is(textOf(out), "the we[REDACTED:letters]ther in P[REDACTED:letters]ris now");
});

test("the same in Gemini's SSE shape (the fuzzer's case, CRLF framing)", async () => {
  const host = await loadGuard({ phraseLists: { places: { phrases: ["the weather in Paris"], response: "flag" }, letters: { phrases: ["O", "A"], response: "redact" } } });
  const ev = (t: string) => `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: t }] } }] })}\r\n\r\n`;
  // A last event without text: the two text events are complete (and the stream not over) when it is cut off.
  const USAGE = 'data: {"modelVersion":"gemini-2.5-flash","usageMetadata":{"trafficType":"ON_DEMAND"}}\r\n\r\n';
  const out = await sameInEveryChunking(host, ev("emoji 😀 the weather") + ev(" in Paris quo") + USAGE, GEMINI_SSE, JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }));
  const texts = out.split(/\r?\n\r?\n/).filter((b) => b.startsWith("data: {\"candidates")).map((b) => JSON.parse(b.slice(6)).candidates[0].content.parts[0].text);
  assert.ok(out.endsWith(USAGE), "the event without text passes byte for byte");
  assert.equal(texts, ["em[REDACTED:letters]ji 😀 the we[REDACTED:letters]ther", " in P[REDACTED:letters]ris qu[REDACTED:letters]"]);
});

test("the rest of a straddling phone number is still read by the phrases: a redact phrase inside and past it is redacted in every chunking", async () => {
  // Event 1 goes out once " then" shows the number complete; the phone's rest lies in event 2, and so does the whole phrase.
  const host = await loadGuard({ response: { detectors: { phone: "redact" } }, phraseLists: { codes: { phrases: ["4567 ok"], response: "redact" } } });
  const out = await sameInEveryChunking(host, chatEvent("call (555)") + chatEvent(" 123-4567 ok then") + chatEvent(" more") + DONE);
  assert.is(textOf(out), "call [REDACTED:phone] then more");
});

test("the detectors do not find the rest of a straddling match again on its own", async () => {
  // " 123-4567" alone would be a phone number of its own: counted once, redacted once.
  const host = await loadGuard({ response: { detectors: { phone: "redact" } } });
  const stream = chatEvent("call (555)") + chatEvent(" 123-4567 ok then") + chatEvent(" 555-123-4567 too") + DONE;
  const out = await sameInEveryChunking(host, stream);
  assert.is(textOf(out), "call [REDACTED:phone] ok then [REDACTED:phone] too");
  const s = await send(host, CHAT, chat("hi", { stream: true }), { response: { headers: SSE, bodyChunks: [chatEvent("call (555)"), chatEvent(" 123-4567 ok then"), chatEvent(" 555-123-4567 too") + DONE] } });
  assert.is(s.property("tollgate.guard.findings"), "phone:2");
});

test.run();
