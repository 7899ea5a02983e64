/**
 * @module controller/dev/mock-llm/streaming.test
 * Streams leave the mock event by event: the client holds the first event while the
 * server has not written the last; clients that leave mid-stream, connections cut on
 * purpose, many concurrent streams and a shutdown mid-stream leave the server healthy.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { IncomingMessage } from "node:http";
import { startMockLlm, type MockLlm } from "./index.ts";
import { open, post, sseJson, until } from "./test-client.ts";

const CHAT = { model: "m", messages: [{ role: "user", content: "hello there" }] };

/** Resolves with the text received up to and including the first complete SSE event (or array element). */
function firstEvent(res: IncomingMessage, boundary: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.setEncoding("utf8");
    const onData = (chunk: string) => {
      text += chunk;
      if (boundary.test(text)) {
        res.off("data", onData);
        res.pause();
        resolve(text);
      }
    };
    res.on("data", onData);
    res.on("error", reject);
    res.on("end", () => reject(new Error("stream ended before its first event")));
  });
}

const s = suite<{ mock: MockLlm }>("streaming");
s.before(async (ctx) => {
  ctx.mock = await startMockLlm();
});
s.after(async (ctx) => ctx.mock.close());

const STREAMS: [string, string, unknown, RegExp][] = [
  ["chat", "/v1/chat/completions", { ...CHAT, stream: true }, /\n\n/],
  ["completions", "/v1/completions", { model: "m", prompt: "hi", stream: true }, /\n\n/],
  ["responses", "/v1/responses", { model: "m", input: "hi", stream: true }, /\n\n/],
  ["messages", "/v1/messages", { model: "c", max_tokens: 50, stream: true, messages: [{ role: "user", content: "hi" }] }, /\n\n/],
  ["gemini sse", "/v1beta/models/g:streamGenerateContent?alt=sse", { contents: [{ parts: [{ text: "hi" }] }] }, /\r\n\r\n/],
  ["gemini array", "/v1beta/models/g:streamGenerateContent", { contents: [{ parts: [{ text: "hi" }] }] }, /\n\}/],
];

for (const [name, path, body, boundary] of STREAMS) {
  s(`${name}: the first event reaches the client before the last is written`, async ({ mock }) => {
    const res = await open(mock.url, path, body, { "x-mock-chunks": "4", "x-mock-chunk-delay-ms": "50" });
    assert.is(res.statusCode, 200);
    const record = mock.requests.at(-1)!;
    const head = await firstEvent(res, boundary);
    assert.ok(head.length > 0);
    // The server is still streaming: it has not written its last frame yet.
    assert.is(record.state, "pending");
    assert.ok(record.framesWritten < record.framesPlanned, `${record.framesWritten} of ${record.framesPlanned} frames written`);
    res.resume();
    await new Promise((r) => res.on("end", r));
    await until(() => record.state !== "pending");
    assert.is(record.state, "finished");
    assert.is(record.framesWritten, record.framesPlanned);
  });
}

s("a client leaving mid-stream stops the stream and the server keeps serving", async ({ mock }) => {
  const res = await open(mock.url, "/v1/chat/completions", { ...CHAT, stream: true }, { "x-mock-chunks": "50", "x-mock-chunk-delay-ms": "20" });
  const record = mock.requests.at(-1)!;
  await firstEvent(res, /\n\n/);
  res.destroy();
  await until(() => record.state !== "pending");
  assert.is(record.state, "aborted");
  assert.ok(record.framesWritten < record.framesPlanned);
  const next = await post(mock.url, "/v1/chat/completions", CHAT);
  assert.is(next.status, 200);
});

