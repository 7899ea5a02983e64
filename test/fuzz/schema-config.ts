/**
 * @module test/fuzz/schema-config
 * Plugin configurations drawn from a filter's JSON Schema: a walk over the schema (`$ref`, types,
 * `enum`/`const`, simple `pattern`s, length and range limits, `required`, `additionalProperties`
 * with `propertyNames`) that produces valid documents, checked with ajv (retrying the few that
 * `not`/`if` keywords rule out), and invalid ones made by breaking one field of a valid document,
 * with the path a filter's refusal must name (`limits[0].window`).
 */

import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import type { Prng } from "./prng.ts";
import { generateMatching } from "./regex-gen.ts";

type Schema = Record<string, any>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An invalid configuration and the field its refusal must name. */
export interface BrokenConfig { config: Json; field: string; how: string }

const MAX_DEPTH = 8;

function pathOf(parent: string, key: string | number): string {
  return typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`;
}

export class ConfigGenerator {
  private readonly schema: Schema;
  readonly validate: ValidateFunction;
  private readonly patterns = new Map<string, RegExp>();

  /** `vocabulary`: strings worth trying first where a string fits (model names, header names, phrases). */
  constructor(schemaPath: string, private readonly vocabulary: readonly string[]) {
    this.schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    this.validate = new Ajv2020({ strict: false, allErrors: false }).compile(this.schema);
  }

  private resolve(s: Schema): Schema {
    let out = s;
    for (let hops = 0; out.$ref !== undefined && hops < 10; hops++) {
      const ref = String(out.$ref);
      if (!ref.startsWith("#/")) throw new Error(`unsupported $ref ${ref}`);
      const target = ref.slice(2).split("/").reduce((node: any, k) => node?.[k], this.schema);
      const { $ref: _, ...rest } = out;
      out = { ...target, ...rest };
    }
    return out;
  }

  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) this.patterns.set(pattern, (re = new RegExp(pattern, "u")));
    return re;
  }

  private fitsString(s: Schema, v: string): boolean {
    const len = [...v].length;
    if (s.minLength !== undefined && len < s.minLength) return false;
    if (s.maxLength !== undefined && len > s.maxLength) return false;
    if (s.pattern !== undefined && !this.regex(s.pattern).test(v)) return false;
    if (s.enum !== undefined && !s.enum.includes(v)) return false;
    return true;
  }

  private string(s: Schema, r: Prng): string {
    if (r.chance(0.6)) {
      const fits = this.vocabulary.filter((v) => this.fitsString(s, v));
      if (fits.length > 0) return r.pick(fits);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      let v: string;
      if (s.pattern !== undefined) v = generateMatching(s.pattern, r);
      else {
        const min = s.minLength ?? 0, max = Math.min(s.maxLength ?? 24, min + 24);
        v = Array.from({ length: r.range(min, max) }, () => String.fromCharCode(r.range(0x61, 0x7a))).join("");
      }
      if (s.minLength !== undefined) while ([...v].length < s.minLength) v += v.length > 0 ? v : "a";
      if (s.maxLength !== undefined && [...v].length > s.maxLength) v = [...v].slice(0, s.maxLength).join("");
      if (this.fitsString(s, v)) return v;
    }
    return "x";
  }

  private number(s: Schema, r: Prng, integer: boolean): number {
    const min: number = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
    const max: number = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : min + 1_000_000);
    if (s.default !== undefined && r.chance(0.3)) return s.default;
    const k = r.int(10);
    if (k === 0) return min;
    if (k === 1) return max;
    if (k === 2) return Math.min(max, min + 1);
    // Log-uniform between the bounds: small and large magnitudes alike.
    const span = max - min;
    const v = min + Math.exp(Math.log(span + 1) * (r.u32() / 0x100000000)) - 1;
    return integer ? Math.min(max, Math.floor(v)) : Math.min(max, Math.round(v * 100) / 100);
  }

  /** A value for schema `s` at `path`; valid except where `not`/`if` rule it out (the caller checks). */
  generate(s0: Schema, r: Prng, depth = 0): Json {
    const s = this.resolve(s0);
    if (s.const !== undefined) return s.const;
    if (s.enum !== undefined) return r.pick(s.enum);
    let type = s.type ?? (s.properties || s.additionalProperties ? "object" : s.items ? "array" : undefined);
    if (Array.isArray(type)) type = r.pick(type);
    switch (type) {
      case "object": {
        const out: { [k: string]: Json } = {};
        if (depth >= MAX_DEPTH) return out;
        const required: string[] = s.required ?? [];
        for (const [k, sub] of Object.entries<Schema>(s.properties ?? {})) {
          if (required.includes(k) || r.chance(0.5)) out[k] = this.generate(sub, r, depth + 1);
        }
        if (s.additionalProperties && typeof s.additionalProperties === "object") {
          const names: Schema = s.propertyNames ?? { type: "string", minLength: 1, maxLength: 16 };
          for (let i = r.pick([0, 1, 1, 2, 3]); i > 0; i--) {
            const key = this.string(this.resolve(names), r);
            if (!(key in out)) out[key] = this.generate(s.additionalProperties, r, depth + 1);
          }
        }
        return out;
      }
      case "array": {
        const min = s.minItems ?? 0, max = Math.min(s.maxItems ?? min + 3, min + 3);
        const items = Array.from({ length: r.range(min, max) }, () => this.generate(s.items ?? {}, r, depth + 1));
        // Array items named `name` stay distinct: filters refuse repeated names, which no schema can say.
        const seen = new Set<string>();
        items.forEach((it, i) => {
          if (it && typeof it === "object" && !Array.isArray(it) && typeof it.name === "string") {
            if (seen.has(it.name)) it.name = `${it.name.slice(0, 60)}-${i}`;
            seen.add(it.name);
          }
        });
        return items;
      }
      case "string": return this.string(s, r);
      case "integer": return this.number(s, r, true);
      case "number": return this.number(s, r, false);
      case "boolean": return r.chance(0.5);
      case "null": return null;
      default: return r.pick([null, true, 1, "x", [], {}]);
    }
  }

  /** A configuration the schema accepts (null if 30 draws all failed, which the caller counts). */
  valid(r: Prng): Record<string, Json> | null {
    for (let attempt = 0; attempt < 30; attempt++) {
      const c = this.generate(this.schema, r) as Record<string, Json>;
      if (this.validate(c)) return c;
    }
    return null;
  }

  /** Every (path, value, schema) of a document, for choosing what to break. */
  private fields(value: Json, s0: Schema, path: string, out: Array<{ path: string; parent: any; key: string | number; schema: Schema }>, parent: any, key: string | number | null): void {
    const s = this.resolve(s0);
    if (key !== null) out.push({ path, parent, key, schema: s });
    if (Array.isArray(value)) value.forEach((v, i) => this.fields(v, s.items ?? {}, pathOf(path, i), out, value, i));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        const sub = s.properties?.[k] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : {});
        this.fields(v, sub, pathOf(path, k), out, value, k);
      }
    }
  }

  /**
   * Breaks one field of a valid configuration: a value of the wrong type, out of range, off its
   * pattern or enum, an unknown property, or a required one removed. Null when the document has
   * nothing breakable or the schema still accepts the result.
   */
  invalid(base: Record<string, Json>, r: Prng): BrokenConfig | null {
    for (let attempt = 0; attempt < 10; attempt++) {
      const config = structuredClone(base);
      const fields: Array<{ path: string; parent: any; key: string | number; schema: Schema }> = [];
      this.fields(config, this.schema, "", fields, null, null);
      const objects = [{ path: "", value: config as any, schema: this.schema }, ...fields
        .filter((f) => f.parent[f.key] && typeof f.parent[f.key] === "object" && !Array.isArray(f.parent[f.key]))
        .map((f) => ({ path: f.path, value: f.parent[f.key], schema: f.schema }))];
      let field: string, how: string;
      const k = r.int(4);
      if (k === 0 && objects.some((o) => o.schema.additionalProperties === false)) {
        const o = r.pick(objects.filter((x) => x.schema.additionalProperties === false));
        const name = r.pick(["bogus", "maxBodyByte", "Limits", "hold_headers"]);
        o.value[name] = 1;
        field = pathOf(o.path, name); how = "unknown property";
      } else if (k === 1 && objects.some((o) => (o.schema.required ?? []).length > 0)) {
        const o = r.pick(objects.filter((x) => (x.schema.required ?? []).length > 0));
        const name = r.pick(o.schema.required as string[]);
        delete o.value[name];
        field = pathOf(o.path, name); how = "required property removed";
      } else {
        const leaves = fields.filter((f) => typeof f.key === "string" || typeof f.parent[f.key] !== "object");
        if (leaves.length === 0) return null;
        const f = r.pick(leaves);
        const old = f.parent[f.key];
        const s = f.schema;
        const options: Array<[Json, string]> = [];
        if (typeof old !== "string") options.push(["not a " + (s.type ?? "value"), "wrong type (string)"]);
        if (typeof old !== "number") options.push([7, "wrong type (number)"]);
        if (typeof old !== "boolean") options.push([true, "wrong type (boolean)"]);
        options.push([null, "null"]);
        if (typeof old !== "object" || old === null) options.push([{}, "wrong type (object)"], [[], "wrong type (array)"]);
        if (s.maximum !== undefined) options.push([s.maximum + 1, "above maximum"]);
        if (s.minimum !== undefined) options.push([s.minimum - 1, "below minimum"]);
        if (s.type === "integer") options.push([1.5, "not an integer"]);
        if (s.enum !== undefined) options.push(["NotAnEnumValue", "not in enum"]);
        if (s.pattern !== undefined) options.push(["bad value with spaces \u0001", "off pattern"]);
        if (s.maxLength !== undefined) options.push(["y".repeat(s.maxLength + 1), "too long"]);
        if (s.minLength !== undefined && s.minLength > 0) options.push(["", "too short"]);
        const [value, what] = r.pick(options);
        f.parent[f.key] = value;
        field = f.path; how = what;
      }
      if (!this.validate(config)) return { config, field, how };
    }
    return null;
  }
}
