/**
 * @module bench/suites/llm
 * filters/lib/llm against JavaScript doing the same work, in the same run: (a) `RequestReader`
 * (one pass: model, stream, caps, every prompt text span; with and without the prompt-token
 * estimate) on the generated chat bodies beside `JSON.parse` plus a walk of the messages, from a
 * string and from bytes; (b) accounting of a 200-chunk streamed response (SSE parsing, usage,
 * output text) for OpenAI and Anthropic, pushed in network-sized chunks, beside a JavaScript
 * implementation (split events, `JSON.parse` each, read usage and deltas).
 */
import { build } from "../../scripts/build.ts";
import { loadLlm, ApiKind } from "../../filters/lib/llm/test/wasm.ts";
import { BODY_KINDS, BODY_SIZES, chatBody } from "../corpus/chat.ts";
import { measureAll } from "../lib/measure.ts";
import { printTable, ratio, sizeLabel, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

function jsWalk(o: any): number {
  let n = typeof o.model === "string" ? o.model.length : 0;
  for (const m of o.messages ?? []) {
    const c = m.content;
    if (typeof c === "string") n += c.length;
    else if (Array.isArray(c)) for (const p of c) if (p?.type === "text" && typeof p.text === "string") n += p.text.length;
  }
  return n + (o.stream ? 1 : 0) + (Array.isArray(o.tools) && o.tools.length > 0 ? 1 : 0);
}

/** A streamed response of `chunks` content deltas plus the usage chunk, as SSE bytes. */
function stream(kind: "openai" | "anthropic", chunks: number): string {
  const words = ["The", " gateway", " counts", " every", " token", ",", " streamed", " or", " not", "."];
  let s = "";
  if (kind === "openai") {
    for (let i = 0; i < chunks; i++) {
      s += `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1760000000, model: "gpt-4o-mini",
        choices: [{ index: 0, delta: { content: words[i % words.length] }, finish_reason: null }], usage: null, obfuscation: "aB3dE" })}\n\n`;
    }
    s += `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", model: "gpt-4o-mini", choices: [],
      usage: { prompt_tokens: 1000, completion_tokens: chunks, total_tokens: 1000 + chunks } })}\n\ndata: [DONE]\n\n`;
  } else {
    s += `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg_1", model: "claude-sonnet-4-5", content: [], usage: { input_tokens: 1000, output_tokens: 1 } } })}\n\n`;
    for (let i = 0; i < chunks; i++) {
      s += `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: words[i % words.length] } })}\n\n`;
    }
    s += `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: chunks } })}\n\n`;
    s += `event: message_stop\ndata: {"type":"message_stop"}\n\n`;
  }
  return s;
}

/** The JavaScript baseline: what a Node gateway would do with the same stream. */
function jsAccount(chunks: Uint8Array[], anthropic: boolean): number {
  const dec = new TextDecoder();
  let buf = "";
  let input = 0, output = 0, text = 0;
  for (const c of chunks) {
    buf += dec.decode(c, { stream: true });
    let cut: number;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const ev = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const line = ev.split("\n").find((l) => l.startsWith("data:"));
      if (!line) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") continue;
      const o = JSON.parse(data);
      if (anthropic) {
        if (o.type === "message_start") input = o.message.usage.input_tokens;
        else if (o.type === "message_delta") output = Math.max(output, o.usage.output_tokens);
        else if (o.type === "content_block_delta" && o.delta.type === "text_delta") text += o.delta.text.length;
      } else {
        if (o.usage) { input = o.usage.prompt_tokens; output = o.usage.completion_tokens; }
        for (const ch of o.choices ?? []) if (typeof ch.delta?.content === "string") text += ch.delta.content.length;
      }
    }
  }
  return input + output + text;
}

async function run(): Promise<void> {
  await build(["lib-llm-tests"]);
  const llm = await loadLlm();
  const x = llm.x;
  const decoder = new TextDecoder();

  const rows: Cell[][] = [];
  for (const size of BODY_SIZES) {
    for (const kind of BODY_KINDS) {
      if (size !== 16 << 10 && kind !== "english" && kind !== "tools") continue;
      const body = chatBody(kind, size, false);
      const n = body.bytes.length;
      const p = llm.lib.put(body.bytes);
      if (x.requestCheck(ApiKind.OpenAIChat, p.ptr, p.len) !== 0) throw new Error(`reader refused the ${kind} ${n} body`);
      const opts = { bytes: n, rounds: 3 };
      x.requestSetEstimate(0);
      const [plain] = measureAll([{ fn: () => x.requestCheck(ApiKind.OpenAIChat, p.ptr, p.len) }], opts);
      x.requestSetEstimate(1);
      const [estimated, parseStr, parseBytes] = measureAll([
        { fn: () => x.requestCheck(ApiKind.OpenAIChat, p.ptr, p.len) },
        { fn: () => jsWalk(JSON.parse(body.text)) },
        { fn: () => jsWalk(JSON.parse(decoder.decode(body.bytes))) },
      ], opts);
      rows.push([sizeLabel(n), kind, plain.usPerOp, plain.mbPerSec, estimated.usPerOp, parseStr.usPerOp, parseBytes.usPerOp,
        ratio(parseStr.usPerOp, plain.usPerOp), ratio(parseBytes.usPerOp, plain.usPerOp)]);
      llm.lib.free(p);
    }
  }
  printTable("RequestReader.read (all facts and prompt spans) vs JSON.parse + the same walk (µs per body; ratio > 1: the reader is faster)",
    ["body", "kind", "read µs", "read MB/s", "read + estimate µs", "JSON.parse(str) µs", "decode+parse µs", "parse(str)/read", "decode+parse/read"], rows);

  const streamRows: Cell[][] = [];
  for (const kind of ["openai", "anthropic"] as const) {
    const bytes = new TextEncoder().encode(stream(kind, 200));
    // Network-sized pieces that do not respect event boundaries.
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 700) chunks.push(bytes.subarray(i, Math.min(bytes.length, i + 700)));
    const placed = chunks.map((c) => llm.lib.put(c));
    const apiKind = kind === "openai" ? ApiKind.OpenAIChat : ApiKind.AnthropicMessages;
    const wasm = () => {
      x.streamBegin(apiKind);
      for (const c of placed) x.streamPush(c.ptr, c.len);
      return x.streamEnd();
    };
    wasm();
    const r = llm.outputJson();
    if (r.output !== 200 || r.input !== 1000) throw new Error(`${kind}: accounting disagrees (${r.input}/${r.output})`);
    const spansOnly = () => { x.streamSetCollect(0); try { return wasm(); } finally { x.streamSetCollect(1); } };
    const [w, full, js] = measureAll([{ fn: spansOnly }, { fn: wasm }, { fn: () => jsAccount(chunks, kind === "anthropic") }], { bytes: bytes.length, rounds: 3 });
    streamRows.push([kind, bytes.length, chunks.length, w.usPerOp, full.usPerOp, js.usPerOp, ratio(js.usPerOp, w.usPerOp)]);
    for (const c of placed) llm.lib.free(c);
  }
  printTable("Accounting a 200-delta streamed response (SSE parse, usage, output-text spans), µs per response",
    ["provider", "bytes", "chunks", "wasm µs", "wasm + decode + estimate µs", "JavaScript µs", "JS/wasm"], streamRows);
}

const suite: BenchSuite = {
  name: "llm",
  summary: "request facts and stream accounting (filters/lib/llm) beside JSON.parse / a JavaScript implementation",
  run,
};
export default suite;
