/**
 * @module filters/lib/llm/event-shape.test
 * `EventShape` against the full readers (lib-llm-tests' `shapeEvent`): every event of every
 * provider's SSE transcript, events that differ from a learned one in each way that matters
 * (a text with escapes, a usage object where `null` was, another event type, a fraction, a
 * leading zero, a control byte, an extra member), and thousands of random variations of learned
 * shapes. A match must always agree with the readers (no usage, the same text at the same
 * offsets); the realistic streams must actually be matched.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind } from "./test/wasm.ts";
import { responseFixtures } from "./test/fixtures/responses.ts";

const llm = await loadLlm();
const x = llm.x;
const enc = new TextEncoder();

const KIND: Record<string, number> = {
  "openai.chat_completions": ApiKind.OpenAIChat, "openai.completions": ApiKind.OpenAICompletions,
  "openai.responses": ApiKind.OpenAIResponses, "anthropic.messages": ApiKind.AnthropicMessages,
  "gemini.stream_generate_content": ApiKind.GeminiStream,
};

/** Feeds one event (SSE name or "", data); returns 1 matched, 0 not matched, -1 matched wrongly. */
function feed(type: string, data: string): number {
  const t = llm.lib.put(enc.encode(type));
  const d = llm.lib.put(enc.encode(data));
  try { return x.shapeEvent(t.ptr, t.len, d.ptr, d.len); } finally { llm.lib.free(t); llm.lib.free(d); }
}

/** The events of an SSE transcript: [name, data] (single-line data, as the fixtures write them). */
function events(body: string): [string, string][] {
  return body.split(/\r?\n\r?\n/).filter((e) => e.trim().length > 0).map((e) => {
    let type = "", data = "";
    for (const line of e.split(/\r?\n/)) {
      if (line.startsWith("event:")) type = line.slice(6).trim();
      else if (line.startsWith("data:")) data = line.slice(5).replace(/^ /, "");
    }
    return [type, data];
  });
}

test("every event of every SSE transcript: a match agrees with the readers", () => {
  let matched = 0;
  for (const f of responseFixtures.filter((f) => f.format === "sse" && KIND[f.api] !== undefined)) {
    x.shapeBegin(KIND[f.api]);
    for (const [type, data] of events(f.body)) {
      const r = feed(type, data);
      assert.ok(r >= 0, `${f.name}: ${type} ${data}`);
      if (r === 1) matched++;
    }
  }
  assert.ok(matched > 0, "some transcript events have the shape of the one before");
});

const openai = (content: string, extra: Record<string, unknown> = {}, index: unknown = 0) => JSON.stringify({
  id: "chatcmpl-9", object: "chat.completion.chunk", created: 1760000000, model: "gpt-4o-mini",
  choices: [{ index, delta: { content }, logprobs: null, finish_reason: null }], usage: null, ...extra,
});

test("OpenAI chunks with usage:null, changing ids and obfuscation padding are matched", () => {
  x.shapeBegin(ApiKind.OpenAIChat);
  assert.is(feed("", openai("Hel", { obfuscation: "a1" })), 0, "learned");
  assert.is(feed("", openai("lo, world", { obfuscation: "Zx9Qw" })), 1);
  assert.is(feed("", JSON.stringify({ id: "chatcmpl-10", object: "chat.completion.chunk", created: 1760000001, model: "gpt-4o-mini",
    choices: [{ index: 0, delta: { content: "日本語 ok" }, logprobs: null, finish_reason: null }], usage: null, obfuscation: "" })), 1);
});

test("what must not match: escapes, usage, another shape, fractions, leading zeros, control bytes", () => {
  x.shapeBegin(ApiKind.OpenAIChat);
  assert.is(feed("", openai("a")), 0);
  assert.is(feed("", openai("b")), 1);
  assert.is(feed("", openai('say "hi"')), 0, "a text with escapes is read in full");
  assert.is(feed("", openai("c", { usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } })), 0, "usage where null was");
  assert.is(feed("", openai("c", { choices: [{ index: 0, delta: { content: "c" }, logprobs: null, finish_reason: "stop" }] })), 0);
  assert.is(feed("", openai("d", {}, 1.5)), 0, "a fraction where an integer was");
  assert.is(feed("", openai("d").replace('"index":0', '"index":01')), 0, "a leading zero is not JSON");
  assert.is(feed("", openai("d").replace('"content":"d"', '"content":"d\u0001"')), 0, "a raw control byte");
  assert.is(feed("", openai("d").replace('"content":"d"', '"content":"d","refusal":"no"')), 0, "an extra member");
  assert.is(feed("", openai("d") + " x"), 0, "trailing bytes");
  const zero = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  assert.is(feed("", openai("g", { usage: zero })), 0, "a usage report (even all zero) is never learned");
  assert.is(feed("", openai("h", { usage: zero })), 0, "so each one is read in full");
  // The shape kept is the last one read in full (the one with `refusal`): the chunk after it is learned again.
  assert.is(feed("", openai("e")), 0);
  assert.is(feed("", openai("f")), 1);
});

