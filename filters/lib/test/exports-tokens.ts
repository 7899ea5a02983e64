/**
 * @module filters/lib/test/exports-tokens
 * Thin exports over the token estimator; `tokenFeatures` writes the feature counts to results
 * 0–11 (in TokenFeatures field order) for calibration and tests; `tokenFeaturesReference` does the
 * same with the old per-byte pass, to prove the fast one identical.
 */
import { TokenFeatures, addTokenFeatures, estimateTokens } from "../tokens";
import { addTokenFeaturesReference } from "./tokens-reference";
import { setResult } from "./common";

const features = new TokenFeatures();

export function tokenEstimate(ptr: usize, len: i32, jsonEscaped: bool): i64 {
  return estimateTokens(ptr, len, jsonEscaped);
}

/** Writes the feature counts to results 0–11 (the order the test reads them in). */
function publishFeatures(): void {
  const f = features;
  const v: i32[] = [f.words, f.longLetters, f.digitGroups, f.punct, f.spaceRuns, f.newlineRuns, f.latin, f.other2, f.cjk, f.other3, f.four, f.invalid];
  for (let i = 0; i < v.length; i++) setResult(i, v[i]);
}

export function tokenFeatures(ptr: usize, len: i32, jsonEscaped: bool): void {
  features.clear();
  addTokenFeatures(features, ptr, len, jsonEscaped);
  publishFeatures();
}

/** The reference (pre-optimisation) feature pass: counts to results 0–11, as `tokenFeatures`. */
export function tokenFeaturesReference(ptr: usize, len: i32, jsonEscaped: bool): void {
  features.clear();
  addTokenFeaturesReference(features, ptr, len, jsonEscaped);
  publishFeatures();
}
