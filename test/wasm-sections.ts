/**
 * @module test/wasm-sections
 * The old section-reader interface, now a view onto harness/module-info (the one wasm section
 * reader), kept only for test/module-shape.test.ts; delete this file once that test imports
 * `readModuleInfo` itself.
 */
import { readModuleInfo, type FuncType } from "../harness/module-info.ts";

export type { FuncType };
export type ExternKind = "func" | "table" | "memory" | "global";
export interface WasmImport { module: string; name: string; kind: ExternKind; type?: FuncType }
export interface WasmExport { name: string; kind: ExternKind; index: number; type?: FuncType }
export interface WasmSections { imports: WasmImport[]; exports: WasmExport[]; start: number | null }

const short = (kind: string): ExternKind => (kind === "function" ? "func" : (kind as ExternKind));

/** Reads a wasm binary's imports, exports and start function; throws on a malformed module. */
export function readSections(bytes: Uint8Array): WasmSections {
  const m = readModuleInfo(bytes);
  return {
    imports: m.imports.map((i) => ({ ...i, kind: short(i.kind) })),
    exports: m.exports.map((e) => ({ ...e, kind: short(e.kind) })),
    start: m.startFunction,
  };
}
