/**
 * @module test/wasm-sections
 * A minimal reader of a WebAssembly binary's type, import, function, export and start
 * sections: enough to check a module's host-facing shape (names, kinds and exact signatures)
 * without instantiating it. Other sections are skipped by their declared size.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export interface FuncType { params: ValType[]; results: ValType[]; }
export type ExternKind = "func" | "table" | "memory" | "global";

export interface WasmImport { module: string; name: string; kind: ExternKind; type?: FuncType; }
export interface WasmExport { name: string; kind: ExternKind; index: number; type?: FuncType; }

export interface WasmSections {
  types: FuncType[];
  imports: WasmImport[];
  exports: WasmExport[];
  /** Function index of the start section, if the module has one. */
  start: number | null;
}

const VALTYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS: ExternKind[] = ["func", "table", "memory", "global"];

class Reader {
  pos = 0;
  constructor(private bytes: Uint8Array) {}
  get done(): boolean { return this.pos >= this.bytes.length; }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("unexpected end of module");
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0, b: number;
    do { b = this.byte(); result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return result;
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

/** Reads the sections of a wasm binary; throws on a malformed header or truncated section. */
export function readSections(bytes: Uint8Array): WasmSections {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const m of magic) if (r.byte() !== m) throw new Error("not a wasm 1.0 binary");
  const out: WasmSections = { types: [], imports: [], exports: [], start: null };
  const definedFuncTypes: number[] = [];
  const rawExports: { name: string; kind: ExternKind; index: number }[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.byte() !== 0x60) throw new Error("type section: expected a function type");
        const params = Array.from({ length: r.u32() }, () => r.valtype());
        const results = Array.from({ length: r.u32() }, () => r.valtype());
        out.types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = KINDS[r.byte()];
        if (kind === "func") out.imports.push({ module, name, kind, type: out.types[r.u32()] });
        else {
          if (kind === "table") { r.byte(); r.limits(); }
          else if (kind === "memory") r.limits();
          else if (kind === "global") { r.valtype(); r.byte(); }
          else throw new Error("import section: unknown kind");
          out.imports.push({ module, name, kind });
        }
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) definedFuncTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = KINDS[r.byte()];
        if (!kind) throw new Error("export section: unknown kind");
        rawExports.push({ name, kind, index: r.u32() });
      }
    } else if (id === 8) {
      out.start = r.u32();
    }
    if (r.pos > end) throw new Error(`section ${id} overruns its size`);
    r.pos = end;
  }
  // Function index space: imported functions first, then the module's own.
  const funcTypes = [
    ...out.imports.filter((i) => i.kind === "func").map((i) => i.type!),
    ...definedFuncTypes.map((t) => out.types[t]),
  ];
  out.exports = rawExports.map((e) => (e.kind === "func" ? { ...e, type: funcTypes[e.index] } : e));
  return out;
}

/** `(i32, i64) -> (i32)` */
export function formatType(t: FuncType | undefined): string {
  return t ? `(${t.params.join(", ")}) -> (${t.results.join(", ")})` : "(unknown)";
}
