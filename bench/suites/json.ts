/**
 * @module bench/suites/json
 * The lib JSON scanner against V8's JSON.parse on the same generated chat bodies (1 KB, 16 KB,
 * 256 KB, 2 MB; English, code, CJK, tools): (a) reading `model` and `stream`, field first and
 * last; (b) JSON.parse + property read, from a decoded string and from bytes; (c) a full pass
 * over all message contents. Also a plain wasm byte loop as a ceiling, and wasm memory after
 * 100 vs 100,000 scans.
 */
import { build } from "../../scripts/build.ts";
import { loadLib, type LibModule } from "../../filters/lib/test/wasm.ts";
import { BODY_KINDS, BODY_SIZES, chatBody, type ChatBody } from "../corpus/chat.ts";
import { measureAll } from "../lib/measure.ts";
import { printTable, ratio, sizeLabel, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

/** Copies a body into wasm memory once; a filter's body is likewise already in its memory. */
function place(lib: LibModule, body: ChatBody) {
  return lib.put(body.bytes);
}

function jsonParseTexts(obj: any): number {
  let n = 0;
  for (const m of obj.messages) {
    const c = m.content;
    if (typeof c === "string") n += c.length;
    else if (Array.isArray(c)) for (const p of c) if (p?.type === "text" && typeof p.text === "string") n += p.text.length;
  }
  return n;
}

async function run(): Promise<void> {
  await build(["lib-bench"]);
  const lib = await loadLib("lib-bench");
  const x = lib.exports;
  const decoder = new TextDecoder();

  const lookupRows: Cell[][] = [];
  const passRows: Cell[][] = [];
  let memoryRow: Cell[] | null = null;
  for (const size of BODY_SIZES) {
    for (const kind of BODY_KINDS) {
      for (const modelFirst of [true, false]) {
        const body = chatBody(kind, size, modelFirst);
        const n = body.bytes.length;
        const p = place(lib, body);
        const expected = JSON.parse(body.text);
        const got = x.benchModelStream(p.ptr, p.len, 0);
        if (got !== expected.model.length + 2 + 1000) throw new Error(`scanner disagrees with JSON.parse on ${kind} ${n}`);
        const opts = { bytes: n, rounds: 5 };
        const view = () => new Uint8Array(lib.memory.buffer, p.ptr, n);
        if (x.benchModelStreamUtf8(p.ptr, p.len) !== got) throw new Error(`UTF-8-checking scan disagrees on ${kind} ${n}`);
        const [scan, early, copyScan, parseStr, parseBytes, scanUtf8] = measureAll([
          { fn: () => x.benchModelStream(p.ptr, p.len, 0) },
          { fn: () => x.benchModelStream(p.ptr, p.len, 1) },
          { fn: () => { view().set(body.bytes); return x.benchModelStream(p.ptr, p.len, 0); } },
          { fn: () => { const o = JSON.parse(body.text); return o.model.length + (o.stream ? 1 : 0); } },
          { fn: () => { const o = JSON.parse(decoder.decode(body.bytes)); return o.model.length + (o.stream ? 1 : 0); } },
          { fn: () => x.benchModelStreamUtf8(p.ptr, p.len) },
        ], opts);
        lookupRows.push([sizeLabel(n), kind, modelFirst ? "first" : "last", scan.mbPerSec, early.mbPerSec, copyScan.mbPerSec,
          parseStr.mbPerSec, parseBytes.mbPerSec, ratio(scan.mbPerSec, parseStr.mbPerSec), ratio(scan.mbPerSec, parseBytes.mbPerSec),
          scanUtf8.mbPerSec, ratio(scanUtf8.mbPerSec, parseStr.mbPerSec)]);

        if (!modelFirst) {
          const textBytes = Number(x.benchMessageTexts(p.ptr, p.len));
          if (textBytes <= 0) throw new Error(`message walk failed on ${kind} ${n}`);
          const [walk, walkParse, walkParseBytes, loop] = measureAll([
            { fn: () => x.benchMessageTexts(p.ptr, p.len) },
            { fn: () => jsonParseTexts(JSON.parse(body.text)) },
            { fn: () => jsonParseTexts(JSON.parse(decoder.decode(body.bytes))) },
            { fn: () => x.benchByteLoop(p.ptr, p.len) },
          ], opts);
          passRows.push([sizeLabel(n), kind, walk.mbPerSec, walkParse.mbPerSec, walkParseBytes.mbPerSec, loop.mbPerSec,
            ratio(walk.mbPerSec, walkParse.mbPerSec), ratio(walk.mbPerSec, walkParseBytes.mbPerSec)]);
        }

        if (size === 16 << 10 && kind === "tools" && !modelFirst) {
          x.collect();
          for (let i = 0; i < 100; i++) x.benchModelStream(p.ptr, p.len, 0);
          const after100 = lib.memory.buffer.byteLength;
          for (let i = 0; i < 100_000; i++) x.benchModelStream(p.ptr, p.len, 0);
          for (let i = 0; i < 1000; i++) x.benchMessageTexts(p.ptr, p.len);
          const after100k = lib.memory.buffer.byteLength;
          memoryRow = [sizeLabel(n), after100 / 1024, after100k / 1024, after100k <= after100 ? "yes" : "NO"];
        }
        lib.free(p);
      }
    }
  }
  printTable("(a)+(b) model and stream: scanner vs JSON.parse (MB/s; ratio = scanner strict / JSON.parse)",
    ["body", "content", "model", "scanner strict", "scanner stop-early", "copy-in + strict", "JSON.parse(string)", "decode + JSON.parse", "vs string", "vs bytes",
      "strict + UTF-8", "UTF-8 vs string"],
    lookupRows);
  printTable("(c) full pass over every message content (MB/s)",
    ["body", "content", "scanner walk", "JSON.parse(string) + walk", "decode + JSON.parse + walk", "wasm byte loop", "vs string", "vs bytes"],
    passRows);
  if (memoryRow) {
    printTable("wasm memory (KiB) after 100 and after 100,000 scans (+1,000 content walks)",
      ["body", "after 100", "after 100,000", "flat"], [memoryRow]);
  }
  console.log("\nscanner strict = whole object validated, duplicate model/stream rejected; stop-early = stops once both keys are found.");
  console.log("strict + UTF-8 also validates the UTF-8 of every string (JsonScanner.validateUtf8, as validate() and the patcher do).");
  console.log("copy-in + strict adds copying the body into wasm memory (what proxy_get_buffer_bytes costs a filter).");
}

const suite: BenchSuite = { name: "json", summary: "lib JSON scanner vs V8 JSON.parse on generated chat bodies", run };
export default suite;
