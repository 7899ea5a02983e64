/**
 * @module harness/driver
 * The stream driver: one HTTP stream through an ordered chain of plugins, run the way
 * Envoy's FilterManager and Wasm filter run it — request path in order, response path in
 * reverse, lazy context creation, StopIteration/StopAll/body-status buffering (the body a
 * callback sees is what Envoy would make visible), deferred local replies / continue /
 * close, the 503 `wasm_fail_stream` reply of a failed VM, then log → done → delete.
 */
import { convertDataResult, convertHeadersResult, convertTrailersResult, type FilterStatus } from "./abi.ts";
import type { Environment } from "./environment.ts";
import { HeaderMap, type HeadersInit } from "./header-map.ts";
import { StreamContext, type BodyBuffer, type Direction, type LocalReplySpec, type StreamHooks, type StreamInfo } from "./http.ts";
import { bytes, text } from "./memory.ts";
import { localReplyMessage, received, type LocalResponse, type Received } from "./replies.ts";
import { normalizeProperties, type PropertyTree } from "./properties.ts";
import type { Plugin } from "./plugin.ts";
import type { LogEntry, TraceEntry } from "./vm.ts";
import { logOrigin } from "./log-origin.ts";
import type { Callout } from "./callouts.ts";
import { dirState, heldBody, type CallbackRecord, type DirState, type Slot, type StreamOptions } from "./stream-state.ts";
export type { CallbackRecord, Piece, StreamOptions } from "./stream-state.ts";
import type { LogLevelName } from "./abi.ts";

const EMPTY = new Uint8Array(0);
const concat = (a: Uint8Array, b: Uint8Array) => (a.length === 0 ? b : b.length === 0 ? a : Buffer.concat([a, b]));

let nextConnectionId = 1;

/** Export names as constants: a name built per call is a new string to hash for each export lookup. */
const CALLBACKS = {
  request: { headers: "proxy_on_request_headers", body: "proxy_on_request_body", trailers: "proxy_on_request_trailers" },
  response: { headers: "proxy_on_response_headers", body: "proxy_on_response_body", trailers: "proxy_on_response_trailers" },
} as const;

/** A callback skipped or passed: nothing to flush. Shared, so the hot path builds no closure. */
const PASS: { readonly status: "Continue"; readonly flush: () => void } = Object.freeze({ status: "Continue", flush: () => {} });

export class HttpStream implements StreamHooks {
  readonly upstream = received();
  readonly client = received();
  localResponse: LocalResponse | null = null;
  readonly filterState = new Map<string, Uint8Array>();
  readonly envoyFilterState = new Map<string, { value: string; span: number }>();
  readonly info: StreamInfo;
  readonly properties: PropertyTree;
  /** Every filter callback run for this stream, with the status Envoy acted on. */
  readonly callbacks: CallbackRecord[] = [];
  routeCacheClears = 0;
  finished = false;
  private readonly slots: Slot[];
  private order: Record<Direction, number[]>;
  private requestAborted = false;
  private responseStarted = false;
  private requestMap: HeaderMap | null = null;
  private stepStatus: FilterStatus | null = null;
  private inStep = false;

  constructor(plugins: Plugin[], private readonly env: Environment, readonly worker: number, private readonly options: StreamOptions = {}) {
    this.properties = normalizeProperties(options.properties);
    this.info = { startTimeMs: env.clock.wallMs(), protocol: options.protocol ?? "HTTP/1.1", requestBodyBytes: 0, responseBodyBytes: 0, connectionId: nextConnectionId++ };
    this.slots = plugins.map((plugin) => {
      // FAIL_RELOAD may move this worker to a fresh VM first; the stream then stays on the VM it got.
      const vm = plugin.vmForNewStream(worker);
      const failOpenSkip = vm.failed && plugin.skipsWhenFailed;
      const ctx = new StreamContext(vm.failed ? 0 : vm.allocContextId(), plugin.root(worker), this);
      if (!vm.failed) vm.contexts.set(ctx.id, ctx);
      return { plugin, vm, ctx, skipped: failOpenSkip, request: dirState(), response: dirState() };
    });
    const active = this.slots.map((_, i) => i).filter((i) => !this.slots[i].skipped);
    this.order = { request: active, response: [...active].reverse() };
  }

