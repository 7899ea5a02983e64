/**
 * @module filters/lib/proto/rls.test
 * The RLS codec in wasm against a hand-annotated byte fixture and against the independent
 * TypeScript codec of the test service (test/rls/proto): requests encode to the same bytes,
 * responses decode to the same values; protobuf's rules (unknown fields, wire-type mismatch,
 * last-wins, merging, integer widths); and hostile bytes (every truncation, every byte flipped,
 * random noise, caps) end in an error value, never a trap, with memory staying flat.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  Code, decodeRequest, decodeResponse, encodeRequest, encodeResponse, Unit,
  type DescriptorStatus, type RateLimitRequest, type RateLimitResponse,
} from "../../../test/rls/proto/rls.ts";
import { MessageWriter, varint } from "../../../test/rls/proto/wire.ts";
import { unitSeconds as serviceUnitSeconds } from "../../../test/rls/limits.ts";
import { loadProto, ProtoError } from "./test/wasm.ts";

const m = await loadProto();
const x = m.exports;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = ["a", "z", "0", "-", "_", ".", "é", "€", "漢", "😀", "\"", "\\", "\n", " "];
function randomString(r: () => number, max: number): string {
  let s = "";
  for (let i = 0, n = Math.floor(r() * max); i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}
function randomU32(r: () => number): number {
  const pick = r();
  if (pick < 0.2) return 0;
  if (pick < 0.4) return Math.floor(r() * 128);
  if (pick < 0.5) return 0xffffffff;
  return Math.floor(r() * 2 ** 32);
}

/** The module's JSON rendering of a response, computed from the TypeScript decoder's values. */
function expectedJson(resp: RateLimitResponse, withMillis = true) {
  return {
    overallCode: resp.overallCode,
    statuses: resp.statuses.map((s: DescriptorStatus) => {
      const o: any = { code: s.code };
      if (s.currentLimit) o.currentLimit = { ...s.currentLimit };
      o.limitRemaining = s.limitRemaining;
      if (s.durationUntilReset) {
        const { seconds, nanos } = s.durationUntilReset;
        o.durationUntilReset = { seconds: String(seconds), nanos };
        if (withMillis) {
          let ms = seconds * 1000 + Math.trunc(nanos / 1e6) + (nanos % 1e6 > 0 ? 1 : 0);
          o.resetMillis = String(ms < 0 ? 0 : ms);
        }
      }
      return o;
    }),
    responseHeadersToAdd: resp.responseHeadersToAdd,
    requestHeadersToAdd: resp.requestHeadersToAdd,
  };
}

function withoutMillis(json: any) {
  for (const s of json.statuses) delete s.resetMillis;
  return json;
}

// ---- requests ----

test("a request encodes to the annotated bytes, field by field", () => {
  const req: RateLimitRequest = {
    domain: "tollgate",
    descriptors: [{ entries: [{ key: "k", value: "v" }], hitsAddend: 0 }],
    hitsAddend: 150,
  };
  const expected = [
    0x0a, 0x08, ...Buffer.from("tollgate"), //  1: domain, 8 bytes
    0x12, 0x0a, //                              2: descriptor, 10 bytes
    0x0a, 0x06, //                                 1: entry, 6 bytes
    0x0a, 0x01, 0x6b, //                              1: key "k"
    0x12, 0x01, 0x76, //                              2: value "v"
    0x1a, 0x00, //                                 3: hits_addend wrapper, present and empty = 0 hits
    0x18, 0x96, 0x01, //                        3: hits_addend 150 (varint)
  ];
  assert.is(hex(m.encode(req)), hex(Uint8Array.from(expected)));
  assert.is(hex(encodeRequest(req)), hex(Uint8Array.from(expected)));
});

