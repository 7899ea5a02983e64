/**
 * @module filters/lib/llm/usage.test
 * Usage accounting and output text through the built `lib-llm-tests` module, the way the
 * filters drive them: every response fixture (non-streamed bodies and SSE transcripts of each
 * provider) gives the expected normalised usage and text; every transcript split at every byte
 * boundary (and in random chunkings) gives the same result; targeted cases for the merge rules,
 * invalid counts and anchoring; random mutations never trap.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLlm, ApiKind } from "./test/wasm.ts";
import { responseFixtures, type ResponseFixture } from "./test/fixtures/responses.ts";

const llm = await loadLlm();
const x = llm.x;
const enc = new TextEncoder();
const kindOf = (api: string) => ({
  "openai.chat_completions": ApiKind.OpenAIChat, "openai.completions": ApiKind.OpenAICompletions,
  "openai.embeddings": ApiKind.OpenAIEmbeddings, "openai.responses": ApiKind.OpenAIResponses,
  "anthropic.messages": ApiKind.AnthropicMessages, "gemini.generate_content": ApiKind.GeminiGenerate,
  "gemini.stream_generate_content": ApiKind.GeminiStream,
} as Record<string, number>)[api];

function runStream(kind: number, bytes: Uint8Array, cuts: number[]) {
  x.streamBegin(kind);
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    const p = llm.lib.put(bytes.subarray(prev, c));
    x.streamPush(p.ptr, p.len);
    llm.lib.free(p);
    prev = c;
  }
  x.streamEnd();
  return llm.outputJson();
}

function runBody(kind: number, bytes: Uint8Array) {
  const p = llm.lib.put(bytes);
  x.usageBody(kind, p.ptr, p.len);
  llm.lib.free(p);
  return llm.outputJson();
}

function run(fx: ResponseFixture, cuts: number[] = []) {
  const bytes = enc.encode(fx.body);
  return fx.format === "sse" ? runStream(kindOf(fx.api), bytes, cuts) : runBody(kindOf(fx.api), bytes);
}

function check(fx: ResponseFixture, r: any, label = fx.name) {
  const got = { reported: r.reported, input: r.input, output: r.output, total: r.total, cacheRead: r.cacheRead,
    cacheWrite: r.cacheWrite, reasoning: r.reasoning, outputFinal: r.outputFinal };
  assert.equal(got, fx.usage, label);
  assert.is(r.text, fx.text, label);
  assert.is(r.toolText, fx.toolText ?? "", label);
  assert.is(r.reasoningText, fx.reasoningText ?? "", label);
  if (fx.format === "sse") {
    assert.is(r.done, fx.done ?? false, label);
    assert.is(r.error, fx.error ?? false, label);
    assert.is(r.usageOnlyChunks, fx.usageOnlyChunks ?? 0, label);
    assert.is(r.malformed, 0, label);
  }
}

test("every fixture: usage, text, flags", () => {
  for (const fx of responseFixtures) check(fx, run(fx));
});

test("every SSE transcript split at every byte boundary gives the same result", () => {
  for (const fx of responseFixtures.filter((f) => f.format === "sse")) {
    const n = enc.encode(fx.body).length;
    for (let cut = 1; cut < n; cut++) check(fx, run(fx, [cut]), `${fx.name} cut at ${cut}`);
  }
});

test("random chunkings (many small chunks) give the same result", () => {
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const fx of responseFixtures.filter((f) => f.format === "sse")) {
    const n = enc.encode(fx.body).length;
    for (let round = 0; round < 30; round++) {
      const cuts = new Set<number>();
      const k = 1 + Math.floor(rand() * 40);
      for (let i = 0; i < k; i++) cuts.add(1 + Math.floor(rand() * (n - 1)));
      check(fx, run(fx, [...cuts].sort((a, b) => a - b)), `${fx.name} round ${round}`);
    }
  }
});

test("output estimate from text when a stream reports no usage", () => {
  const fx = responseFixtures.find((f) => f.name.startsWith("openai chat stream without usage"))!;
  const r = run(fx);
  assert.is(r.reported, false);
  assert.ok(r.estimatedOutput >= 2 && r.estimatedOutput <= 4, `${r.estimatedOutput}`);
});

function events(kind: number, list: [string | null, string][]) {
  x.streamBegin(kind);
  const flags = list.map(([type, data]) => {
    const t = type === null ? { ptr: 0, len: 0 } : llm.lib.put(type);
    const d = llm.lib.put(data);
    const f = x.usageEvent(t.ptr, t.len, d.ptr, d.len);
    if (type !== null) llm.lib.free(t);
    llm.lib.free(d);
    return f;
  });
  x.usageResult();
  return { flags, r: llm.outputJson() };
}

test("invalid counts are flagged and ignored, never wrapped; huge unrelated integers tolerated", () => {
  let { r } = events(ApiKind.OpenAIChat, [[null, `{"seed":123456789012345678901234567890,"choices":[],"usage":{"prompt_tokens":-3,"completion_tokens":2.5,"total_tokens":"7"}}`]]);
  assert.equal([r.reported, r.invalid], [false, true]);
  ({ r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[],"usage":{"prompt_tokens":99999999999999999999,"completion_tokens":2}}`]]));
  assert.equal([r.reported, r.invalid, r.output, r.input], [true, true, 2, 0]);
  ({ r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[],"seed":18446744073709551615,"usage":{"prompt_tokens":3,"completion_tokens":2,"vendor":{"x":1.5},"cost":0.1}}`]]));
  assert.equal([r.reported, r.invalid, r.input, r.output, r.total], [true, false, 3, 2, 5]);
});

test("usage is read only at its anchored place", () => {
  // A usage object inside a choice, a message, or metadata is not the response's usage.
  let { r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[{"delta":{"content":"x"},"usage":{"prompt_tokens":100}}],"metadata":{"usage":{"prompt_tokens":5}}}`]]);
  assert.is(r.reported, false);
  ({ r } = events(ApiKind.AnthropicMessages, [["content_block_start", `{"type":"content_block_start","content_block":{"type":"tool_use","input":{"usage":{"input_tokens":7}}}}`]]));
  assert.is(r.reported, false);
  ({ r } = events(ApiKind.OpenAIResponses, [["response.in_progress", `{"type":"response.in_progress","response":{"usage":{"input_tokens":3,"output_tokens":0}}}`]]));
  assert.is(r.reported, false, "only terminal Responses events carry the usage");
  // An SSE name is used when the JSON has no type.
  ({ r } = events(ApiKind.AnthropicMessages, [["message_delta", `{"usage":{"output_tokens":4}}`]]));
  assert.equal([r.reported, r.output, r.outputFinal], [true, 4, true]);
});

test("event flags: usage, usage-only chunk, done, error, malformed", () => {
  const { flags, r } = events(ApiKind.OpenAIChat, [
    [null, `{"choices":[{"delta":{"content":"a"}}],"usage":null}`],
    [null, `{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`],
    [null, ` [DONE] `],
    [null, `{"choices":[],"usage":{`],
    [null, `{"error":{"message":"x"}}`],
    [null, `{"error":null,"choices":[]}`],
  ]);
  assert.equal(flags, [0, 3, 4, 16, 8, 0]);
  assert.equal([r.done, r.error, r.malformed], [true, true, 1]);
});

test("random mutations of every transcript never trap", () => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const punct = enc.encode(`{}[]",:\\ 0-1e\r\ndata: event:`);
  for (let round = 0; round < 1500; round++) {
    const fx = responseFixtures[Math.floor(rand() * responseFixtures.length)];
    const b = Array.from(enc.encode(fx.body));
    for (let e = 0; e < 1 + Math.floor(rand() * 5); e++) {
      const at = Math.floor(rand() * b.length);
      const r = rand();
      if (r < 0.4) b[at] = rand() < 0.5 ? punct[Math.floor(rand() * punct.length)] : Math.floor(rand() * 256);
      else if (r < 0.7) b.splice(at, 1 + Math.floor(rand() * 10));
      else b.splice(at, 0, punct[Math.floor(rand() * punct.length)]);
    }
    const bytes = Uint8Array.from(b);
    const kind = 1 + Math.floor(rand() * 10);
    const r = rand() < 0.5 ? runStream(kind, bytes, [Math.floor(rand() * bytes.length)]) : runBody(kind, bytes);
    assert.ok(r.input >= 0 && r.output >= 0 && r.total >= 0);
  }
});

test("memory stays flat over many streamed responses", () => {
  const fx = responseFixtures.filter((f) => f.format === "sse");
  const bytes = fx.map((f) => enc.encode(f.body));
  const kinds = fx.map((f) => kindOf(f.api));
  for (let i = 0; i < 50; i++) runStream(kinds[i % kinds.length], bytes[i % bytes.length], [7]);
  x.collect();
  const before = llm.lib.memory.buffer.byteLength;
  for (let i = 0; i < 5000; i++) runStream(kinds[i % kinds.length], bytes[i % bytes.length], [i % bytes[i % bytes.length].length]);
  x.collect();
  assert.is(llm.lib.memory.buffer.byteLength, before);
});

test("chat chunks: a key spelled with escapes is still read; plain content chunks report nothing", () => {
  let { flags, r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[],"us\\u0061ge":{"prompt_tokens":3,"completion_tokens":1}}`]]);
  assert.equal([flags, r.reported, r.input], [[3], true, 3]);
  ({ flags, r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[{"delta":{"content":"usage error"}}]}`], [null, `{"choices":[{"delta":{"content":"\\"usage\\": {}"}}]}`]]));
  assert.equal([flags, r.reported, r.malformed], [[0, 0], false, 0]);
  ({ flags, r } = events(ApiKind.OpenAIChat, [[null, `{"choices":[{"delta":{"content":"x"}}],"error":{"message":"boom"}}`]]));
  assert.equal([flags, r.error], [[8], true]);
});

test.run();
