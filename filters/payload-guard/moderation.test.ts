/**
 * @module filters/payload-guard/moderation.test
 * The moderation callout: the (already redacted) prompt goes to the configured cluster and path;
 * a flagged answer blocks, a clean one lets the request go on; a timeout, a failed call, an error
 * status or an unreadable answer follow `failureMode` (FailOpen passes and counts, FailClosed
 * answers 503). Both gateway set-ups.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Host, HttpStream } from "../../harness/index.ts";
import { CHAT, chat, loadGuard, postHeaders, upstreamText } from "./test-support.ts";

const MOD = { cluster: "outbound|80||moderation.svc", path: "/v1/moderations", authority: "moderation.svc", model: "omni-moderation-latest", timeout: "500ms" };
const answer = (flagged: boolean) => ({ headers: { ":status": "200", "content-type": "application/json" }, body: JSON.stringify({ id: "modr-1", model: "omni", results: [{ flagged, categories: { violence: flagged } }] }) });

async function setup(holdHeaders: boolean, failureMode: "FailOpen" | "FailClosed"): Promise<Host> {
  return loadGuard({ holdHeaders, request: { detectors: { email: "redact" } }, moderation: { ...MOD, failureMode } }, { clusters: { [MOD.cluster]: true } });
}

/** Sends the request; returns the stream waiting on the callout. */
function ask(host: Host, text: string): HttpStream {
  const s = host.stream();
  const body = chat(text);
  s.sendRequestHeaders(postHeaders(CHAT, body));
  s.sendRequestBody(body, true);
  return s;
}

for (const holdHeaders of [true, false]) {
  const set = holdHeaders ? "held headers" : "headers not held";

  test(`${set}: the prompt (redacted) goes to the service; a clean answer lets it through`, async () => {
    const host = await setup(holdHeaders, "FailClosed");
    const s = ask(host, "hello from a@b.io\nline two");
    const [c] = s.callouts();
    assert.ok(c, "a callout was made");
    assert.is(c.cluster, MOD.cluster);
    assert.is(c.headers.get(":path"), "/v1/moderations");
    assert.is(c.headers.get(":method"), "POST");
    assert.is(c.headers.get(":authority"), "moderation.svc");
    assert.is(c.timeoutMs, 500);
    // Without held headers a content-length went upstream: same-length masks.
    const redacted = holdHeaders ? "hello from [REDACTED:email]\nline two" : "hello from ******\nline two";
    assert.equal(JSON.parse(c.bodyText), { input: redacted, model: "omni-moderation-latest" });
    assert.is(s.upstream.body.length, 0, "nothing of the body upstream before the answer");
    c.respond(answer(false));
    assert.is(upstreamText(s), redacted);
    s.sendResponseHeaders({ ":status": "200" });
    s.sendResponseBody("{}", true);
    assert.ok(s.finished);
  });

  test(`${set}: a flagged answer blocks the request`, async () => {
    const host = await setup(holdHeaders, "FailOpen");
    const s = ask(host, "something awful");
    s.callouts()[0].respond(answer(true));
    assert.is(s.localResponse?.status, 400);
    assert.match(JSON.parse(s.client.bodyText).error.message, "moderation");
    assert.not.match(s.client.bodyText, "awful");
    if (holdHeaders) assert.is(s.upstream.headers, null);
    else assert.ok(s.upstream.reset);
    assert.is(host.metric("payload_guard.moderation.flagged")?.value, 1);
  });

  for (const [how, act] of [
    ["times out", (h: Host, s: HttpStream) => { h.advance(600); }],
    ["fails (reset)", (h: Host, s: HttpStream) => s.callouts()[0].fail()],
    ["answers 500", (h: Host, s: HttpStream) => s.callouts()[0].respond({ headers: { ":status": "500" }, body: "oops" })],
    ["answers something else", (h: Host, s: HttpStream) => s.callouts()[0].respond({ headers: { ":status": "200" }, body: "{\"nope\":1}" })],
  ] as Array<[string, (h: Host, s: HttpStream) => void]>) {
    test(`${set}: the service ${how}: FailClosed answers 503, FailOpen passes and counts`, async () => {
      const closed = await setup(holdHeaders, "FailClosed");
      const s = ask(closed, "hi");
      act(closed, s);
      assert.is(s.localResponse?.status, 503);
      assert.is(JSON.parse(s.client.bodyText).error.code, "moderation_unavailable");
      assert.is(closed.metric("payload_guard.moderation.failed_closed")?.value, 1);

      const open = await setup(holdHeaders, "FailOpen");
      const t = ask(open, "hi");
      act(open, t);
      assert.is(t.localResponse, null);
      assert.is(upstreamText(t), "hi");
      assert.is(open.metric("payload_guard.moderation.failed_open")?.value, 1);
    });
  }
}

test("an unknown cluster cannot be dispatched: failure mode applies at once", async () => {
  const host = await loadGuard({ moderation: { ...MOD, cluster: "nowhere", failureMode: "FailClosed" } });
  const s = ask(host, "hi");
  assert.is(s.localResponse?.status, 503);
});

test("local detectors block before the moderation service is asked", async () => {
  const host = await loadGuard({ request: { detectors: { ssn: "block" } }, moderation: { ...MOD } }, { clusters: { [MOD.cluster]: true } });
  const s = ask(host, "123-45-6789");
  assert.is(s.localResponse?.status, 400);
  assert.is(s.callouts().length, 0);
});

test.run();
