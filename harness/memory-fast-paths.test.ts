/**
 * @module harness/memory-fast-paths.test
 * The shortcuts the hot path takes give exactly the bytes of the plain encoding: strings handed
 * to the module (ASCII written in place; anything else, lone surrogates included, through
 * TextEncoder), pairs mixing strings and bytes (serialized apart or straight into memory), reads
 * straight from memory, and cached views that follow the memory when it grows.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ModuleMemory, MemoryFault, bytes, encodePairs } from "./memory.ts";

/** A ModuleMemory over a bare Memory with a bump allocator, as a module's malloc would be. */
function memoryWithAllocator(pages = 1): { mem: ModuleMemory; wasm: WebAssembly.Memory } {
  const wasm = new WebAssembly.Memory({ initial: pages, maximum: 16 });
  const mem = new ModuleMemory(() => wasm);
  let next = 1024;
  mem.allocate = (n) => { const p = next; next += n; return p; };
  return { mem, wasm };
}

function handed(mem: ModuleMemory, wasm: WebAssembly.Memory, how: "string" | "bytes", s: string): Uint8Array {
  const ok = how === "string" ? mem.copyStringOut(s, 0, 4) : mem.copyOut(bytes(s), 0, 4);
  assert.ok(ok);
  const dv = new DataView(wasm.buffer);
  const ptr = dv.getUint32(0, true), len = dv.getUint32(4, true);
  return new Uint8Array(wasm.buffer, ptr, len).slice();
}

const STRINGS = ["", "application/json", "x".repeat(5000), "caf\u00e9", "\u4f60\u597d", "\ud83d\ude00", "lone \ud800 surrogate", "\u007f\u0080", "\0nul"];

test("copyStringOut writes the very bytes copyOut(bytes(s)) writes, for ASCII and anything else", () => {
  const { mem, wasm } = memoryWithAllocator();
  for (const s of STRINGS) {
    assert.equal([...handed(mem, wasm, "string", s)], [...handed(mem, wasm, "bytes", s)], JSON.stringify(s));
  }
  const { mem: m2, wasm: w2 } = memoryWithAllocator();
  assert.ok(m2.copyStringOut("", 8, 12));
  assert.equal([...new Uint8Array(w2.buffer, 8, 8)], [0, 0, 0, 0, 0, 0, 0, 0], "empty: ptr 0, size 0");
});

test("copyStringOut refuses an allocator that fails or points outside memory, like copyOut", () => {
  const { mem } = memoryWithAllocator();
  mem.allocate = () => 0;
  assert.not.ok(mem.copyStringOut("abc", 0, 4));
  mem.allocate = () => 65536 - 2;
  assert.not.ok(mem.copyStringOut("abc", 0, 4));
  assert.not.ok(mem.copyOut(bytes("abc"), 0, 4));
});

test("encodePairs: strings and bytes, ASCII or not, encode as TextEncoder would", () => {
  const pairs: Array<[string | Uint8Array, string | Uint8Array]> = [
    [":path", "/v1"], ["x-caf\u00e9", "\u4f60"], [bytes("raw"), new Uint8Array([0xff, 0x00, 0x41])], ["lone", "\udc00"], ["", ""],
  ];
  const reference = (() => {
    const enc = pairs.map(([k, v]) => [bytes(k), bytes(v)] as const);
    const out: number[] = [];
    const u32 = (n: number) => out.push(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
    u32(enc.length);
    for (const [k, v] of enc) { u32(k.length); u32(v.length); }
    for (const [k, v] of enc) out.push(...k, 0, ...v, 0);
    return out;
  })();
  assert.equal([...encodePairs(pairs)], reference);
});

test("copyPairsOut writes encodePairs' bytes straight into memory, NULs included over dirty memory", () => {
  const lists: Array<Array<[string | Uint8Array, string | Uint8Array]>> = [
    [[":path", "/v1"], ["x-caf\u00e9", "\u4f60"], [bytes("raw"), new Uint8Array([0xff, 0x00, 0x41])], ["", ""]],
    [["content-type", "x".repeat(300)]],
    [],
  ];
  for (const pairs of lists) {
    const { mem, wasm } = memoryWithAllocator();
    new Uint8Array(wasm.buffer).fill(0xaa, 1024);
    assert.ok(mem.copyPairsOut(pairs, 0, 4));
    const dv = new DataView(wasm.buffer);
    const ptr = dv.getUint32(0, true), len = dv.getUint32(4, true);
    assert.equal([...new Uint8Array(wasm.buffer, ptr, len)], [...encodePairs(pairs)], `${pairs.length} pairs`);
    if (pairs.length === 0) assert.equal([ptr, len], [0, 0], "empty: ptr 0, size 0");
  }
  const { mem } = memoryWithAllocator();
  mem.allocate = () => 65536 - 8;
  assert.not.ok(mem.copyPairsOut([["k", "v"]], 0, 4), "an allocation outside memory fails as copyOut does");
});

test("reads come straight from memory and follow it when it grows; out of range is a fault", () => {
  const { mem, wasm } = memoryWithAllocator();
  new Uint8Array(wasm.buffer).set(bytes("hello \u00e9"), 100);
  assert.is(mem.readString(100, 7), "hello \u00e9".slice(0, 6) + "\ufffd", "a cut character decodes as TextDecoder does");
  assert.is(mem.readString(100, 8), "hello \u00e9");
  const copy = mem.read(100, 5);
  new Uint8Array(wasm.buffer)[100] = 0x4a;
  assert.is(Buffer.from(copy).toString(), "hello", "read() is a copy");
  wasm.grow(1);
  mem.write(65536 + 10, bytes("grown"));
  assert.is(mem.readString(65536 + 10, 5), "grown");
  mem.writeU32(65536 + 20, 0xdeadbeef);
  assert.is(new DataView(wasm.buffer).getUint32(65536 + 20, true), 0xdeadbeef);
  assert.is(mem.pages, 2);
  assert.throws(() => mem.read(2 * 65536 - 2, 3), (e: unknown) => e instanceof MemoryFault);
  assert.throws(() => mem.writeU32(2 * 65536 - 2, 1), (e: unknown) => e instanceof MemoryFault);
});

test.run();