test("zero and absent fields are left out as proto3 does; a limit override and descriptor hits are written", () => {
  assert.is(hex(m.encode({ domain: "", descriptors: [], hitsAddend: 0 })), "");
  const req: RateLimitRequest = {
    domain: "d",
    descriptors: [
      { entries: [{ key: "tenant", value: "acme" }, { key: "model", value: "gpt-4o" }], limit: { requestsPerUnit: 100000, unit: Unit.MINUTE }, hitsAddend: 4242 },
      { entries: [{ key: "", value: "" }] },
    ],
    hitsAddend: 0,
  };
  const bytes = m.encode(req);
  assert.is(hex(bytes), hex(encodeRequest(req)));
  assert.equal(decodeRequest(bytes), req);
});

test("random requests encode byte for byte like the TypeScript codec and decode back to themselves", () => {
  const r = rng(5);
  for (let i = 0; i < 400; i++) {
    const req: RateLimitRequest = { domain: randomString(r, 12), descriptors: [], hitsAddend: randomU32(r) };
    for (let d = 0, nd = Math.floor(r() * 4); d < nd; d++) {
      const desc: RateLimitRequest["descriptors"][number] = { entries: [] };
      for (let e = 0, ne = Math.floor(r() * 4); e < ne; e++) desc.entries.push({ key: randomString(r, 8), value: randomString(r, 40) });
      if (r() < 0.3) desc.limit = { requestsPerUnit: randomU32(r), unit: Math.floor(r() * 7) };
      if (r() < 0.5) desc.hitsAddend = r() < 0.3 ? 0 : Math.floor(r() * 2 ** 40);
      req.descriptors.push(desc);
    }
    const bytes = m.encode(req);
    assert.is(hex(bytes), hex(encodeRequest(req)), `request ${i}: ${JSON.stringify(req)}`);
    assert.equal(decodeRequest(bytes), req, `request ${i} round trip`);
  }
});

// ---- responses ----

test("a response decodes from the annotated bytes, field by field", () => {
  const bytes = Uint8Array.from([
    0x08, 0x02, //                              1: overall_code OVER_LIMIT
    0x12, 0x1b, //                              2: status, 27 bytes
    0x08, 0x02, //                                 1: code OVER_LIMIT
    0x12, 0x0d, //                                 2: current_limit, 13 bytes
    0x08, 0xe8, 0x07, //                              1: requests_per_unit 1000
    0x10, 0x02, //                                    2: unit MINUTE
    0x1a, 0x06, ...Buffer.from("tokens"), //          3: name "tokens"
    0x18, 0x00, //                                 3: limit_remaining 0 (explicit zero is allowed)
    0x22, 0x06, //                                 4: duration_until_reset, 6 bytes
    0x08, 0x2a, //                                    1: seconds 42
    0x10, 0xc0, 0x84, 0x3d, //                        2: nanos 1,000,000
    0x1a, 0x0c, //                              3: response_headers_to_add, 12 bytes
    0x0a, 0x05, ...Buffer.from("x-rl-"), //        1: key "x-rl-"
    0x12, 0x03, ...Buffer.from("7;w"), //          2: value "7;w"
  ]);
  const out = m.decode(bytes);
  assert.ok(out.ok, `error ${out.error} at ${out.errorAt}`);
  assert.equal(out.json, {
    overallCode: Code.OVER_LIMIT,
    statuses: [{
      code: Code.OVER_LIMIT,
      currentLimit: { requestsPerUnit: 1000, unit: Unit.MINUTE, name: "tokens" },
      limitRemaining: 0,
      durationUntilReset: { seconds: "42", nanos: 1_000_000 },
      resetMillis: "42001",
    }],
    responseHeadersToAdd: [{ key: "x-rl-", value: "7;w" }],
    requestHeadersToAdd: [],
  });
  assert.equal(out.json, expectedJson(decodeResponse(bytes)));
});

