/**
 * @module filters/sdk/bytes.test
 * The SDK's byte formats, run inside the compiled `sdk-tests` module: the header pairs
 * serialization against the reference's §6.1 fixture (and a parser that never traps on damaged
 * input), property paths (§6.2) and the hand-encoded `set_envoy_filter_state` protobuf (§10.13).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, ROOT } from "../../scripts/build.ts";

interface SdkTests {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  free(p: number): void;
  outputLen(): number;
  serializeExample(): number;
  serializeEmpty(): number;
  parseAndRender(ptr: number, len: number): number;
  pickAndRender(ptr: number, len: number, namesPtr: number, namesLen: number, asStrings: number): number;
  propertyPath(ptr: number, len: number): number;
  filterStateArgs(pp: number, pl: number, vp: number, vl: number, span: number): number;
  hostAlloc(size: number): number;
  hostRelease(ptr: number): void;
}

let sdk: SdkTests;
const logs: string[] = [];

test.before(async () => {
  await build(["sdk-tests"]);
  const module = new WebAssembly.Module(readFileSync(join(ROOT, "dist/test/sdk-tests.wasm")));
  const imports: Record<string, Record<string, (...a: number[]) => number>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = imp.name === "proxy_log"
      ? (level, ptr, len) => { logs.push(new TextDecoder().decode(new Uint8Array(sdk.memory.buffer, ptr, len))); return 0; }
      : () => 52; // ENOSYS / an unexpected status: the byte code under test must not need the host
  }
  const instance = new WebAssembly.Instance(module, imports);
  sdk = instance.exports as unknown as SdkTests;
  (instance.exports._initialize as () => void)();
});

function output(ptr: number): Uint8Array {
  return new Uint8Array(sdk.memory.buffer, ptr, sdk.outputLen()).slice();
}

function withInput<T>(bytes: Uint8Array, fn: (ptr: number, len: number) => T): T {
  const ptr = sdk.alloc(Math.max(bytes.length, 1));
  new Uint8Array(sdk.memory.buffer, ptr, bytes.length).set(bytes);
  try { return fn(ptr, bytes.length); } finally { sdk.free(ptr); }
}

function parse(bytes: Uint8Array): string | null {
  return withInput(bytes, (ptr, len) => {
    const out = sdk.parseAndRender(ptr, len);
    return out === 0 ? null : new TextDecoder().decode(output(out));
  });
}

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

// Reference §6.1: [(":status","429"), ("retry-after","7")], 46 bytes.
const EXAMPLE = Uint8Array.from([
  ...hex("02 00 00 00"), //                                   count 2
  ...hex("07 00 00 00 03 00 00 00"), //                       ":status" 7 bytes, "429" 3 bytes
  ...hex("0b 00 00 00 01 00 00 00"), //                       "retry-after" 11 bytes, "7" 1 byte
  ...hex("3a 73 74 61 74 75 73 00 34 32 39 00"), //           ":status" NUL "429" NUL
  ...hex("72 65 74 72 79 2d 61 66 74 65 72 00 37 00"), //     "retry-after" NUL "7" NUL
]);

test("serializePairs produces the reference's 46-byte example exactly", () => {
  assert.is(EXAMPLE.length, 46);
  assert.equal(Array.from(output(sdk.serializeExample())), Array.from(EXAMPLE));
});

test("no pairs serialize to zero bytes (the host's ptr 0 / len 0)", () => {
  sdk.serializeEmpty();
  assert.is(sdk.outputLen(), 0);
});

test("parsePairs reads the example, an empty map and the spec's single NUL", () => {
  assert.is(parse(EXAMPLE), "2\n:status=429\nretry-after=7");
  assert.is(parse(new Uint8Array(0)), "0");
  assert.is(parse(Uint8Array.of(0)), "0");
  assert.is(parse(hex("00 00 00 00")), "0"); // Envoy's empty map/list property value
});

/** Both pickers (values copied, strings decoded in place) must agree; their common answer. */
function pick(bytes: Uint8Array, names: string): string | null {
  const run = (asStrings: boolean) => withInput(bytes, (ptr, len) => withInput(new TextEncoder().encode(names), (np, nl) => {
    const out = sdk.pickAndRender(ptr, len, np, nl, asStrings ? 1 : 0);
    return out === 0 ? null : new TextDecoder().decode(output(out));
  }));
  const copied = run(false);
  assert.is(run(true), copied, `pickPairStringsAt vs pickPairValuesAt for ${names}`);
  return copied;
}

test("pickPairValuesAt: the first value of each name asked (lowercased), absent ones null, malformed maps null", () => {
  assert.is(pick(EXAMPLE, "retry-after/:status/x-missing/Retry-After"), "7\n429\n-\n7");
  assert.is(pick(new Uint8Array(0), ":status"), "-");
  // A repeated header: the first value, as get_header_map_value answers.
  const twice = Uint8Array.from([...hex("02 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00"), ...hex("61 00 31 00 61 00 32 00")]);
  assert.is(pick(twice, "a"), "1");
  for (let len = 1; len < EXAMPLE.length; len++) assert.is(pick(EXAMPLE.subarray(0, len), ":status"), null, `length ${len}`);
  assert.is(pick(Uint8Array.from([...EXAMPLE, 0]), ":status"), null);
  // UTF-8 values and an empty value decode alike through both.
  const value = [...new TextEncoder().encode("é€")]; // 5 bytes
  const utf8 = Uint8Array.from([...hex("02 00 00 00 01 00 00 00 05 00 00 00 01 00 00 00 00 00 00 00"), 0x61, 0, ...value, 0, ...hex("62 00 00")]);
  assert.is(pick(utf8, "a/b/c"), "é€\n\n-");
});