test("Anthropic: only content_block_delta text events share a shape; types never vary", () => {
  x.shapeBegin(ApiKind.AnthropicMessages);
  const delta = (type: string, key: string, text: string) => JSON.stringify({ type: "content_block_delta", index: 0, delta: { type, [key]: text } });
  assert.is(feed("content_block_delta", delta("text_delta", "text", "Hi")), 0);
  assert.is(feed("content_block_delta", delta("text_delta", "text", " there")), 1);
  assert.is(feed("content_block_delta", delta("thinking_delta", "text", "x")), 0, "another delta type");
  assert.is(feed("message_delta", delta("text_delta", "text", "x")), 0, "another SSE name");
  assert.is(feed("content_block_delta", JSON.stringify({ type: "message_delta", index: 0, delta: { type: "text_delta", text: "x" } })), 0, "another JSON type");
  assert.is(feed("message_delta", JSON.stringify({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 12 } })), 0);
});

test("random variations of learned shapes always agree with the readers", () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const pieces = ["a", " ", "\"", "\\", "\\n", "é", "日", "😀", "usage", "\u0001", "}", "{", ",", ":", "0", "\\u0041", "null"];
  const text = () => Array.from({ length: rnd(6) }, () => pieces[rnd(pieces.length)]).join("");
  let matched = 0;
  for (let round = 0; round < 300; round++) {
    x.shapeBegin(ApiKind.OpenAIChat);
    for (let i = 0; i < 12; i++) {
      const index = [0, 1, 12, 1.5, -1, "0"][rnd(6)];
      const extra: Record<string, unknown> = rnd(3) === 0 ? { obfuscation: text() } : {};
      if (rnd(8) === 0) extra.usage = rnd(2) ? { prompt_tokens: rnd(9), completion_tokens: rnd(9), total_tokens: 9 } : null;
      let data = openai(text(), extra, index);
      // Raw bytes JSON.stringify would escape: sometimes splice a piece in unescaped.
      if (rnd(4) === 0) { const at = data.indexOf('"content":"') + 11; data = data.slice(0, at) + pieces[rnd(pieces.length)] + data.slice(at); }
      const r = feed("", data);
      assert.ok(r >= 0, data);
      if (r === 1) matched++;
    }
  }
  assert.ok(matched > 100, `matched ${matched}`);
});

/** A raw chunk through `matchChunk` and the two steps it stands for (lib-llm-tests' `shapeChunk`). */
function chunk(raw: string): number {
  const c = llm.lib.put(enc.encode(raw));
  try { return x.shapeChunk(c.ptr, c.len); } finally { llm.lib.free(c); }
}
const sse = (data: string) => `data: ${data}\n\n`;

test("whole chunks: the one-comparison match accepts what the two steps accept, with the same text", () => {
  x.chunkBegin(ApiKind.OpenAIChat);
  assert.is(chunk(sse(openai("Hel"))), 0, "learned");
  assert.is(chunk(sse(openai("lo, world"))), 1);
  assert.is(chunk(sse(openai(""))), 1, "an empty text");
  assert.is(chunk(sse(openai("日本語 😀"))), 1);
  assert.is(chunk(sse(openai("x", { obfuscation: "Zx9" }))), 0, "an extra member: read in full, learned");
  assert.is(chunk(sse(openai("y", { obfuscation: "Q" }))), 2, "another value in another slot: the two steps only");
  assert.is(chunk(sse(openai("y", { obfuscation: "Zx9" }))), 1);
});

test("whole chunks the one-comparison match refuses: other framing, escapes, breaks, trailing bytes", () => {
  x.chunkBegin(ApiKind.OpenAIChat);
  assert.is(chunk(sse(openai("a"))), 0);
  for (const [raw, why] of [
    [`data:${openai("b")}\n\n`, "no space after the colon"],
    [`data:  ${openai("b")}\n\n`, "two spaces"],
    [`data: ${openai("b")}\r\n\r\n`, "CRLF"],
    [`event: x\ndata: ${openai("b")}\n\n`, "an event name"],
    [sse(openai('say "hi"')), "an escaped quote"],
    [sse(openai("b").replace('"content":"b"', '"content":"b\nc"')), "a raw line break in the text"],
    [sse(openai("b")) + "data: {}\n\n", "a second event"],
    [sse(openai("b")).slice(0, -1), "no blank line"],
    [sse(openai("b") + " "), "a trailing space"],
  ]) assert.ok(chunk(raw) !== 1 && chunk(raw) >= 0, why);
});

test("random byte edits of learned chunks: the one-comparison match never accepts what the two steps refuse", () => {
  let seed = 777;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const bytes = ["a", " ", "\"", "\\", "\n", "\r", ":", "\u0001", "}", "d", "é", "\n\n"];
  let accepted = 0;
  for (let round = 0; round < 200; round++) {
    x.chunkBegin(ApiKind.OpenAIChat);
    const base = sse(openai("word"));
    chunk(base);
    for (let i = 0; i < 25; i++) {
      let raw = sse(openai("w" + "x".repeat(rnd(5))));
      for (let e = rnd(3); e > 0; e--) {
        const at = rnd(raw.length + 1);
        const op = rnd(3);
        raw = op === 0 ? raw.slice(0, at) + bytes[rnd(bytes.length)] + raw.slice(at)
          : op === 1 ? raw.slice(0, at) + raw.slice(at + 1)
          : raw.slice(0, at) + bytes[rnd(bytes.length)] + raw.slice(at + 1);
      }
      const r = chunk(raw);
      assert.ok(r >= 0, JSON.stringify(raw));
      if (r === 1) accepted++;
    }
  }
  assert.ok(accepted > 500, `accepted ${accepted}`);
});

test.run();
