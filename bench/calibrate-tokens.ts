/**
 * @module bench/calibrate-tokens
 * Fits the token estimator's coefficients (filters/lib/tokens.ts) against o200k_base on the
 * generated corpus: weighted least squares on relative error, with a small pull toward the
 * current values so classes the corpus barely covers keep sensible costs. Prints the constants
 * to paste into tokens.ts. Run: `npx tsx bench/calibrate-tokens.ts`.
 */
import { build } from "../scripts/build.ts";
import { loadLib } from "../filters/lib/test/wasm.ts";
import { tokenSamples, median } from "./corpus/token-samples.ts";

const NAMES = ["WORD", "LONG", "DIGITS", "PUNCT", "SPACE", "NEWLINE", "LATIN", "OTHER2", "CJK", "OTHER3", "FOUR", "INVALID"];
const PRIOR = [1, 0.25, 1, 0.7, 0.6, 0.7, 0.5, 0.6, 0.8, 0.9, 1.5, 1];
const RIDGE = 1e-3;

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

await build(["lib-tests"]);
const lib = await loadLib();
const samples = tokenSamples(1, 160);
const rows = samples.map((s) => {
  const p = lib.put(s.bytes);
  lib.exports.tokenFeatures(p.ptr, p.len, 0);
  lib.free(p);
  return { s, f: NAMES.map((_, i) => lib.result(i)) };
});
const n = NAMES.length;
const ata = Array.from({ length: n }, () => new Array(n).fill(0));
const atb = new Array(n).fill(0);
for (const { s, f } of rows) {
  const w = 1 / Math.max(1, s.tokens) ** 2; // relative error
  for (let i = 0; i < n; i++) {
    atb[i] += w * f[i] * s.tokens;
    for (let j = 0; j < n; j++) ata[i][j] += w * f[i] * f[j];
  }
}
for (let i = 0; i < n; i++) { ata[i][i] += RIDGE; atb[i] += RIDGE * PRIOR[i]; }
const coef = solve(ata, atb).map((c) => Math.max(0, c));
for (let i = 0; i < n; i++) console.log(`const C_${NAMES[i]}: i64 = ${Math.round(coef[i] * 1000)};`);
const byKind = new Map<string, number[]>();
for (const { s, f } of rows) {
  const est = Math.max(1, Math.round(f.reduce((a, v, i) => a + v * coef[i], 0)));
  (byKind.get(s.kind) ?? byKind.set(s.kind, []).get(s.kind)!).push(Math.abs(est - s.tokens) / s.tokens);
}
for (const [kind, errs] of byKind) console.log(`${kind}: median |error| on the fitting set ${(median(errs) * 100).toFixed(1)}%`);
