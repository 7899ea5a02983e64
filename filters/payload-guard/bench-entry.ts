/**
 * @module filters/payload-guard/bench-entry
 * The `guard-bench` wasm module: the guard's detectors and stream holdback without a host, one
 * call per text or event, for bench/suites/guard.ts (the same code the filter runs).
 */
import "../sdk/runtime/abort";
import { ApiKind } from "../lib/llm/api";
import { GuardConfig, parseConfig } from "./config";
import { FindingList } from "./detect/findings";
import { StreamGuard } from "./stream-guard";
import { maskLabel } from "./redact";

export { alloc, free, collect } from "../lib/test/exports-common";

let config: GuardConfig | null = null;
const findings = new FindingList();
let stream: StreamGuard | null = null;
let labels: Array<Uint8Array> = [];

/** Reads a guard configuration; returns 1 when accepted. */
export function configure(ptr: usize, len: i32): i32 {
  const bytes = new Uint8Array(len);
  memory.copy(bytes.dataStart, ptr, <usize>len);
  const parsed = parseConfig(bytes);
  config = parsed.config;
  if (config === null) return 0;
  labels = [];
  for (let i = 0; i < config!.kindNames.length; i++) labels.push(maskLabel(config!.mask, config!.kindNames[i]));
  return 1;
}

/** Every request detector over the raw text; returns the number of findings. */
export function scanText(ptr: usize, len: i32): i32 {
  if (config === null) return -1;
  config!.request.detectors.scan(ptr, len, findings);
  return findings.length;
}

/** Starts a holdback stream for an OpenAI chat SSE response. */
export function streamOpen(): void {
  const c = config!;
  stream = new StreamGuard(c.response, ApiKind.OpenAIChat, c.holdbackBytes, labels, c.kindNames.length);
}

/** Pushes one chunk; returns the number of bytes released to the client. */
export function streamPush(ptr: usize, len: i32, eos: bool): i32 {
  const chunk = new Uint8Array(len);
  memory.copy(chunk.dataStart, ptr, <usize>len);
  return stream!.push(chunk, eos).length;
}


/** Finding `i` of the last `scanText`: kind, start or end (`field` 0, 1, 2), or -1. */
export function finding(i: i32, field: i32): i32 {
  return field == 0 ? findings.kind(i) : field == 1 ? findings.start(i) : findings.end(i);
}
