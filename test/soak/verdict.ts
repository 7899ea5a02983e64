/**
 * @module test/soak/verdict
 * Decides whether a soak stayed flat. Warm-up ends at the first sample taken once both a share
 * of the run (default 10%) is done and every API key has been used once — the workload's steady
 * state. After it: no VM's memory may grow past the largest size any VM of the same plugin had
 * at warm-up — the workers run the same code on the same mix, and AssemblyScript's heap grows
 * by doubling, so a worker reaching its sibling's high-water mark later is not growth, while a
 * leak soon doubles past it — and the shared data's keys and bytes must not grow at all (wasm
 * memory never shrinks and shared-data keys are never deleted, so growth is kept for good); shared-data keys must stay within the bound the pipeline's configuration sets
 * (token-limit's hashed slots) at every sample; the V8 heap after a full collection may wander
 * by at most 10% or 8 MB, whichever is larger; no VM may fail and no host call may be misused.
 */
import type { Sample } from "./run.ts";

export interface VerdictInput {
  samples: Sample[];
  /** Requests run (the last sample's count). */
  requests: number;
  /** Request at which every key had been used (0: never). */
  allKeysSeenAt: number;
  /** Most shared-data keys allowed; null when the pipeline sets no bound. */
  sharedKeyBound: number | null;
  failures?: string[];
  misuse?: number;
  /** Share of the run that is always warm-up (default 0.1). */
  warmupShare?: number;
}

export interface Verdict {
  flat: boolean;
  /** Requests completed at the sample that ends the warm-up (null: no sample after it). */
  warmupAt: number | null;
  criterion: string;
  /** One line per problem found; empty when flat. */
  findings: string[];
}

const HEAP_SLACK_SHARE = 0.1;
const HEAP_SLACK_BYTES = 8 * 1024 * 1024;

const n = (x: number) => x.toLocaleString("en-US");
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MB`;

export function criterionText(warmupShare = 0.1): string {
  return `after warm-up (${Math.round(warmupShare * 100)}% of the requests and every API key used once): no VM's memory pages above the ` +
    `largest VM of its plugin at warm-up, no growth in shared-data keys and bytes; shared-data keys within the configured bound at every sample; heap within +${HEAP_SLACK_SHARE * 100}% ` +
    `or +${HEAP_SLACK_BYTES / 1024 / 1024} MB; no VM failure or ABI misuse`;
}

/** Each thing that must not grow: a label, its value in a sample, its ceiling set at warm-up, and a unit. */
interface Watched { label: string; get: (s: Sample) => number; ceiling: (warm: Sample) => number; unit: (v: number) => string }

function watched(samples: Sample[]): Watched[] {
  const out: Watched[] = [];
  for (const [plugin, pages] of Object.entries(samples[0].pages)) {
    const largest = (warm: Sample) => Math.max(...warm.pages[plugin]);
    pages.forEach((_, w) => out.push({ label: `${plugin} worker ${w} memory`, get: (s) => s.pages[plugin][w], ceiling: largest, unit: (v) => `${n(v)} pages` }));
  }
  out.push({ label: "shared-data keys", get: (s) => s.sharedKeys, ceiling: (w) => w.sharedKeys, unit: n });
  out.push({ label: "shared-data bytes", get: (s) => s.sharedBytes, ceiling: (w) => w.sharedBytes, unit: (v) => `${n(v)} bytes` });
  return out;
}

export function judge(input: VerdictInput): Verdict {
  const share = input.warmupShare ?? 0.1;
  const findings: string[] = [];
  const { samples } = input;
  const warmEnd = Math.max(Math.ceil(share * input.requests), input.allKeysSeenAt);
  const warm = samples.find((s) => s.requests >= warmEnd && s.requests > 0) ?? null;
  const criterion = criterionText(share);
  if (input.allKeysSeenAt === 0) findings.push("not every API key was used: the run never reached its steady state (more requests or fewer keys)");
  if (!warm || warm === samples[samples.length - 1]) findings.push(`no sample after the warm-up (request ${n(warmEnd)}) but the last: nothing to compare`);
  if (warm) {
    const after = samples.filter((s) => s.requests > warm.requests);
    for (const { label, get, ceiling, unit } of watched(samples)) {
      const top = ceiling(warm);
      const grew = after.find((s) => get(s) > top);
      if (grew) findings.push(`${label} grew after warm-up: ceiling ${unit(top)} at request ${n(warm.requests)}, ${unit(get(grew))} at ${n(grew.requests)}, ${unit(get(samples[samples.length - 1]))} at the end`);
    }
    const heapLimit = warm.heapBytes + Math.max(HEAP_SLACK_SHARE * warm.heapBytes, HEAP_SLACK_BYTES);
    const heapHigh = after.find((s) => s.heapBytes > heapLimit);
    if (heapHigh) findings.push(`heap grew after warm-up: ${mb(warm.heapBytes)} at request ${n(warm.requests)}, ${mb(heapHigh.heapBytes)} at ${n(heapHigh.requests)} (limit ${mb(heapLimit)})`);
  }
  if (input.sharedKeyBound !== null) {
    const over = samples.find((s) => s.sharedKeys > input.sharedKeyBound!);
    if (over) findings.push(`shared-data keys exceed the configured bound: ${n(over.sharedKeys)} > ${n(input.sharedKeyBound)} at request ${n(over.requests)}`);
  }
  for (const f of input.failures ?? []) findings.push(`VM failed: ${f}`);
  if (input.misuse) findings.push(`${n(input.misuse)} host calls outside the ABI's allowed shapes (host.misuse())`);
  return { flat: findings.length === 0, warmupAt: warm?.requests ?? null, criterion, findings };
}
