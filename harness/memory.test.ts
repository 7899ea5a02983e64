/**
 * @module harness/memory.test
 * The pairs codec against the reference's worked example and cpp-host's malformed-input
 * rules, memory that stays flat over many requests (and a leak that the check catches),
 * WASI stubs, and the effective-context rules.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodePairs, encodePairs } from "./index.ts";
import { GET, POST, scripted, streamLogs } from "./testdata/helpers.ts";
import { ModuleMemory } from "./memory.ts";

test("pairs: the reference's 46-byte example, field by field", () => {
  const bytes = encodePairs([[":status", "429"], ["retry-after", "7"]]);
  assert.is(Buffer.from(bytes).toString("hex"),
    "02000000" + "07000000" + "03000000" + "0b000000" + "01000000" +
    Buffer.from(":status\0" + "429\0" + "retry-after\0" + "7\0").toString("hex"));
  assert.is(bytes.length, 46);
  assert.equal(decodePairs(bytes), [[":status", "429"], ["retry-after", "7"]]);
  assert.is(encodePairs([]).length, 0, "an empty map is zero bytes");
});

test("readString: recent short strings come back by their bytes, never by their address; any bytes decode as TextDecoder does", () => {
  const mem = new WebAssembly.Memory({ initial: 1 });
  const m = new ModuleMemory(() => mem);
  const u8 = new Uint8Array(mem.buffer);
  const put = (at: number, b: Uint8Array) => { u8.set(b, at); return b.length; };
  const enc = (s: string) => new TextEncoder().encode(s);
  const n = put(100, enc("tollgate.token-limit/per-key/7"));
  assert.is(m.readString(100, n), "tollgate.token-limit/per-key/7");
  // The same place, other bytes of the same length: the new text, not the remembered one.
  put(100, enc("tollgate.token-limit/per-key/8"));
  assert.is(m.readString(100, n), "tollgate.token-limit/per-key/8");
  // The same bytes elsewhere: the same text.
  put(300, enc("tollgate.token-limit/per-key/7"));
  assert.is(m.readString(300, n), "tollgate.token-limit/per-key/7");
  // More names than the ring holds, each read twice, and malformed UTF-8: all as TextDecoder says.
  const dec = new TextDecoder();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 40; i++) {
      const b = i % 5 === 0 ? Uint8Array.from([0x61, 0xc3, 0x28, 0x30 + (i % 10)]) : enc(`name-${i}-é`);
      const len = put(1000 + 80 * i, b);
      assert.is(m.readString(1000 + 80 * i, len), dec.decode(b), `name ${i}, round ${round}`);
    }
  }
  // Empty and long strings are decoded as they are.
  assert.is(m.readString(5000, 0), "");
  const long = enc("x".repeat(200) + "ü");
  assert.is(m.readString(6000, put(6000, long)), dec.decode(long));
});

test("pairs: malformed input decodes to nothing (missing NUL, leftovers, too many, truncated)", () => {
  const good = encodePairs([["a", "b"]]);
  const noNul = good.slice(); noNul[good.length - 1] = 0x41;
  assert.is(decodePairs(noNul), null);
  assert.is(decodePairs(new Uint8Array([...good, 0])), null, "bytes left over");
  assert.is(decodePairs(good.subarray(0, good.length - 2)), null, "truncated");
  const many = new Uint8Array(4); new DataView(many.buffer).setUint32(0, 1025, true);
  assert.is(decodePairs(many), null, "more than 1024 pairs");
  assert.equal(decodePairs(new Uint8Array(0)), []);
});

test("memory stays flat over many requests for a clean filter, and grows for a leaking one", async () => {
  const exchange = { request: { headers: POST, body: "x".repeat(2048) }, response: { headers: { ":status": "200" }, body: "y".repeat(2048) } };
  const clean = await scripted("request_headers get 0 :path\nrequest_body body 0\nresponse_body body 1");
  const r = await clean.memoryCheck(exchange, { requests: 200 });
  assert.ok(r.flat, `clean filter grew from ${r.before} to ${r.after} pages`);
  const leaky = await scripted("request_headers leak 65536");
  const l = await leaky.memoryCheck(exchange, { requests: 50 });
  assert.not.ok(l.flat);
  assert.ok(l.after[0] - l.before[0] >= 40, `leak visible: ${l.before} → ${l.after}`);
});

test("WASI: random_get is capped at 64 KiB; environment variables come from options; monotonic clock follows advance()", async () => {
  const host = await scripted("request_headers random 65536\nrequest_headers random 65537\nrequest_headers environ\nrequest_headers monotonic", { env: { REGION: "eu", MODE: "x" } });
  host.advance(2);
  host.stream().sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), ["random 65536 errno=0", "random 65537 errno=28", "environ count=2 REGION=eu;MODE=x", "monotonic errno=0 ns=2000000"]);
});

test("effective context: unknown id is BAD_ARGUMENT; the switch lasts only for the current callback", async () => {
  const host = await scripted("request_headers effective 99\nrequest_headers effective 1\nrequest_headers get 0 :path\nrequest_body get 0 :path\nrequest_headers return 1\nrequest_headers continue 0");
  const s = host.stream();
  s.sendRequestHeaders(POST);
  s.sendRequestBody("b", true);
  assert.equal(streamLogs(host).slice(1, 4), ["effective 99 status=2", "effective 1 status=0", "get 0 :path status=2"]);
  assert.ok(streamLogs(host).includes("get 0 :path status=2"));
  assert.ok(host.misuse().some((m) => m.call === "env.proxy_set_effective_context"));
});

test.run();
