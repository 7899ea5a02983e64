/**
 * @module bench/corpus/token-samples
 * Text samples for the token estimator, with o200k_base counts from js-tiktoken (dev
 * dependency): one seed range to calibrate, another to score, so the score is measured on
 * text the coefficients were not fitted to.
 */
import { Tiktoken } from "js-tiktoken/lite";
import o200k from "js-tiktoken/ranks/o200k_base";
import { Rng } from "./random.ts";
import { TEXT_KINDS, textOfKind, type TextKind } from "./text.ts";

export interface TokenSample { kind: TextKind; text: string; bytes: Uint8Array; tokens: number }

let encoder: Tiktoken | null = null;
export function o200kEncoder(): Tiktoken {
  return (encoder ??= new Tiktoken(o200k));
}

/** `perKind` samples of each kind, 40–4,000 characters long, from seed `seed`. */
export function tokenSamples(seed: number, perKind: number): TokenSample[] {
  const enc = o200kEncoder();
  const out: TokenSample[] = [];
  for (const kind of TEXT_KINDS) {
    const rng = new Rng(seed * 1_000_003 + kind.length * 7 + kind.charCodeAt(0));
    for (let i = 0; i < perKind; i++) {
      const size = Math.round(40 * Math.pow(100, rng.next()));
      const text = textOfKind(kind, rng, size);
      out.push({ kind, text, bytes: new TextEncoder().encode(text), tokens: enc.encode(text).length });
    }
  }
  return out;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
