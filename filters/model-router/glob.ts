/**
 * @module filters/model-router/glob
 * Model and header-value patterns: `*` matches any run of characters (including none), `?`
 * exactly one; everything else is literal and case-sensitive. A pattern without wildcards is an
 * exact comparison.
 */

const STAR: i32 = 0x2a;
const QUESTION: i32 = 0x3f;

export class Glob {
  readonly exact: bool;
  constructor(readonly pattern: string) {
    this.exact = !pattern.includes("*") && !pattern.includes("?");
  }

  matches(s: string): bool {
    if (this.exact) return s == this.pattern;
    return globMatch(this.pattern, s);
  }
}

/**
 * Greedy matching with one backtrack point (the last `*`): linear in practice, at worst
 * O(|p|·|s|), never recursive.
 */
export function globMatch(p: string, s: string): bool {
  let pi = 0, si = 0, starP = -1, starS = 0;
  const pn = p.length, sn = s.length;
  while (si < sn) {
    if (pi < pn) {
      const c = p.charCodeAt(pi);
      if (c == STAR) { starP = pi++; starS = si; continue; }
      if (c == QUESTION || c == s.charCodeAt(si)) { pi++; si++; continue; }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < pn && p.charCodeAt(pi) == STAR) pi++;
  return pi == pn;
}