  // ---- public steps -------------------------------------------------------------------

  private step(fn: () => void): FilterStatus | null {
    if (this.finished) throw new Error("the stream is finished");
    this.stepStatus = null;
    this.inStep = true;
    try { this.env.run(fn); } finally { this.inStep = false; }
    return this.stepStatus;
  }

  /** Client sends request headers: drives `proxy_on_request_headers` (creating contexts). Returns the first filter's status. */
  sendRequestHeaders(headers: HeadersInit, endOfStream = false): FilterStatus | null {
    if (this.requestMap) throw new Error("request headers were already sent");
    this.requestMap = new HeaderMap(headers);
    return this.step(() => this.headersAt("request", 0, this.requestMap!, endOfStream));
  }
  /** Client sends a request body chunk: drives `proxy_on_request_body` (or buffers it while a filter holds iteration). */
  sendRequestBody(chunk: string | Uint8Array, endOfStream = false): FilterStatus | null {
    if (!this.requestMap) throw new Error("send the request headers first");
    const b = bytes(chunk);
    this.info.requestBodyBytes += b.length;
    return this.step(() => this.dataAt("request", 0, b, endOfStream));
  }
  /** Client sends request trailers (ends the request): drives `proxy_on_request_trailers`. */
  sendRequestTrailers(trailers: HeadersInit): FilterStatus | null {
    if (!this.requestMap) throw new Error("send the request headers first");
    return this.step(() => this.trailersAt("request", 0, new HeaderMap(trailers)));
  }
  /** Upstream answers with headers: drives `proxy_on_response_headers`, last filter first. */
  sendResponseHeaders(headers: HeadersInit, endOfStream = false): FilterStatus | null {
    this.assertUpstreamCanRespond();
    this.responseStarted = true;
    const map = new HeaderMap(headers);
    this.info.responseCode = Number(map.get(":status") ?? 0);
    this.info.responseCodeDetails = "via_upstream";
    return this.step(() => this.headersAt("response", 0, map, endOfStream));
  }
  /** Upstream sends a response body chunk: drives `proxy_on_response_body`. */
  sendResponseBody(chunk: string | Uint8Array, endOfStream = false): FilterStatus | null {
    this.assertUpstreamCanRespond(true);
    const b = bytes(chunk);
    this.info.responseBodyBytes += b.length;
    return this.step(() => this.dataAt("response", 0, b, endOfStream));
  }
  /** Upstream sends response trailers: drives `proxy_on_response_trailers`. */
  sendResponseTrailers(trailers: HeadersInit): FilterStatus | null {
    this.assertUpstreamCanRespond(true);
    return this.step(() => this.trailersAt("response", 0, new HeaderMap(trailers)));
  }
  /** The client (or the network) resets the stream: upstream reset, then log → done → delete. */
  reset(): void {
    if (!this.finished) this.env.run(() => this.resetStream());
  }

  private assertUpstreamCanRespond(started = false): void {
    if (this.finished) throw new Error("the stream is finished");
    if (this.localResponse) throw new Error(`a local response (${this.localResponse.status} ${this.localResponse.details}) was sent; the upstream is never asked`);
    if (!this.upstream.headers) throw new Error("the upstream has not received the request headers (a filter still holds them)");
    if (started && !this.responseStarted) throw new Error("send the response headers first");
  }

  // ---- observers ----------------------------------------------------------------------