function randomResponse(r: () => number): RateLimitResponse {
  const resp: RateLimitResponse = { overallCode: Math.floor(r() * 3), statuses: [], responseHeadersToAdd: [], requestHeadersToAdd: [] };
  for (let i = 0, n = Math.floor(r() * 5); i < n; i++) {
    const s: DescriptorStatus = { code: Math.floor(r() * 3), limitRemaining: randomU32(r) };
    if (r() < 0.7) s.currentLimit = { requestsPerUnit: randomU32(r), unit: Math.floor(r() * 7), name: randomString(r, 20) };
    if (r() < 0.7) s.durationUntilReset = { seconds: Math.floor(r() * 86400 * 400), nanos: r() < 0.5 ? 0 : Math.floor(r() * 1e9) };
    resp.statuses.push(s);
  }
  for (let i = 0, n = Math.floor(r() * 3); i < n; i++) resp.responseHeadersToAdd.push({ key: randomString(r, 10), value: randomString(r, 30) });
  for (let i = 0, n = Math.floor(r() * 2); i < n; i++) resp.requestHeadersToAdd.push({ key: randomString(r, 10), value: randomString(r, 30) });
  return resp;
}

test("random responses encoded by the TypeScript codec decode to the same values", () => {
  const r = rng(11);
  for (let i = 0; i < 400; i++) {
    const resp = randomResponse(r);
    const out = m.decode(encodeResponse(resp));
    assert.ok(out.ok, `response ${i}: error ${out.error}`);
    assert.equal(out.json, expectedJson(resp), `response ${i}`);
  }
});

test("unknown fields of every wire type are skipped; a known field with another wire type is ignored", () => {
  const status = new MessageWriter()
    .varint(1, Code.OK)
    .bytes(5, Uint8Array.from([0x08, 0x05])) //   quota (unknown to the decoder)
    .varint(3, 17)
    .bytes(3, Uint8Array.from([1, 2, 3])) //      limit_remaining sent as bytes: ignored
    .varint(99, 1n << 60n);
  const bytes = Uint8Array.from([
    ...new MessageWriter().varint(1, Code.OK).message(2, status).finish(),
    0x29, 1, 2, 3, 4, 5, 6, 7, 8, //              field 5, fixed64
    0x35, 1, 2, 3, 4, //                          field 6, fixed32
    0x3a, 0x02, 0xff, 0xfe, //                    field 7 (quota), bytes that are not even a message
    0x12, 0x00, //                                a second, empty status
  ]);
  const out = m.decode(bytes);
  assert.ok(out.ok, `error ${out.error} at ${out.errorAt}`);
  assert.equal(out.json.statuses, [{ code: Code.OK, limitRemaining: 17 }, { code: 0, limitRemaining: 0 }]);
  assert.equal(out.json, expectedJson(decodeResponse(bytes)));
});

test("the last scalar wins, repeated embedded messages merge, integers keep their declared width", () => {
  const status = Uint8Array.from([
    ...new MessageWriter().varint(1, Code.OVER_LIMIT).varint(1, Code.OK).finish(), //  code twice: OK wins
    ...new MessageWriter().message(2, new MessageWriter().varint(1, 10).string(3, "first")).finish(),
    ...new MessageWriter().message(2, new MessageWriter().varint(2, Unit.HOUR)).finish(), // merged into the first
    ...new MessageWriter().varint(3, (1n << 32n) + 5n).finish(), // uint32 field: truncated to 5
    ...new MessageWriter().message(4, new MessageWriter().varint(1, -3).varint(2, -1)).finish(), // negative duration
  ]);
  const bytes = new MessageWriter().varint(1, -1).bytes(2, status).finish();
  const out = m.decode(bytes);
  assert.ok(out.ok);
  assert.equal(out.json, {
    overallCode: -1, // open enum: an unnamed value is kept as is
    statuses: [{
      code: Code.OK,
      currentLimit: { requestsPerUnit: 10, unit: Unit.HOUR, name: "first" },
      limitRemaining: 5,
      durationUntilReset: { seconds: "-3", nanos: -1 },
      resetMillis: "0",
    }],
    responseHeadersToAdd: [],
    requestHeadersToAdd: [],
  });
  assert.equal(withoutMillis(out.json), withoutMillis(expectedJson(decodeResponse(bytes))));
});

