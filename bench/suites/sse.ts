/**
 * @module bench/suites/sse
 * The lib SSE parser on a generated OpenAI chat-completion stream, fed in network-sized chunks,
 * beside what a JavaScript gateway would do with the same bytes (a streaming TextDecoder and
 * line splitting with a carry-over).
 */
import { build } from "../../scripts/build.ts";
import { loadLib } from "../../filters/lib/test/wasm.ts";
import { Rng } from "../corpus/random.ts";
import { english } from "../corpus/text.ts";
import { measureAll } from "../lib/measure.ts";
import { printTable, ratio, sizeLabel, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

function openAiStream(events: number): Uint8Array {
  const rng = new Rng(5);
  let s = "";
  for (let i = 0; i < events; i++) {
    const delta = english(rng, 12 + rng.int(20));
    s += `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] })}\n\n`;
    if (i % 50 === 0) s += ": keep-alive\n\n";
  }
  s += `data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${events},"total_tokens":${events + 10}}}\n\ndata: [DONE]\n\n`;
  return new TextEncoder().encode(s);
}

/** The JavaScript way: decode each chunk (streaming), split lines, collect `data:` events. */
function jsParse(bytes: Uint8Array, chunk: number): number {
  const decoder = new TextDecoder();
  let carry = "";
  let events = 0;
  let data = false;
  for (let off = 0; off < bytes.length; off += chunk) {
    const text = carry + decoder.decode(bytes.subarray(off, off + chunk), { stream: true });
    const lines = text.split(/\r\n|\r|\n/);
    carry = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") { if (data) events++; data = false; }
      else if (line.startsWith("data:")) data = true;
    }
  }
  return events;
}

async function run(): Promise<void> {
  await build(["lib-bench"]);
  const lib = await loadLib("lib-bench");
  const rows: Cell[][] = [];
  for (const events of [100, 2000]) {
    const bytes = openAiStream(events);
    const p = lib.put(bytes);
    for (const chunk of [64, 1024, 16384]) {
      const mine = lib.exports.benchSse(p.ptr, p.len, chunk);
      if (mine !== jsParse(bytes, chunk) || mine !== events + 2) throw new Error(`event counts disagree: ${mine}`);
      const [wasm, js] = measureAll([
        { fn: () => lib.exports.benchSse(p.ptr, p.len, chunk) },
        { fn: () => jsParse(bytes, chunk) },
      ], { bytes: bytes.length, rounds: 5 });
      rows.push([sizeLabel(bytes.length), events + 2, String(chunk), wasm.mbPerSec, js.mbPerSec, ratio(wasm.mbPerSec, js.mbPerSec)]);
    }
    lib.free(p);
  }
  printTable("SSE parsing of an OpenAI stream (MB/s)", ["stream", "events", "chunk bytes", "lib SseParser", "TextDecoder + split", "ratio"], rows);
}

const suite: BenchSuite = { name: "sse", summary: "lib SSE parser vs JavaScript decode-and-split on an OpenAI stream", run };
export default suite;