  /** True while a filter holds data in this direction (headers, body or trailers not yet released). */
  paused(dir?: Direction): boolean {
    const dirs: Direction[] = dir ? [dir] : ["request", "response"];
    return !this.finished && dirs.some((d) => this.order[d].some((i) => {
      const st = this.slots[i][d];
      return (st.headers !== null && !st.headersForwarded) || heldBody(st).length > 0 || st.trailers !== null || (st.dataEos && !st.endPassed && st.headersForwarded);
    }));
  }
  /** Context id of each plugin's stream context, in chain order (0 when the VM had failed). */
  get contextIds(): number[] { return this.slots.map((s) => s.ctx.id); }
  /** Value stored with `proxy_set_property`, as text. */
  property(path: string): string | undefined { const v = this.filterState.get(path); return v && text(v); }
  /** Hostcalls and callbacks of this stream's contexts, in order. */
  trace(plugin?: string): TraceEntry[] {
    return this.slots.filter((s) => !plugin || s.plugin.spec.name === plugin).flatMap((s) => s.ctx.trace.entries()).sort((a, b) => a.seq - b.seq);
  }
  logs(level?: LogLevelName): string[] {
    // Context ids repeat across VMs (workers, FAIL_RELOAD's fresh VM): the line must come from this stream's VM.
    return this.slots.flatMap((s) => s.plugin.host.logEntries.filter((e: LogEntry) => logOrigin.get(e) === s.vm && e.context === s.ctx.id && e.context !== 0 && e.plugin === s.plugin.spec.name))
      .filter((e) => !level || e.level === level).sort((a, b) => a.seq - b.seq).map((e) => e.message);
  }
  callouts(): Callout[] {
    return this.slots.flatMap((s) => s.plugin.host.calloutList.filter((c) => c.worker === this.worker && c.fromContext === s.ctx.id && c.plugin === s.plugin.spec.name));
  }

  // ---- hooks called from hostcalls (deferred until the callback returned) ----------------

  private slotOf(ctx: StreamContext): number { return this.slots.findIndex((s) => s.ctx === ctx); }

  continueStream(ctx: StreamContext, dir: Direction): void {
    const pos = this.order[dir].indexOf(this.slotOf(ctx));
    if (pos >= 0) this.continueAt(dir, pos);
  }
  closeStream(): void {
    this.info.responseCodeDetails ??= "wasm_close_stream";
    if (this.info.responseCodeDetails === "via_upstream") this.info.responseCodeDetails = "wasm_close_stream";
    this.resetStream();
  }
  sendLocalReply(ctx: StreamContext, reply: LocalReplySpec): void { this.localReply(this.slotOf(ctx), reply); }
  addTrailers(ctx: StreamContext, dir: Direction): HeaderMap {
    const st = this.slots[this.slotOf(ctx)][dir];
    return (st.createdTrailers = new HeaderMap());
  }
  clearRouteCache(): void { this.routeCacheClears++; }

  // ---- the filter chain -----------------------------------------------------------------

  private dead(d: Direction): boolean { return this.finished || (d === "request" && this.requestAborted); }

  private call(slot: Slot, d: Direction, cb: string, args: () => number[], convert: (v: number, lrs: boolean) => FilterStatus,
    failStatus: FilterStatus, create = false): { status: FilterStatus; flush: () => void } {
    const vm = slot.vm, ctx = slot.ctx;
    let out: { status: FilterStatus; flush: () => void };
    if (!ctx.created && create && !vm.failed) this.createContext(slot);
    // Envoy skips a context that never reached the VM, except that headers on a failed VM answer 503.
    if (!ctx.created && !(create && vm.failed)) out = PASS;
    else if (d === "response" && ctx.failureReplySent) out = PASS;
    else if (vm.failed) out = this.failed(slot, failStatus);
    else {
      const r = vm.call(ctx, cb, args());
      out = r.trapped ? this.failed(slot, failStatus) : { status: r.ran ? convert(r.value, r.localResponseSent) : "Continue", flush: r.flush };
    }
    this.callbacks.push({ plugin: slot.plugin.spec.name, callback: cb, status: out.status });
    if (this.inStep && this.stepStatus === null) this.stepStatus = out.status;
    return out;
  }

  /** A failed VM's outcome: Continue with fail-open, else `failStatus` and the 503 once flushed. */
  private failed(slot: Slot, failStatus: FilterStatus): { status: FilterStatus; flush: () => void } {
    return slot.plugin.spec.failOpen ? PASS : { status: failStatus, flush: () => this.failStream(slot) };
  }

  private createContext(slot: Slot): void {
    const vm = slot.vm;
    slot.ctx.created = true;
    vm.call(slot.ctx, "proxy_on_context_create", [slot.ctx.id, slot.ctx.root.id]).flush();
  }