test("duration until reset converts to milliseconds rounded up; no duration is -1", () => {
  const cases: [number, number, string][] = [[0, 0, "0"], [1, 0, "1000"], [0, 1, "1"], [59, 999_999_999, "60000"], [3600, 500_000_000, "3600500"]];
  for (const [seconds, nanos, ms] of cases) {
    const bytes = encodeResponse({ overallCode: 1, statuses: [{ code: 1, limitRemaining: 1, durationUntilReset: { seconds, nanos } }], responseHeadersToAdd: [], requestHeadersToAdd: [] });
    assert.is(m.decode(bytes).json.statuses[0].resetMillis, ms, `${seconds}s ${nanos}ns`);
  }
  const none = m.decode(encodeResponse({ overallCode: 1, statuses: [{ code: 1, limitRemaining: 1 }], responseHeadersToAdd: [], requestHeadersToAdd: [] }));
  assert.is(none.json.statuses[0].resetMillis, undefined);
});

test("window lengths per unit match the service's (envoyproxy/ratelimit's) division of time", () => {
  for (let unit = 0; unit <= 8; unit++) assert.is(Number(x.unitSeconds(unit)), serviceUnitSeconds(unit), `unit ${unit}`);
  assert.is(Number(x.unitSeconds(Unit.MINUTE)), 60);
  assert.is(Number(x.unitSeconds(Unit.UNKNOWN)), 0);
});

// ---- hostile input ----

const SAMPLE = encodeResponse({
  overallCode: Code.OK,
  statuses: [
    { code: Code.OK, currentLimit: { requestsPerUnit: 100000, unit: Unit.MINUTE, name: "per-key" }, limitRemaining: 99000, durationUntilReset: { seconds: 31, nanos: 0 } },
    { code: Code.OK, currentLimit: { requestsPerUnit: 5000000, unit: Unit.DAY, name: "per-team" }, limitRemaining: 12, durationUntilReset: { seconds: 7200, nanos: 5 } },
  ],
  responseHeadersToAdd: [{ key: "ratelimit-limit", value: "100000" }],
  requestHeadersToAdd: [],
});

/** Both decoders must agree: same values, or both refuse the bytes. */
function agree(bytes: Uint8Array, label: string) {
  const out = m.decode(bytes);
  let ts: RateLimitResponse | null = null;
  try { ts = decodeResponse(bytes); } catch { ts = null; }
  if (ts === null) {
    assert.not.ok(out.ok, `${label}: wasm accepted bytes the TypeScript decoder refused`);
    assert.ok(out.error !== ProtoError.None && out.errorAt >= 0 && out.errorAt <= bytes.length, `${label}: error ${out.error} at ${out.errorAt}`);
  } else {
    assert.ok(out.ok, `${label}: wasm refused (error ${out.error} at ${out.errorAt}) bytes the TypeScript decoder accepted`);
    const exp = withoutMillis(expectedJson(ts, false));
    for (const s of exp.statuses) if (s.durationUntilReset && !Number.isSafeInteger(Number(s.durationUntilReset.seconds))) delete s.durationUntilReset;
    const got = withoutMillis(out.json);
    for (const s of got.statuses) if (s.durationUntilReset && !Number.isSafeInteger(Number(s.durationUntilReset.seconds))) delete s.durationUntilReset;
    assert.equal(got, exp, label);
  }
  return out;
}

test("every truncation of a response is decoded or refused exactly as the TypeScript decoder does", () => {
  let refused = 0;
  for (let n = 0; n < SAMPLE.length; n++) if (!agree(SAMPLE.subarray(0, n), `cut at ${n}`).ok) refused++;
  assert.ok(refused > SAMPLE.length / 2, "most cuts fall inside a field and must be refused");
  const cut = m.decode(SAMPLE.subarray(0, 5));
  assert.is(cut.error, ProtoError.UnexpectedEnd);
});

test("every byte of a response set to each of several values: the decoders agree, nothing traps", () => {
  for (let i = 0; i < SAMPLE.length; i++) {
    for (const v of [0x00, 0x01, 0x07, 0x0b, 0x7f, 0x80, 0xff, SAMPLE[i] ^ 0x04]) {
      const bytes = SAMPLE.slice();
      bytes[i] = v;
      agree(bytes, `byte ${i} = ${v}`);
    }
  }
});

