/**
 * @module test/fuzz/shrink
 * Reduces a failing case while it still fails with the same kind of problem, each try on fresh
 * runners: drop mutations (regenerating the case without them), shorten the bodies (halves,
 * removed spans, removed JSON elements, shortened strings), merge chunk splits, drop headers and
 * the clock step, and simplify the configuration (the sample's, or fewer optional fields).
 */

import { makeCase, type FuzzCase, type Message } from "./case.ts";
import type { PlannedMutation } from "./mutate.ts";
import { checkCase, type Problem, type ProblemKind } from "./run-case.ts";
import { configGenerator, loadTarget, type Runner, type TargetConfig, type TargetName } from "./targets.ts";

export interface ShrinkResult {
  fuzzCase: FuzzCase;
  mutations: PlannedMutation[];
  config: TargetConfig | null;
  problems: Problem[];
  reproducesAlone: boolean;
  tries: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Bodies one step smaller: halves, spans removed, JSON elements removed, long strings halved. */
function smallerBodies(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (b.length === 0) return out;
  out.push(new Uint8Array(0), b.subarray(0, b.length >> 1), b.subarray(b.length >> 1));
  for (let parts = 4; parts <= 64 && parts <= b.length; parts *= 2) {
    const step = Math.ceil(b.length / parts);
    for (let at = 0; at < b.length; at += step) out.push(Buffer.concat([b.subarray(0, at), b.subarray(at + step)]));
  }
  let doc: unknown;
  try { doc = JSON.parse(dec.decode(b)); } catch { return out.filter((x) => x.length < b.length); }
  const variants: unknown[] = [];
  const walk = (node: unknown, replace: (v: unknown) => unknown) => {
    if (variants.length > 200) return;
    if (Array.isArray(node)) {
      node.forEach((_, i) => variants.push(replace(node.filter((__, j) => j !== i))));
      node.forEach((v, i) => walk(v, (nv) => replace(node.map((x, j) => (j === i ? nv : x)))));
    } else if (node && typeof node === "object") {
      const entries = Object.entries(node);
      entries.forEach(([k]) => variants.push(replace(Object.fromEntries(entries.filter(([x]) => x !== k)))));
      entries.forEach(([k, v]) => walk(v, (nv) => replace({ ...(node as object), [k]: nv })));
    } else if (typeof node === "string" && node.length > 8) {
      variants.push(replace(node.slice(0, node.length >> 1)));
    }
  };
  walk(doc, (v) => v);
  for (const v of variants) out.push(enc.encode(JSON.stringify(v)));
  // Strictly shorter only, so the loop ends.
  return out.filter((x) => x.length < b.length);
}

function withBody(m: Message, body: Uint8Array): Message {
  return { ...m, body, splits: m.splits.filter((s) => s < body.length) };
}

export interface ShrinkOptions {
  /** Loads a fresh runner for a configuration (null: the sample's). */
  load: (config: TargetConfig | null) => Promise<Runner>;
  /** Whether a simplified configuration is still valid (omitted: configurations are not simplified field by field). */
  validConfig?: (config: TargetConfig) => boolean;
  config: TargetConfig | null;
  seed: number;
  index: number;
  kind: ProblemKind;
  budget?: { tries: number; ms: number };
}

/** A `ShrinkOptions` for a fuzz target. */
export function targetShrink(target: TargetName): Pick<ShrinkOptions, "load" | "validConfig"> {
  return {
    load: (cfg) => loadTarget(target, cfg),
    validConfig: target === "pipeline" ? undefined : (cfg) => configGenerator(target).validate(cfg) === true,
  };
}

export async function shrink(o: ShrinkOptions): Promise<ShrinkResult> {
  const { config, seed, index, kind } = o;
  const budget = o.budget ?? { tries: 400, ms: 60_000 };
  const started = performance.now();
  let tries = 0;
  let lastProblems: Problem[] = [];
  const fails = async (c: FuzzCase, cfg: TargetConfig | null): Promise<boolean> => {
    tries++;
    let a, b;
    try {
      a = await o.load(cfg);
      b = await o.load(cfg);
    } catch { a?.close(); return false; }
    const { problems } = await checkCase(a, b, c);
    a.close(); b.close();
    if (!problems.some((p) => p.kind === kind)) return false;
    lastProblems = problems;
    return true;
  };
  const left = () => tries < budget.tries && performance.now() - started < budget.ms;

  // The failure must show on fresh runners; one that needed earlier cases' state is kept as found.
  let skip = new Set<number>();
  let made = makeCase(seed, index, skip);
  if (!(await fails(made.fuzzCase, config))) {
    return { fuzzCase: made.fuzzCase, mutations: made.mutations, config, problems: [], reproducesAlone: false, tries };
  }
  for (let i = 0; i < made.mutations.length && left(); i++) {
    const trial = new Set([...skip, i]);
    const m = makeCase(seed, index, trial);
    if (await fails(m.fuzzCase, config)) skip = trial;
  }
  made = makeCase(seed, index, skip);
  let c = made.fuzzCase;
  let cfg = config;

  const tryCase = async (next: FuzzCase) => { if (left() && (await fails(next, cfg))) { c = next; return true; } return false; };

  for (const side of ["request", "response"] as const) {
    let progress = true;
    while (progress && left()) {
      progress = false;
      for (const body of smallerBodies(c[side].body)) {
        if (!left()) break;
        if (await tryCase({ ...c, [side]: withBody(c[side], body) })) { progress = true; break; }
      }
    }
  }
  for (const side of ["request", "response"] as const) {
    if (c[side].splits.length > 0) await tryCase({ ...c, [side]: { ...c[side], splits: [] } });
    for (let i = c[side].splits.length - 1; i >= 0 && left(); i--) {
      await tryCase({ ...c, [side]: { ...c[side], splits: c[side].splits.filter((_, j) => j !== i) } });
    }
    for (const h of Object.keys(c[side].headers)) {
      const headers = { ...c[side].headers };
      delete headers[h];
      await tryCase({ ...c, [side]: { ...c[side], headers } });
    }
  }
  if (c.advanceMs !== 0) await tryCase({ ...c, advanceMs: 0 });

  // Configuration: the sample's if it still fails there, else drop optional fields one by one.
  if (cfg !== null && left() && (await fails(c, null))) cfg = null;
  if (cfg !== null && o.validConfig) {
    for (const key of Object.keys(cfg)) {
      if (!left()) break;
      const next: TargetConfig = { ...cfg };
      delete next[key];
      if (o.validConfig(next) && (await fails(c, next))) cfg = next;
    }
  }
  await fails(c, cfg);
  return { fuzzCase: c, mutations: made.mutations.filter((_, i) => !skip.has(i)), config: cfg, problems: lastProblems, reproducesAlone: true, tries };
}
