/**
 * @module test/fuzz/regex-gen
 * Strings matching a JSON Schema `pattern`, for the simple patterns configuration schemas use:
 * literals, escapes, character classes (ranges, negation), groups with alternatives and the
 * quantifiers `? * + {m} {m,n}`. Repetition is kept short (a few characters past the minimum)
 * so generated configurations look like real ones; ajv remains the judge of validity.
 */

import type { Prng } from "./prng.ts";

type Node =
  | { kind: "chars"; ranges: Array<[number, number]>; negated: boolean }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "repeat"; node: Node; min: number; max: number };

/** Code points a negated class or `.` draws from: printable ASCII plus a few multi-byte characters. */
const UNIVERSE: number[] = [...Array.from({ length: 95 }, (_, i) => 0x20 + i), 0xe9, 0xb5, 0x65e5, 0x1f600];

class Parser {
  private at = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.src.length) throw new Error(`unsupported pattern ${this.src} at ${this.at}`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.at] === "|") { this.at++; options.push(this.sequence()); }
    return options.length === 1 ? options[0] : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.src.length && this.src[this.at] !== "|" && this.src[this.at] !== ")") {
      const c = this.src[this.at];
      if (c === "^" || c === "$") { this.at++; continue; }
      items.push(this.quantified(this.atom()));
    }
    return { kind: "seq", items };
  }

  private atom(): Node {
    const c = this.src[this.at++];
    if (c === "(") {
      if (this.src.startsWith("?:", this.at)) this.at += 2;
      const inner = this.alternation();
      this.at++; // ")"
      return inner;
    }
    if (c === "[") return this.charClass();
    if (c === ".") return { kind: "chars", ranges: [[0x0a, 0x0a]], negated: true };
    if (c === "\\") return this.escape(false);
    const cp = this.src.codePointAt(this.at - 1)!;
    if (cp > 0xffff) this.at++;
    return { kind: "chars", ranges: [[cp, cp]], negated: false };
  }

  private escape(inClass: boolean): Node {
    const c = this.src[this.at++];
    const single = (cp: number): Node => ({ kind: "chars", ranges: [[cp, cp]], negated: false });
    if (c === "d") return { kind: "chars", ranges: [[0x30, 0x39]], negated: false };
    if (c === "w") return { kind: "chars", ranges: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]], negated: false };
    if (c === "s") return { kind: "chars", ranges: [[0x09, 0x0d], [0x20, 0x20]], negated: false };
    if (c === "t") return single(0x09);
    if (c === "n") return single(0x0a);
    if (c === "r") return single(0x0d);
    if (c === "x") { const h = this.src.slice(this.at, this.at + 2); this.at += 2; return single(parseInt(h, 16)); }
    if (c === "u") { const h = this.src.slice(this.at, this.at + 4); this.at += 4; return single(parseInt(h, 16)); }
    void inClass;
    return single(c.codePointAt(0)!);
  }

  private classChar(): number {
    if (this.src[this.at] === "\\") {
      this.at++;
      const node = this.escape(true);
      if (node.kind !== "chars" || node.ranges.length !== 1 || node.ranges[0][0] !== node.ranges[0][1]) throw new Error(`class escape in ${this.src}`);
      return node.ranges[0][0];
    }
    const cp = this.src.codePointAt(this.at)!;
    this.at += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private charClass(): Node {
    const negated = this.src[this.at] === "^";
    if (negated) this.at++;
    const ranges: Array<[number, number]> = [];
    while (this.src[this.at] !== "]") {
      if (this.at >= this.src.length) throw new Error(`unclosed class in ${this.src}`);
      const lo = this.classChar();
      if (this.src[this.at] === "-" && this.src[this.at + 1] !== "]") { this.at++; ranges.push([lo, this.classChar()]); } else ranges.push([lo, lo]);
    }
    this.at++;
    return { kind: "chars", ranges, negated };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.at];
    if (c === "?") { this.at++; return { kind: "repeat", node, min: 0, max: 1 }; }
    if (c === "*") { this.at++; return { kind: "repeat", node, min: 0, max: Infinity }; }
    if (c === "+") { this.at++; return { kind: "repeat", node, min: 1, max: Infinity }; }
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (!m) throw new Error(`bad quantifier in ${this.src}`);
      this.at += m[0].length;
      const min = Number(m[1]);
      return { kind: "repeat", node, min, max: m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]) };
    }
    return node;
  }
}

const cache = new Map<string, Node>();

function emit(node: Node, r: Prng, out: string[]): void {
  switch (node.kind) {
    case "chars": {
      if (node.negated) {
        const inside = (cp: number) => node.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
        out.push(String.fromCodePoint(r.pick(UNIVERSE.filter((cp) => !inside(cp)))));
      } else {
        const [lo, hi] = r.pick(node.ranges);
        out.push(String.fromCodePoint(r.range(lo, hi)));
      }
      return;
    }
    case "seq": for (const item of node.items) emit(item, r, out); return;
    case "alt": emit(r.pick(node.options), r, out); return;
    case "repeat": {
      // Mostly short; now and then the longest the pattern allows (capped), to reach length limits.
      const cap = Math.min(node.max, node.min + 12);
      const n = r.chance(0.05) && Number.isFinite(node.max) ? node.max : r.range(node.min, Math.max(node.min, cap));
      for (let i = 0; i < n; i++) emit(node.node, r, out);
    }
  }
}

/** A string matching `pattern` (ECMAScript syntax, the subset described above). */
export function generateMatching(pattern: string, r: Prng): string {
  let node = cache.get(pattern);
  if (!node) cache.set(pattern, (node = new Parser(pattern).parse()));
  const out: string[] = [];
  emit(node, r, out);
  return out.join("");
}