test("random bytes and random field soups: the decoders agree, nothing traps", () => {
  const r = rng(99);
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(r() * 64);
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = Math.floor(r() * 256);
    agree(bytes, `noise ${i}`);
  }
  for (let i = 0; i < 2000; i++) {
    // Well-formed tags with random field numbers 1-5 and wire types, so decoding goes deeper.
    const parts: number[] = [];
    for (let f = 0, n = 1 + Math.floor(r() * 6); f < n; f++) {
      const field = 1 + Math.floor(r() * 5);
      const wire = [0, 1, 2, 5][Math.floor(r() * 4)];
      parts.push(...varint((field << 3) | wire));
      if (wire === 0) parts.push(...varint(BigInt(Math.floor(r() * 2 ** 40))));
      else if (wire === 1) parts.push(1, 2, 3, 4, 5, 6, 7, 8);
      else if (wire === 5) parts.push(1, 2, 3, 4);
      else {
        const inner = SAMPLE.subarray(Math.floor(r() * SAMPLE.length));
        const take = inner.subarray(0, Math.floor(r() * inner.length));
        parts.push(...varint(take.length), ...take);
      }
    }
    agree(Uint8Array.from(parts), `soup ${i}`);
  }
  assert.equal(m.logs, [], "no abort was logged");
});

test("invalid UTF-8 in a string field is refused; the same bytes in an unknown field are not", () => {
  const bad = Uint8Array.from([0xc3, 0x28]);
  const inName = new MessageWriter().message(2, new MessageWriter().message(2, new MessageWriter().bytes(3, bad))).finish();
  const out = m.decode(inName);
  assert.is(out.error, ProtoError.InvalidUtf8);
  assert.is(out.errorAt, 6); // the name's payload: after 2+2+2 bytes of tags and lengths
  const inUnknown = new MessageWriter().varint(1, 1).bytes(7, bad).finish();
  assert.ok(m.decode(inUnknown).ok);
});

test("caps: more statuses or headers than the decoder keeps, or a longer string, is too large", () => {
  const statuses = new MessageWriter();
  for (let i = 0; i < 257; i++) statuses.message(2, new MessageWriter().varint(1, 1));
  assert.is(m.decode(statuses.finish()).error, ProtoError.TooLarge);
  const fine = new MessageWriter();
  for (let i = 0; i < 256; i++) fine.message(2, new MessageWriter().varint(1, 1));
  assert.is(m.decode(fine.finish()).json.statuses.length, 256);
  const headers = new MessageWriter();
  for (let i = 0; i < 65; i++) headers.message(3, new MessageWriter().string(1, "k").string(2, "v"));
  assert.is(m.decode(headers.finish()).error, ProtoError.TooLarge);
  const longName = new MessageWriter().message(2, new MessageWriter().message(2, new MessageWriter().string(3, "n".repeat(8193)))).finish();
  assert.is(m.decode(longName).error, ProtoError.TooLarge);
});

test("memory stays flat over many encodes and decodes", () => {
  const p = m.put(SAMPLE);
  m.build({ domain: "tollgate", descriptors: [{ entries: [{ key: "tenant", value: "acme" }], hitsAddend: 1234 }], hitsAddend: 0 });
  assert.is(x.respDecodeMany(p.ptr, p.len, 2000), 2000);
  assert.is(x.reqEncodeMany(2000), 2000);
  x.collect();
  const before = m.memory.buffer.byteLength;
  for (let round = 0; round < 5; round++) {
    assert.is(x.respDecodeMany(p.ptr, p.len, 20000), 20000);
    assert.is(x.reqEncodeMany(20000), 20000);
    x.collect();
  }
  assert.is(m.memory.buffer.byteLength, before, "wasm memory grew");
  m.free(p);
});

test("every error code the decoder reports has its own message", () => {
  const messages = new Set<string>();
  for (const code of Object.values(ProtoError)) {
    x.errorText(code);
    messages.add(m.outputText());
  }
  assert.is(messages.size, Object.values(ProtoError).length);
  assert.not.ok(messages.has("unknown error"));
});

test.run();
