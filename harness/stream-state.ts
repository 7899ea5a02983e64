/**
 * @module harness/stream-state
 * The shapes the stream driver works with: its options, the pieces it reports as they
 * leave the chain, and the per-filter, per-direction state Envoy's FilterManager keeps
 * (held headers, buffered body and whether the next callback sees all of it, held trailers).
 */
import type { FilterStatus } from "./abi.ts";
import type { HeaderMap } from "./header-map.ts";
import type { BodyBuffer, StreamContext } from "./http.ts";
import type { Plugin } from "./plugin.ts";
import type { PropertyTree } from "./properties.ts";
import type { Vm } from "./vm.ts";

const EMPTY = new Uint8Array(0);

export interface StreamOptions {
  /** Worker (VM instance) that runs the stream; default round-robin. */
  worker?: number;
  /** Per-stream properties over the plugins' (e.g. `{"source.address": "10.0.0.1:5000"}`). */
  properties?: PropertyTree;
  protocol?: string;
  /** Called as each piece reaches the upstream — for a proxy that forwards what the filters release. */
  onUpstream?: (piece: Piece) => void;
  /** Called as each piece reaches the client. */
  onClient?: (piece: Piece) => void;
  /** Envoy's buffer limit for data a filter makes it buffer (default 1 MiB, Envoy's default connection limit). */
  bufferLimitBytes?: number;
}

/** One piece of a message as it leaves the filter chain. */
export type Piece =
  | { kind: "headers"; headers: HeaderMap; endOfStream: boolean }
  | { kind: "data"; bytes: Uint8Array; endOfStream: boolean }
  | { kind: "trailers"; trailers: HeaderMap; endOfStream: true }
  | { kind: "reset" };

export interface DirState {
  headers: HeaderMap | null;
  headersEos: boolean;
  headersPassed: boolean;
  headersForwarded: boolean;
  stopAll: boolean;
  buffer: Uint8Array;
  visibleWhole: boolean;
  /**
   * After StopIterationAndBuffer: the buffer the filter reads and rewrites from any later
   * callback (trailers, callout, tick), as Envoy hands out its own buffered body; `buffer`
   * is refreshed from it before the buffered body is used.
   */
  kept: BodyBuffer | null;
  dataEos: boolean;
  trailers: HeaderMap | null;
  createdTrailers: HeaderMap | null;
  endPassed: boolean;
}
export const dirState = (): DirState => ({
  headers: null, headersEos: false, headersPassed: false, headersForwarded: false, stopAll: false, buffer: EMPTY,
  visibleWhole: false, kept: null, dataEos: false, trailers: null, createdTrailers: null, endPassed: false,
});

/** The body this filter holds, with any rewrite made since its body callback returned StopIterationAndBuffer. */
export function heldBody(st: DirState): Uint8Array {
  if (st.kept) st.buffer = st.kept.bytes;
  return st.buffer;
}

/** One plugin's place in a stream; `vm` is the VM the stream started on (a FAIL_RELOAD does not move it). */
export interface Slot { plugin: Plugin; vm: Vm; ctx: StreamContext; skipped: boolean; request: DirState; response: DirState }

export interface CallbackRecord { plugin: string; callback: string; status: FilterStatus }

