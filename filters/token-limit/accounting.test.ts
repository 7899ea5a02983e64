/**
 * @module filters/token-limit/accounting.test
 * Token accounting through the built filter: every provider's non-streamed and streamed response
 * transcripts (lib/llm's fixtures), split at every byte boundary (random chunkings for large
 * ones), give the same properties and metrics; a stream without usage is estimated and marked so.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { responseFixtures } from "../lib/llm/test/fixtures/responses.ts";
import { chunkings } from "../../test/support/chunkings.ts";
import { PATHS, bodyFor, exchange, loadLimiter } from "./test-support.ts";

const fixtures = responseFixtures.filter((f) => PATHS[f.api] !== undefined);

for (const f of fixtures) {
  test(`${f.name}: the same usage at every split`, async () => {
    const host = await loadLimiter({ models: ["gpt-4o-mini"] });
    const stream = f.format === "sse" || f.api === "gemini.stream_generate_content";
    let path = PATHS[f.api];
    if (f.api === "gemini.stream_generate_content" && f.format === "sse") path += "?alt=sse";
    const isError = f.name.startsWith("error body");
    for (const { name, chunks } of chunkings(f.body, 300)) {
      const s = await exchange(host, {
        path, body: bodyFor(f.api, stream), status: isError ? "429" : "200",
        contentType: f.format === "sse" ? "text/event-stream" : "application/json", responseChunks: chunks,
      });
      assert.ok(s.finished, name);
      assert.is(s.client.bodyText, f.body, `${name}: the body passes unchanged`);
      const source = s.property("tollgate.usage_source");
      if (f.usage.reported && f.usage.outputFinal) {
        assert.is(source, "reported", name);
        assert.is(s.property("tollgate.input_tokens"), String(f.usage.input), `${name}: input`);
        assert.is(s.property("tollgate.output_tokens"), String(f.usage.output), `${name}: output`);
        assert.is(s.property("tollgate.total_tokens"), String(f.usage.input + f.usage.output), `${name}: total`);
      } else {
        assert.is(source, "estimated", name);
        if (f.usage.reported) assert.is(s.property("tollgate.input_tokens"), String(f.usage.input), `${name}: reported input kept`);
        if (isError) assert.is(s.property("tollgate.output_tokens"), "0", `${name}: errors count no output`);
        else if (f.text.length > 0) assert.ok(Number(s.property("tollgate.output_tokens")) > 0, `${name}: output estimated from the text`);
      }
    }
    assert.is(host.failed, false);
  });
}

test("a whole-event chunk is counted as the SSE parser reads it, also after a shape learned from a two-line event", async () => {
  // The second event's data spans two `data:` lines, so the shape learned from it holds a line
  // break; the third is the same bytes on ONE data line plus a field line, which SSE reads as
  // data `{"choices":[{"index":0,` (no text). Whole events per chunk must count what bytes one
  // at a time count: a fast path that took the chunk as one event would count "world" too.
  const events = [
    `data: {"choices":[{"index":0,"delta":{"content":"one two"}}]}\n\n`,
    `data: {"choices":[{"index":0,\ndata: "delta":{"content":"hello there"}}]}\n\n`,
    `data: {"choices":[{"index":0,\n"delta":{"content":"world world world world world world"}}]}\n\n`,
    `data: {"choices":[{"index":0,"delta":{"content":"three four"}}]}\n\n`,
    `data: {"choices":[{"index":0,"delta":{"content":"five six"}}]}\n\n`,
  ];
  const outputs: string[] = [];
  for (const chunks of [events, events.join("").split("")]) {
    const host = await loadLimiter();
    const s = await exchange(host, { body: bodyFor("openai.chat_completions", true), contentType: "text/event-stream", responseChunks: chunks });
    assert.is(s.property("tollgate.usage_source"), "estimated");
    outputs.push(String(s.property("tollgate.output_tokens")));
  }
  assert.is(outputs[0], outputs[1], "whole events vs one byte at a time");
});

test("a stream cut before any usage: output estimated from the streamed text, marked estimated", async () => {
  const host = await loadLimiter();
  const s = host.stream();
  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "count" }], stream: true, stream_options: { include_usage: true } });
  s.sendRequestHeaders({ ":method": "POST", ":path": "/v1/chat/completions", ":authority": "g", "content-type": "application/json" }, false);
  s.sendRequestBody(body, true);
  s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
  const words = "one two three four five six seven eight nine ten ".repeat(5);
  s.sendResponseBody(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: words } }] })}\n\n`, false);
  s.reset();
  assert.is(s.property("tollgate.usage_source"), "estimated");
  const out = Number(s.property("tollgate.output_tokens"));
  assert.ok(out >= 40 && out <= 70, `estimated ${out} tokens for 50 words`);
  assert.is(s.property("tollgate.model"), "gpt-4o-mini");
});

test("metrics: token usage by type and model, unlisted models counted as other", async () => {
  const host = await loadLimiter({ models: ["gpt-4o-mini"] });
  const usage = JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "x" } }], usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 } });
  await exchange(host, { responseChunks: [usage] });
  await exchange(host, { body: JSON.stringify({ model: "some-new-model", messages: [{ role: "user", content: "hi" }] }), responseChunks: [usage] });
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.input.model.gpt-4o-mini")?.value, 11);
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.output.model.gpt-4o-mini")?.value, 5);
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.input.model.other")?.value, 11);
  assert.is(host.metric("tollgate.token_limit.usage_reported")?.value, 2);
});

test("metrics: a listed model's dots become underscores in its label (Envoy's stat name segments)", async () => {
  const host = await loadLimiter({ models: ["gpt-4o-mini", "gpt-4.1-mini"] });
  const usage = JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "x" } }], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });
  for (const model of ["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1-mini"]) {
    await exchange(host, { body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }), responseChunks: [usage] });
  }
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.input.model.gpt-4_1-mini")?.value, 14);
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.output.model.gpt-4_1-mini")?.value, 6);
  assert.is(host.metric("tollgate.gen_ai.client.token.usage.type.input.model.gpt-4o-mini")?.value, 7);
});

test.run();