  private failStream(slot: Slot): void {
    if (slot.ctx.failureReplySent) return;
    slot.ctx.failureReplySent = true;
    this.localReply(this.slots.indexOf(slot), { status: 503, body: EMPTY, headers: [], grpcStatus: 14, details: "wasm_fail_stream" });
  }

  private setHandle(slot: Slot, d: Direction, kind: "headers" | "body" | "trailers", value: unknown): void {
    // Plain field writes: a computed property name cost a string build and a keyed store per callback.
    const c = slot.ctx;
    if (d === "request") {
      if (kind === "headers") c.requestHeaders = value as HeaderMap | null;
      else if (kind === "body") c.requestBody = value as BodyBuffer | null;
      else c.requestTrailers = value as HeaderMap | null;
    } else if (kind === "headers") c.responseHeaders = value as HeaderMap | null;
    else if (kind === "body") c.responseBody = value as BodyBuffer | null;
    else c.responseTrailers = value as HeaderMap | null;
  }

  private headersAt(d: Direction, pos: number, h: HeaderMap, eos: boolean): void {
    if (this.dead(d)) return;
    if (pos >= this.order[d].length) return this.sink(d, "headers", h, eos);
    const slot = this.slots[this.order[d][pos]], st = slot[d];
    Object.assign(st, { headers: h, headersEos: eos, dataEos: eos });
    this.setHandle(slot, d, "headers", h);
    slot.ctx.endOfStream = eos;
    const r = this.call(slot, d, CALLBACKS[d].headers, () => [slot.ctx.id, h.size, eos ? 1 : 0],
      (v, l) => convertHeadersResult(v, l, slot.plugin.spec.allowOnHeadersStopIteration), "StopAllIterationAndWatermark", d === "request");
    if (r.status === "Continue") { st.headersPassed = true; this.setHandle(slot, d, "headers", null); }
    else st.stopAll = r.status.startsWith("StopAll");
    r.flush();
    if (st.headersPassed && !st.headersForwarded && !this.dead(d)) {
      st.headersForwarded = true;
      if (eos) st.endPassed = true;
      this.headersAt(d, pos + 1, h, eos);
    }
  }

  private dataAt(d: Direction, pos: number, chunk: Uint8Array, eos: boolean): void {
    if (this.dead(d)) return;
    if (pos >= this.order[d].length) return this.sink(d, "data", chunk, eos);
    const slot = this.slots[this.order[d][pos]], st = slot[d];
    if (eos) st.dataEos = true;
    if (!st.headersPassed && st.stopAll) { st.buffer = concat(st.buffer, chunk); this.overLimit(d, st, this.order[d][pos]); return; }
    heldBody(st);
    const held = st.visibleWhole ? EMPTY : st.buffer;
    const body = { bytes: st.visibleWhole ? concat(st.buffer, chunk) : chunk };
    this.setHandle(slot, d, "body", body);
    slot.ctx.endOfStream = eos;
    const r = this.call(slot, d, CALLBACKS[d].body, () => [slot.ctx.id, body.bytes.length, eos ? 1 : 0],
      (v, l) => convertDataResult(v, l), "StopIterationNoBuffer");
    if (d === "request") slot.ctx.bufferingRequestBody = r.status === "StopIterationAndBuffer";
    else slot.ctx.bufferingResponseBody = r.status === "StopIterationAndBuffer";
    let out: Uint8Array | null = null;
    st.kept = r.status === "StopIterationAndBuffer" ? body : null;
    switch (r.status) {
      case "Continue": out = concat(held, body.bytes); st.buffer = EMPTY; st.visibleWhole = false; this.setHandle(slot, d, "body", null); break;
      case "StopIterationAndBuffer": st.buffer = concat(held, body.bytes); st.visibleWhole = true; break;
      case "StopIterationAndWatermark": st.buffer = concat(held, body.bytes); st.visibleWhole = false; break;
      default: st.buffer = held; st.visibleWhole = false;
    }
    r.flush();
    if (!out && r.status !== "StopIterationNoBuffer" && this.overLimit(d, st, this.order[d][pos])) return;
    if (out && !this.dead(d)) {
      if (!st.headersForwarded && st.headers) { st.headersPassed = st.headersForwarded = true; this.headersAt(d, pos + 1, st.headers, false); }
      this.forwardData(d, pos, out, eos);
    }
  }

