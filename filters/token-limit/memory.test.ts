/**
 * @module filters/token-limit/memory.test
 * Wasm memory under large bodies: rounds of 2 MiB exchanges (a buffered request, a streamed one
 * with `include_usage` injected, a non-streamed JSON response, SSE in small and in huge events),
 * each body in 32 chunks, leave the VM within ten body sizes and no larger after two rounds.
 * (Before the fix, each round's garbage and outgrown copies made the VM grow in steps.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Host, HttpStream } from "../../harness/index.ts";
import { PATHS, loadLimiter, requestHeaders } from "./test-support.ts";

const BODY = 2 << 20;
const PAGE = 64 << 10;
const CHUNKS = 32;
/**
 * The bound. The peak need is the include_usage injection's (the host's block, a copy, the patched
 * body: about three bodies), and the allocator grows memory by doubling it, so about 9 bodies is
 * what a VM reaches; before the fix it kept growing past 18 (592 pages after five rounds).
 */
const MAX_PAGES = (10 * BODY) / PAGE;
const WARM_UP_ROUNDS = 2;

function split(text: string, n: number): string[] {
  const out: string[] = [];
  const step = Math.ceil(text.length / n);
  for (let at = 0; at < text.length; at += step) out.push(text.slice(at, at + step));
  return out;
}

const words = (bytes: number) => "tok ".repeat(Math.floor(bytes / 4));
const request = (bytes: number, stream: boolean) =>
  JSON.stringify({ model: "gpt-4o-mini", stream, messages: [{ role: "user", content: words(bytes) }] });
const jsonResponse = (bytes: number) =>
  JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: words(bytes) }, finish_reason: "stop" }] });
function sse(bytes: number, eventBytes: number): string {
  const event = "data: " + JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: words(eventBytes) } }] }) + "\n\n";
  return event.repeat(Math.max(1, Math.floor(bytes / event.length))) + "data: [DONE]\n\n";
}

async function send(host: Host, body: string, contentType: string, response: string): Promise<HttpStream> {
  // Envoy's buffer limit raised past the body, as a gateway taking 2 MiB bodies would set it.
  const s = host.stream({ bufferLimitBytes: 4 * BODY });
  s.sendRequestHeaders(requestHeaders(PATHS["openai.chat_completions"], { "x-api-key": "k" }), false);
  const parts = split(body, CHUNKS);
  parts.forEach((p, i) => s.sendRequestBody(p, i === parts.length - 1));
  await host.settle();
  s.sendResponseHeaders({ ":status": "200", "content-type": contentType }, false);
  const chunks = split(response, CHUNKS);
  chunks.forEach((c, i) => s.sendResponseBody(c, i === chunks.length - 1));
  await host.settle();
  return s;
}

/** One round of large exchanges; checks each did its job (the memory bound means nothing otherwise). */
async function round(host: Host): Promise<void> {
  let s = await send(host, request(BODY, false), "application/json", jsonResponse(100));
  assert.ok(Number(s.property("tollgate.input_tokens")) > 100_000, "a large buffered request is read");

  s = await send(host, request(BODY, true), "text/event-stream", sse(1000, 100));
  assert.equal(JSON.parse(s.upstream.bodyText).stream_options, { include_usage: true }, "include_usage injected into a large body");

  const json = jsonResponse(BODY);
  s = await send(host, request(100, false), "application/json", json);
  assert.is(s.client.body.length, json.length, "a large JSON response passes whole");
  assert.ok(Number(s.property("tollgate.output_tokens")) > 100_000, "a large JSON response is read");

  for (const eventBytes of [200, 700_000]) {
    const events = sse(BODY, eventBytes);
    s = await send(host, request(100, true), "text/event-stream", events);
    assert.is(s.client.bodyText, events, `SSE in ${eventBytes}-byte events passes unchanged`);
    assert.ok(Number(s.property("tollgate.output_tokens")) > 100_000, `SSE in ${eventBytes}-byte events is read`);
  }
}

test("large bodies leave wasm memory within ten body sizes, flat after warm-up", async () => {
  const host = await loadLimiter({
    maxBodyBytes: 4 << 20,
    limits: [{ name: "per-key", key: { headers: ["x-api-key"] }, tokens: 1_000_000_000, window: "60s" }],
  });
  for (let i = 0; i < WARM_UP_ROUNDS; i++) await round(host);
  const [warm] = host.memoryPages();
  for (let i = 0; i < 3; i++) await round(host);
  const [end] = host.memoryPages();
  assert.is(host.failed, false);
  assert.ok(end <= MAX_PAGES, `${end} pages after five rounds of 2 MiB bodies (bound ${MAX_PAGES})`);
  assert.is(end, warm, `no growth after warm-up (${warm} → ${end} pages)`);
});

test.run();
