/**
 * @module harness/module-info
 * Reads what a host must check before instantiating a module, straight from the binary:
 * imports and exports with their function signatures and indices, and the start section's
 * function if there is one. The module-shape check (test/module-shape.ts) reads the same.
 * Node 20's `WebAssembly.Module.imports()` has no type reflection, and cpp-host rejects
 * imports and exports whose signature differs from its own (§10.1), so we parse the sections.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export interface FuncType { params: ValType[]; results: ValType[] }
export interface ImportInfo { module: string; name: string; kind: "function" | "table" | "memory" | "global"; type?: FuncType }
/** `index` is in the export's own index space (functions: imported ones first), so two exports of one function share it. */
export interface ExportInfo { name: string; kind: "function" | "table" | "memory" | "global"; index: number; type?: FuncType }
export interface ModuleInfo {
  imports: ImportInfo[];
  exports: ExportInfo[];
  hasStartSection: boolean;
  /** Function index named by the start section; null without one. */
  startFunction: number | null;
}

const VALTYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS = ["function", "table", "memory", "global"] as const;

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}
  byte(): number {
    if (this.pos >= this.end) throw new Error("unexpected end of wasm binary");
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0, b: number;
    do { b = this.byte(); result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80 && shift < 35);
    return result >>> 0;
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new Error(`unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("not a WebAssembly binary (bad magic)");
  }
  const types: FuncType[] = [];
  const imports: ImportInfo[] = [];
  const funcTypeIndices: number[] = [];
  const rawExports: Array<{ name: string; kind: ExportInfo["kind"]; index: number }> = [];
  let startFunction: number | null = null;
  const r = new Reader(bytes);
  r.pos = 8;
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        if (s.byte() !== 0x60) throw new Error("unsupported type form");
        const params = Array.from({ length: s.u32() }, () => s.valtype());
        const results = Array.from({ length: s.u32() }, () => s.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name(), name = s.name();
        const kind = KINDS[s.byte()];
        if (!kind) throw new Error(`import ${module}.${name}: unknown kind`);
        if (kind === "function") {
          const type = types[s.u32()];
          imports.push({ module, name, kind, type });
          funcTypeIndices.push(-1 - (imports.length - 1));
        } else {
          if (kind === "table") { s.byte(); s.limits(); } else if (kind === "memory") s.limits(); else { s.valtype(); s.byte(); }
          imports.push({ module, name, kind });
        }
      }
    } else if (id === 3) {
      for (let n = s.u32(); n > 0; n--) funcTypeIndices.push(s.u32());
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name();
        const kind = KINDS[s.byte()];
        if (!kind) throw new Error(`export ${name}: unknown kind`);
        rawExports.push({ name, kind, index: s.u32() });
      }
    } else if (id === 8) {
      startFunction = s.u32();
    }
    r.pos = end;
  }
  const exports = rawExports.map(({ name, kind, index }): ExportInfo => {
    if (kind !== "function") return { name, kind, index };
    const t = funcTypeIndices[index];
    return { name, kind, index, type: t === undefined ? undefined : t < 0 ? imports[-1 - t].type : types[t] };
  });
  return { imports, exports, hasStartSection: startFunction !== null, startFunction };
}

export function signature(t: FuncType | undefined): string {
  return t ? `(${t.params.join(",")})->(${t.results.join(",")})` : "?";
}