  private forwardData(d: Direction, pos: number, data: Uint8Array, eos: boolean): void {
    const st = this.slots[this.order[d][pos]][d];
    const created = st.createdTrailers;
    if (created && eos) {
      st.createdTrailers = null;
      st.endPassed = true;
      this.dataAt(d, pos + 1, data, false);
      this.trailersAt(d, pos + 1, created);
      return;
    }
    if (data.length === 0 && !eos) return;
    if (eos) st.endPassed = true;
    this.dataAt(d, pos + 1, data, eos);
  }

  private trailersAt(d: Direction, pos: number, t: HeaderMap): void {
    if (this.dead(d)) return;
    if (pos >= this.order[d].length) return this.sink(d, "trailers", t, true);
    const slot = this.slots[this.order[d][pos]], st = slot[d];
    st.dataEos = true;
    if (!st.headersPassed && st.stopAll) { st.trailers = t; return; }
    this.setHandle(slot, d, "trailers", t);
    const r = this.call(slot, d, CALLBACKS[d].trailers, () => [slot.ctx.id, t.size], (v, l) => convertTrailersResult(v, l), "StopIteration");
    if (r.status === "Continue") this.setHandle(slot, d, "trailers", null); else st.trailers = t;
    r.flush();
    if (r.status === "Continue" && !this.dead(d)) this.release(d, pos, t);
  }

  /** Sends on what filter `pos` holds (headers if still held, body, then trailers) to the next filter. */
  private release(d: Direction, pos: number, trailers: HeaderMap | null): void {
    const st = this.slots[this.order[d][pos]][d];
    if (!st.headersForwarded && st.headers) { st.headersPassed = st.headersForwarded = true; this.headersAt(d, pos + 1, st.headers, false); }
    // Envoy forwards its buffered body as it is now, with rewrites from trailers or callout callbacks.
    const b = heldBody(st);
    st.buffer = EMPTY;
    st.kept = null;
    st.visibleWhole = false;
    if (b.length > 0 || (st.dataEos && !trailers && !st.endPassed)) this.forwardData(d, pos, b, st.dataEos && !trailers);
    if (trailers) { st.endPassed = true; this.trailersAt(d, pos + 1, trailers); }
  }

  private continueAt(d: Direction, pos: number): void {
    if (this.dead(d)) return;
    const slot = this.slots[this.order[d][pos]], st = slot[d];
    if (!st.headersForwarded) {
      if (!st.headers) return;
      const wasStopAll = st.stopAll;
      st.headersPassed = st.headersForwarded = true;
      st.stopAll = false;
      this.setHandle(slot, d, "headers", null);
      if (st.headersEos) st.endPassed = true;
      this.headersAt(d, pos + 1, st.headers, st.headersEos);
      if (st.headersEos || this.dead(d)) return;
      if (wasStopAll) {
        // After a StopAll, Envoy iterates from this filter: one body callback with everything buffered, then trailers.
        const b = st.buffer, t = st.trailers;
        st.buffer = EMPTY;
        st.trailers = null;
        if (b.length > 0 || (st.dataEos && !t)) this.dataAt(d, pos, b, st.dataEos && !t);
        if (t && !this.dead(d)) this.trailersAt(d, pos, t);
        return;
      }
    }
    const t = st.trailers;
    st.trailers = null;
    this.setHandle(slot, d, "body", null);
    this.release(d, pos, t);
  }

