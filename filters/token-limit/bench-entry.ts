/**
 * @module filters/token-limit/bench-entry
 * The `token-limit-bench` wasm module: token-limit's response meter without a host, for
 * bench/suites/token-limit.ts. It runs the same `ResponseMeter` code the filter runs on each
 * response chunk, so the bench can show the meter's cost per chunk alone beside what the same
 * work costs inside a whole exchange through the harness. Built with the filter's runtime.
 */
import "../sdk/runtime/abort";
import { ApiKind } from "../lib/llm/api";
import { BodyMode, ResponseMeter } from "./meter";

export { alloc, free, collect } from "../lib/test/exports-common";

const meter = new ResponseMeter();

/**
 * Meters `streams` OpenAI chat streams with the usage-only chunk stripped, each the `chunks`
 * chunks at `ptrs`/`lens` (u32 arrays of `chunks` entries) in order; returns the output tokens
 * the last stream reported (so the work cannot be skipped), -1 when it reported none.
 */
export function meterStreams(ptrs: usize, lens: usize, chunks: i32, streams: i32): i64 {
  for (let s = 0; s < streams; s++) {
    meter.reset(ApiKind.OpenAIChat, BodyMode.Sse, true, 1 << 20);
    for (let i = 0; i < chunks; i++) {
      const at = <usize>i << 2;
      meter.chunk(<usize>load<u32>(ptrs + at), <i32>load<u32>(lens + at), i == chunks - 1);
    }
  }
  return meter.usage.reported ? meter.usage.outputTokens : -1;
}