s("x-mock-disconnect-after cuts the connection mid-stream; the client sees a truncated body", async ({ mock }) => {
  const res = await open(mock.url, "/v1/chat/completions", { ...CHAT, stream: true }, { "x-mock-disconnect-after": "2" });
  const record = mock.requests.at(-1)!;
  let text = "";
  res.setEncoding("utf8");
  const outcome = await new Promise<string>((resolve) => {
    res.on("data", (c: string) => (text += c));
    res.on("end", () => resolve("end"));
    res.on("error", () => resolve("error"));
    res.on("aborted", () => resolve("aborted"));
  });
  assert.ok(outcome === "error" || outcome === "aborted", `connection cut (${outcome})`);
  const events = sseJson(text);
  assert.is(events.filter((c) => c.choices?.[0]?.delta?.content).length, 2);
  assert.not.ok(text.includes("[DONE]"));
  await until(() => record.state !== "pending");
  assert.is(record.state, "cut");
  assert.is((await post(mock.url, "/v1/messages", { model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] })).status, 200);
});

s("a client that stops reading holds the stream back (backpressure) until it leaves", async ({ mock }) => {
  const res = await open(mock.url, "/v1beta/models/g:streamGenerateContent", { contents: [{ parts: [{ text: "hi" }] }] }, { "x-mock-chunks": "100000" });
  res.pause();
  const record = mock.requests.at(-1)!;
  // Stalled: the count stays the same over three looks 100 ms apart (bounded: at most 20 s).
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    same = record.framesWritten > 0 && record.framesWritten === last ? same + 1 : 0;
    last = record.framesWritten;
  }
  assert.is(same, 3, "writing stops while the client does not read");
  assert.ok(record.framesWritten < record.framesPlanned, `${record.framesWritten} of ${record.framesPlanned}`);
  assert.is(record.state, "pending");
  res.destroy();
  await until(() => record.state !== "pending");
  assert.is(record.state, "aborted");
});

s("100 concurrent streams all complete with their own answers", async ({ mock }) => {
  const replies = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      post(mock.url, "/v1/chat/completions", { model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: `request ${i}` }] }, { "x-mock-chunk-delay-ms": "2" }),
    ),
  );
  replies.forEach((r, i) => {
    assert.is(r.status, 200);
    const events = sseJson(r.text);
    assert.is(events.at(-1), "[DONE]");
    const text = events.slice(0, -2).map((c) => c.choices[0].delta.content ?? "").join("");
    assert.is(text, `Mock answer from m: you said "request ${i}".`);
  });
});

s("the requests are recorded as received, and listed at /_mock/requests", async ({ mock }) => {
  await post(mock.url, "/v1/chat/completions?trace=1", CHAT, { "X-Api-Key": "team-a" });
  const record = mock.requests.at(-1)!;
  assert.is(record.path, "/v1/chat/completions?trace=1");
  assert.is(record.api, "chat.completions");
  assert.is(record.status, 200);
  assert.equal(JSON.parse(record.body), CHAT);
  assert.ok(record.headers.some(([n, v]) => n === "x-api-key" && v === "team-a"));
  const listed = (await post(mock.url, "/_mock/requests", "", {}, "GET")).json();
  assert.equal(listed.requests.at(-1).id, record.id);
});

s.run();

const shutdown = suite("shutdown");

shutdown("close() mid-stream resolves promptly and ends the client's stream", async () => {
  const mock = await startMockLlm();
  const res = await open(mock.url, "/v1/messages", { model: "c", max_tokens: 50, stream: true, messages: [{ role: "user", content: "hi" }] }, { "x-mock-chunk-delay-ms": "60000" });
  await firstEvent(res, /\n\n/);
  const ended = new Promise((resolve) => {
    res.on("close", resolve);
    res.resume();
  });
  await mock.close();
  await ended;
  await until(() => mock.requests[0].state !== "pending");
  assert.is(mock.requests[0].state, "aborted");
  // Nothing listens any more.
  const refused = await open(mock.url, "/v1/messages", {}).then(() => false, (err) => err.code === "ECONNREFUSED");
  assert.ok(refused, "connection refused after close()");
});

shutdown.run();