  private sink(d: Direction, kind: "headers" | "data" | "trailers", value: HeaderMap | Uint8Array, eos: boolean): void {
    const side = d === "request" ? this.upstream : this.client;
    if (kind === "headers") side.headers = value as HeaderMap;
    else if (kind === "data") side.chunks.push({ bytes: value as Uint8Array, endOfStream: eos });
    else side.trailers = value as HeaderMap;
    if (eos) side.endOfStream = true;
    const notify = d === "request" ? this.options.onUpstream : this.options.onClient;
    notify?.(kind === "headers" ? { kind, headers: value as HeaderMap, endOfStream: eos }
      : kind === "data" ? { kind, bytes: value as Uint8Array, endOfStream: eos } : { kind, trailers: value as HeaderMap, endOfStream: true });
    if (d === "response" && eos) this.complete();
  }

  /** Envoy's buffer limit: 413 for a request, 500 for a response, sent by the filter manager. */
  private overLimit(d: Direction, st: DirState, si: number): boolean {
    if (heldBody(st).length <= (this.options.bufferLimitBytes ?? 1024 * 1024)) return false;
    st.buffer = EMPTY;
    st.kept = null;
    const [status, details] = d === "request" ? [413, "request_payload_too_large"] : [500, "response_payload_too_large"];
    this.localReply(si, { status, body: bytes(d === "request" ? "Payload Too Large" : "Internal Server Error"), headers: [], grpcStatus: null, details });
    return true;
  }

  private localReply(si: number, r: LocalReplySpec): void {
    if (this.finished || si < 0) return;
    const slot = this.slots[si];
    const { headers, body } = localReplyMessage(r, this.requestMap?.get("content-type")?.startsWith("application/grpc") ?? false);
    const reply = { status: r.status, headers, body: r.body, details: r.details, grpcStatus: r.grpcStatus, plugin: slot.plugin.spec.name };
    const wasLocal = this.localResponse !== null;
    this.localResponse = { ...reply, get bodyText() { return text(reply.body); } };
    this.info.responseCode = r.status;
    this.info.responseCodeDetails = r.details;
    this.resetUpstream();
    this.requestAborted = true;
    if (wasLocal && this.responseStarted && !this.client.headers) return this.resetStream();
    if (!this.responseStarted) {
      // Encoded through the filters that saw the request, from the sender back to the first.
      this.responseStarted = true;
      this.order.response = this.order.request.filter((i) => i <= si).reverse();
      for (const s of this.slots) s.response = dirState();
      this.headersAt("response", 0, headers, body.length === 0);
      if (body.length > 0) this.dataAt("response", 0, body, true);
    } else if (!this.client.headers) {
      this.order.response = [];
      this.sink("response", "headers", headers, body.length === 0);
      if (body.length > 0) this.sink("response", "data", body, true);
    } else this.resetStream();
  }

  private resetStream(): void {
    if (this.finished) return;
    this.resetUpstream();
    if (!this.client.endOfStream && !this.client.reset) { this.client.reset = true; this.options.onClient?.({ kind: "reset" }); }
    this.complete();
  }

  private resetUpstream(): void {
    if (!this.upstream.headers || this.upstream.endOfStream || this.upstream.reset) return;
    this.upstream.reset = true;
    this.options.onUpstream?.({ kind: "reset" });
  }

  /** Stream end: `proxy_on_log` for every filter (creating contexts that never saw the request), then done and delete. */
  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.info.durationMs = this.env.clock.wallMs() - this.info.startTimeMs;
    const live = this.slots.filter((s) => !s.skipped && !s.vm.failed);
    for (const s of live) {
      const vm = s.vm, ctx = s.ctx;
      if (!ctx.created) this.createContext(s);
      if (vm.failed) continue;
      Object.assign(ctx, { logPhase: true, logRequestHeaders: this.requestMap, logResponseHeaders: this.client.headers, logResponseTrailers: this.client.trailers });
      vm.call(ctx, "proxy_on_log", [ctx.id]).flush();
      ctx.logPhase = false;
    }
    for (const s of live) {
      const vm = s.vm, ctx = s.ctx;
      if (!vm.failed && ctx.created) {
        vm.call(ctx, "proxy_on_done", [ctx.id]).flush();
        vm.call(ctx, "proxy_on_delete", [ctx.id]).flush();
      }
      ctx.created = false;
      ctx.destroyed = true;
      vm.contexts.delete(ctx.id);
    }
  }
}