test("every truncation of the example and trailing garbage are malformed, not a trap", () => {
  for (let len = 1; len < EXAMPLE.length; len++) assert.is(parse(EXAMPLE.subarray(0, len)), null, `length ${len}`);
  assert.is(parse(Uint8Array.from([...EXAMPLE, 0])), null);
});

test("missing NUL terminators, huge counts and huge lengths are malformed", () => {
  const noNul = EXAMPLE.slice(); noNul[27] = 0x41; // the NUL after ":status"
  assert.is(parse(noNul), null);
  const hugeCount = EXAMPLE.slice(); hugeCount.set([0xff, 0xff, 0xff, 0xff], 0);
  assert.is(parse(hugeCount), null);
  const hugeKey = EXAMPLE.slice(); hugeKey.set([0xff, 0xff, 0xff, 0xff], 4);
  assert.is(parse(hugeKey), null);
  const hugeValue = EXAMPLE.slice(); hugeValue.set([0xfe, 0xff, 0xff, 0xff], 8);
  assert.is(parse(hugeValue), null);
});

test("every single-byte change of the example parses or is rejected without trapping", () => {
  let parsed = 0, rejected = 0;
  for (let i = 0; i < EXAMPLE.length; i++) {
    for (let b = 0; b < 256; b++) {
      const damaged = EXAMPLE.slice();
      damaged[i] = b;
      if (parse(damaged) === null) rejected++; else parsed++;
    }
  }
  assert.is(parsed + rejected, EXAMPLE.length * 256);
  assert.ok(parsed > 0 && rejected > 0);
  assert.equal(logs.filter((l) => l.startsWith("abort")), []);
});

function encodePath(segments: string): Uint8Array {
  return withInput(new TextEncoder().encode(segments), (ptr, len) => output(sdk.propertyPath(ptr, len)));
}

test("property paths join segments with one NUL and no trailing NUL (§6.2)", () => {
  assert.equal(Array.from(encodePath("request/path")), Array.from(new TextEncoder().encode("request\0path")));
  assert.equal(Array.from(encodePath("plugin_root_id")), Array.from(new TextEncoder().encode("plugin_root_id")));
  assert.equal(Array.from(encodePath("request/headers/content-type")), Array.from(new TextEncoder().encode("request\0headers\0content-type")));
  assert.is(encodePath("").length, 0);
});

function filterState(path: string, value: string, span: number): number[] {
  const p = new TextEncoder().encode(path);
  const v = new TextEncoder().encode(value);
  return withInput(p, (pp, pl) => withInput(v, (vp, vl) => Array.from(output(sdk.filterStateArgs(pp, pl, vp, vl, span)))));
}

test("set_envoy_filter_state arguments are protobuf fields 1, 2 and 3", () => {
  const path = "envoy.tcp_proxy.cluster"; // 23 bytes
  assert.equal(filterState(path, "c1", 1), [0x0a, 23, ...new TextEncoder().encode(path), 0x12, 2, 0x63, 0x31, 0x18, 1]);
  // LifeSpan FilterChain (0) is proto3's default and is left out.
  assert.equal(filterState("a", "", 0), [0x0a, 1, 0x61, 0x12, 0]);
  // Lengths past 127 take a two-byte varint.
  const long = "x".repeat(200);
  const encoded = filterState("p", long, 2);
  assert.equal(encoded.slice(3, 6), [0x12, 0xc8, 0x01]);
  assert.is(encoded.length, 3 + 3 + 200 + 2);
});

test("the host's allocator reuses one block while it is free, and falls back to the heap", () => {
  const u8 = () => new Uint8Array(sdk.memory.buffer);
  const a = sdk.hostAlloc(100);
  // While `a` is out, a second result (and one larger than the block) gets memory of its own.
  const b = sdk.hostAlloc(100);
  const big = sdk.hostAlloc(64 << 10);
  assert.ok(a !== 0 && b !== 0 && big !== 0);
  assert.ok(b !== a && big !== a && big !== b);
  u8().fill(1, a, a + 100);
  u8().fill(2, b, b + 100);
  u8().fill(3, big, big + (64 << 10));
  assert.ok(u8().subarray(a, a + 100).every((x) => x === 1), "the heap blocks do not overlap the reused one");
  sdk.hostRelease(b);
  sdk.hostRelease(big);
  sdk.hostRelease(a);
  // Released, the block is handed out again, for any size it holds.
  assert.is(sdk.hostAlloc(16 << 10), a);
  sdk.hostRelease(a);
  assert.is(sdk.hostAlloc(1), a);
  sdk.hostRelease(a);
  sdk.hostRelease(0); // an empty result: nothing to free
  assert.is(logs.length, 0, logs.join("\n"));
});

test.run();
