/**
 * @module harness/testdata/wasm-builder
 * Assembles tiny wasm binaries by hand for load-time tests that AssemblyScript cannot
 * produce on purpose: wrong imports, wrong signatures, a start section, `_start` instead
 * of `_initialize`. Function bodies are raw opcodes (see `op`).
 */
type V = "i32" | "i64";
const VT: Record<V, number> = { i32: 0x7f, i64: 0x7e };

export interface FuncSpec { export?: string; params?: V[]; results?: V[]; body: number[] }
export interface ModuleSpec {
  imports?: Array<{ module: string; name: string; params?: V[]; results?: V[] }>;
  funcs: FuncSpec[];
  /** Index (in the function index space, imports first) of the start function. */
  start?: number;
  /** Bytes placed at offset 1024 of memory. */
  data?: Uint8Array;
}

const uleb = (n: number): number[] => { const out: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); }
};
const str = (s: string) => { const b = [...Buffer.from(s)]; return [...uleb(b.length), ...b]; };
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export const op = {
  call: (i: number) => [0x10, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  drop: [0x1a],
  unreachable: [0x00],
};

export function buildModule(spec: ModuleSpec): Uint8Array {
  const types: string[] = [];
  const typeIdx = (p: V[] = [], r: V[] = []) => {
    const key = `${p.join(",")}>${r.join(",")}`;
    let i = types.indexOf(key);
    if (i < 0) { types.push(key); i = types.length - 1; }
    return i;
  };
  const imports = (spec.imports ?? []).map((i) => [...str(i.module), ...str(i.name), 0x00, ...uleb(typeIdx(i.params, i.results))]);
  const funcTypes = spec.funcs.map((f) => uleb(typeIdx(f.params, f.results)));
  const nImports = imports.length;
  const exports: number[][] = [[...str("memory"), 0x02, 0x00]];
  spec.funcs.forEach((f, i) => { if (f.export) exports.push([...str(f.export), 0x00, ...uleb(nImports + i)]); });
  const typeSec = types.map((k) => {
    const [p, r] = k.split(">").map((s) => (s ? (s.split(",") as V[]) : []));
    return [0x60, ...vec(p.map((v) => [VT[v]])), ...vec(r.map((v) => [VT[v]]))];
  });
  const code = spec.funcs.map((f) => { const body = [0x00, ...f.body, 0x0b]; return [...uleb(body.length), ...body]; });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(typeSec)),
    ...(imports.length ? section(2, vec(imports)) : []),
    ...section(3, vec(funcTypes)),
    ...section(5, vec([[0x00, 0x02]])),
    ...section(7, vec(exports)),
    ...(spec.start !== undefined ? section(8, uleb(spec.start)) : []),
    ...section(10, vec(code)),
    ...(spec.data ? section(11, vec([[0x00, 0x41, ...sleb(1024), 0x0b, ...uleb(spec.data.length), ...spec.data]])) : []),
  ];
  return new Uint8Array(bytes);
}

/** The minimum a host accepts: ABI marker, memory, allocator. */
export const baseFuncs = (): FuncSpec[] => [
  { export: "proxy_abi_version_0_2_1", body: [] },
  { export: "malloc", params: ["i32"], results: ["i32"], body: op.i32(4096) },
];
