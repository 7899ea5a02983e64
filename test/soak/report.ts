/**
 * @module test/soak/report
 * The soak's output: a table of the samples (memory pages per VM, shared data, heap, request
 * rate), the outcomes and the verdict line; or all of it as JSON for bench/RESULTS.md.
 */
import type { SoakRun, Sample } from "./run.ts";
import type { Verdict } from "./verdict.ts";

const n = (x: number) => x.toLocaleString("en-US");
const mb = (x: number) => (x / 1024 / 1024).toFixed(1);

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padStart(widths[i]))).join("  ");
}

/** The samples as a fixed-width table; pages as `w0/w1/…` per plugin. */
export function sampleTable(samples: Sample[]): string {
  const plugins = Object.keys(samples[0]?.pages ?? {});
  const head = ["requests", ...plugins.map((p) => `${p} pages`), "shared keys", "shared KB", "heap MB", "rss MB", "req/s", "keys seen", "clock s"];
  const rows = samples.map((s) => [
    n(s.requests), ...plugins.map((p) => s.pages[p].join("/")), n(s.sharedKeys), n(Math.round(s.sharedBytes / 1024)),
    mb(s.heapBytes), mb(s.rssBytes), s.rps ? n(Math.round(s.rps)) : "-", n(s.distinctKeys), n(Math.round(s.clockS)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [row(head, widths), ...rows.map((r) => row(r, widths))].join("\n");
}

export function verdictLine(v: Verdict): string {
  if (v.flat) return `verdict: FLAT after warm-up (request ${n(v.warmupAt ?? 0)}): ${v.criterion}`;
  return `verdict: NOT FLAT: ${v.findings.join("; ")} (criterion: ${v.criterion})`;
}

export function textReport(run: SoakRun, v: Verdict, header: string): string {
  const rate = run.samples.length > 1 ? run.samples[run.samples.length - 1].requests / run.seconds : 0;
  return [
    header,
    sampleTable(run.samples),
    `outcomes: ${Object.entries(run.outcomes).map(([k, c]) => `${k} ×${n(c)}`).join(", ")}`,
    `keys: ${n(run.samples[run.samples.length - 1]?.distinctKeys ?? 0)} distinct, all used by request ${run.allKeysSeenAt ? n(run.allKeysSeenAt) : "(never)"}; ` +
      `shared-data bound ${run.sharedKeyBound === null ? "none" : n(run.sharedKeyBound) + " keys"}`,
    `time: ${run.seconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU, ${n(Math.round(rate))} requests/s overall; VM failures ${run.failures.length}, ABI misuse ${run.misuse}`,
    verdictLine(v),
  ].join("\n");
}

export function jsonReport(run: SoakRun, v: Verdict, options: Record<string, unknown>): string {
  return JSON.stringify({ options, ...run, verdict: v }, null, 2);
}
