/**
 * @module filters/lib/sse.test
 * The incremental SSE parser: framing variants the providers use, chunk boundaries anywhere
 * (mid-line, mid-CRLF, mid-character), end of body without a blank line, and bounded memory.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadLib, LibError } from "./test/wasm.ts";
import { parseChunks, randomCuts } from "./test/sse-driver.ts";

const lib = await loadLib();
const enc = (s: string) => new TextEncoder().encode(s);
const parse = (s: string, cuts: number[] = [], end = true) => parseChunks(lib, enc(s), cuts, end);
const datas = (s: string, cuts: number[] = []) => parse(s, cuts).events.map((e) => e.data);

test("OpenAI-style stream: data events and [DONE]", () => {
  const s = `data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"usage":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n`;
  const r = parse(s);
  assert.equal(r.events.map((e) => e.data), [`{"choices":[{"delta":{"content":"Hi"}}]}`, `{"usage":{"prompt_tokens":3}}`, `[DONE]`]);
  assert.ok(r.events.every((e) => e.type === "message" && e.complete && e.id === "-" && e.retry === -1));
});

test("Anthropic-style named events, CRLF (Gemini), lone CR, mixed", () => {
  const r = parse(`event: message_start\ndata: {"a":1}\n\nevent: ping\ndata: {}\n\n`);
  assert.equal(r.events.map((e) => [e.type, e.data]), [["message_start", `{"a":1}`], ["ping", "{}"]]);
  assert.equal(datas(`data: a\r\n\r\ndata: b\r\n\r\n`), ["a", "b"]);
  assert.equal(datas(`data: a\r\rdata: b\r\r`), ["a", "b"]);
  assert.equal(datas(`data: a\r\n\ndata: b\n\r\n`), ["a", "b"]);
});

test("multi-line data joins with LF; one optional space is dropped; fields without colon", () => {
  assert.equal(datas(`data: line1\ndata:line2\ndata:  two spaces\n\n`), ["line1\nline2\n two spaces"]);
  assert.equal(datas(`data\n\n`), [""], "a bare `data` line is an empty data line");
  assert.equal(datas(`data:\ndata:\n\n`), ["\n"]);
  assert.equal(datas(`event: x\n\n`), [], "an event without data is not dispatched");
  assert.equal(datas(`foo: bar\ndata: a\nbaz\n\n`), ["a"], "unknown fields are ignored");
});

test("comments anywhere, id and retry fields, BOM", () => {
  const r = parse(`: ping\n\n: hello\ndata: a\n: mid\nid: 7\nretry: 1500\n\n:bye\n`);
  assert.equal(r.events.map((e) => [e.data, e.id, e.retry]), [["a", "7", 1500]]);
  assert.is(r.comments, 4);
  assert.is(parse(`retry: 12x\ndata: a\n\n`).events[0].retry, -1, "non-numeric retry is ignored");
  assert.is(parse(`id: a\u0000b\ndata: a\n\n`).events[0].id, "-", "an id with NUL is ignored");
  assert.equal(datas(`\uFEFFdata: a\n\n`), ["a"]);
  assert.equal(parseChunks(lib, enc(`\uFEFFdata: a\n\n`), [1, 2]).events.map((e) => e.data), ["a"], "BOM split across chunks");
});

test("a CR at the end of one chunk and its LF at the start of the next are one line break", () => {
  const s = `data: a\r\ndata: b\r\n\r\n`;
  const cut = s.indexOf("\n");
  assert.equal(datas(s, [cut]), ["a\nb"]);
  assert.equal(datas(s, [cut, cut + 1]), ["a\nb"], "even with an empty chunk between");
  const cr2 = s.lastIndexOf("\r");
  assert.equal(datas(s, [cr2]), ["a\nb"]);
});

test("a chunk may end inside a multi-byte character", () => {
  const s = `data: {"content":"日本語 🙂"}\n\n`;
  const bytes = enc(s);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.equal(parseChunks(lib, bytes, [cut]).events.map((e) => e.data), [`{"content":"日本語 🙂"}`], `cut at ${cut}`);
  }
});

test("end of body: a last event without its blank line is flushed as incomplete", () => {
  const r = parse(`data: a\n\ndata: {"usage":{}}`);
  assert.equal(r.events.map((e) => [e.data, e.complete]), [["a", true], [`{"usage":{}}`, false]]);
  assert.equal(parse(`data: a\n\ndata: b\n`).events.map((e) => [e.data, e.complete]), [["a", true], ["b", false]]);
  assert.equal(parse(`data: a\n\ndata: b`, [], false).events.map((e) => e.data), ["a"], "not before end()");
  assert.equal(parse(`data: a\n\n: only a comment`).events.length, 1);
});

test("memory is bounded: an event or a line over the limit is TooLarge, and the parser stops", () => {
  const big = `data: ${"x".repeat(300)}\n\n`;
  const r = parseChunks(lib, enc(big), [], true, 200);
  assert.is(r.error, LibError.TooLarge);
  assert.equal(r.events, []);
  const line = parseChunks(lib, enc("data: " + "y".repeat(500)), [100, 200, 300], true, 200);
  assert.is(line.error, LibError.TooLarge, "an endless line without a break");
  const many = parseChunks(lib, enc(`data: ${"z".repeat(80)}\n`.repeat(5) + "\n"), [], true, 200);
  assert.is(many.error, LibError.TooLarge, "many data lines in one event");
  const fine = parseChunks(lib, enc(`data: ${"z".repeat(80)}\n\n`.repeat(50)), [], true, 200);
  assert.is(fine.error, 0);
  assert.is(fine.events.length, 50, "the limit is per event, not per stream");
});

test("the same events for every two-chunk split and for random chunkings", () => {
  const s = `: keepalive\r\nevent: message_start\r\ndata: {"type":"message_start","usage":{"input_tokens":5}}\r\n\r\n` +
    `data: {"x":"日本🙂"}\ndata: second\n\n\rdata: lone-cr\r\r` + `id: 9\nretry: 10\ndata: last`;
  const bytes = enc(s);
  const reference = parseChunks(lib, bytes, []);
  assert.is(reference.events.length, 4);
  for (let cut = 0; cut <= bytes.length; cut++) assert.equal(parseChunks(lib, bytes, [cut]), reference, `cut at ${cut}`);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 300; i++) assert.equal(parseChunks(lib, bytes, randomCuts(bytes.length, rand, 20)), reference);
  assert.equal(lib.logs, []);
});

test("memory stays flat over many streams", () => {
  const bytes = enc(`data: {"choices":[{"delta":{"content":"hello"}}]}\n\n`.repeat(50) + "data: [DONE]\n\n");
  const p = lib.put(bytes);
  const once = () => {
    lib.exports.sseReset();
    for (let off = 0; off < bytes.length; off += 700) lib.exports.ssePush(p.ptr + off, Math.min(700, bytes.length - off));
    while (lib.exports.sseNext());
  };
  for (let i = 0; i < 100; i++) once();
  const after100 = lib.memory.buffer.byteLength;
  for (let i = 0; i < 5000; i++) once();
  assert.is(lib.memory.buffer.byteLength, after100);
});

test("simpleEvent: a lone data line is read in place, exactly as pushing it would read it; anything else is pushed", () => {
  const raw = [
    "data: {\"a\":1}\n\n", "data:x\n\n", "data:  two\n\n", "data: crlf\r\n\r\n", "data: \n\n", "data:\n\n",
    "data: lone cr\r\r", "data: a\ndata: b\n\n", "event: e\ndata: x\n\n", ": ping\ndata: x\n\n", "data: x\nid: 7\n\n",
    "data x\n\n", "datax: y\n\n", "data: x\n\r\n", "data: x\r\n\n", "data: 日本\n\n",
  ];
  const first = "data: first\n\n";
  let fast = 0;
  for (const r of raw) {
    // Reference: the stream pushed whole.
    const expected = parseChunks(lib, enc(first + r), []).events.slice(1);
    lib.exports.sseNew(1 << 20);
    const f = lib.put(enc(first));
    lib.exports.ssePush(f.ptr, f.len);
    lib.free(f);
    while (lib.exports.sseNext()) { /* the first event */ }
    const p = lib.put(enc(r));
    const took = lib.exports.sseSimple(p.ptr, p.len);
    lib.free(p);
    if (took) {
      fast++;
      assert.is(expected.length, 1, r);
      assert.is(new TextDecoder().decode(lib.output()), expected[0].data, r);
      assert.is(expected[0].type, "message", r);
    } else {
      lib.exports.sseEnd();
      const got: string[] = [];
      while (lib.exports.sseNext()) got.push(new TextDecoder().decode(lib.output()));
      assert.is(got.length, expected.length, r);
    }
  }
  assert.is(fast, 9, "the single-data-line events (any mix of LF and CRLF ends) take the fast path");
  // At the very start of a stream (a BOM may come) the fast path is not taken.
  lib.exports.sseNew(1 << 20);
  const p = lib.put(enc("data: x\n\n"));
  assert.is(lib.exports.sseSimple(p.ptr, p.len), 0);
  lib.free(p);
});

test.run();
