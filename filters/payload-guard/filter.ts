/**
 * @module filters/payload-guard/filter
 * One exchange through the guard.
 *
 * Request: recognise the LLM API; refuse a declared body over `maxBodyBytes`; hold the headers
 * when the gateway allows it (`holdHeaders`), so a block answers before any byte goes upstream
 * and a redaction may change the length (`content-length` removed). Without it the headers pass
 * at once; a block then answers from the body callback (Envoy resets the upstream request) and
 * redaction uses same-length masks while a `content-length` is on its way. The body is buffered
 * to the end, read with lib/llm (prompt text spans only), scanned, then blocked, redacted or
 * flagged; the moderation callout, when configured, runs on the (redacted) prompt last.
 *
 * Response: errors pass untouched; SSE streams and Gemini's JSON-array stream go through
 * `StreamGuard` (holdback); other bodies are buffered up to `maxBodyBytes` and scanned whole
 * (held headers let a block answer cleanly; otherwise the stream is reset so the text never
 * reaches the client).
 */
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HeaderPair, HttpContext, MapType, StreamType,
  addHeaderMapValue, continueStream, getBufferBytes, getHeaderMapValue, logWarn, removeHeaderMapValue, replaceBuffer,
  setPropertyString,
} from "../sdk/index";
import { ApiKind, StreamFormat, generatesOutput } from "../lib/llm/api";
import { sendOpenAIError } from "../common/openai-error";
import { Action } from "./kinds";
import { Direction, FailureMode, GuardConfig, StreamMode } from "./config";
import { inspectSpans, Inspection } from "./inspect";
import { moderationBody, moderationVerdict } from "./moderation";
import { MAX_EVENT_BYTES, StreamGuard } from "./stream-guard";
import { blockedArrayEnd, blockedStreamEvent } from "./stream-errors";
import { GuardRoot } from "./root";
import { declaredTooLarge } from "../common/body-limit";

const EMPTY = new Uint8Array(0);

const enum Phase { Passing = 0, Reading = 1, Moderating = 2, Done = 3 }
const enum ResponseMode { Pass = 0, Buffer = 1, Stream = 2, Swallow = 3 }

export class GuardStream extends HttpContext {
  private g: GuardRoot;
  private kind: ApiKind = ApiKind.Unknown;
  /** Gemini `streamGenerateContent` without `alt=sse`: the response is a JSON array streamed in pieces. */
  private arrayStream: bool = false;
  private phase: Phase = Phase.Passing;
  /** Request headers held (StopIteration): they can still change. */
  private holding: bool = false;
  /** The request headers passed with a content-length: redaction must keep the length. */
  private lengthFixed: bool = false;
  private answered: bool = false;
  /** Findings per kind over the whole exchange (request then response). */
  private totals: StaticArray<i32> = new StaticArray<i32>(0);
  private strongest: Action = Action.Off;
  private response: ResponseMode = ResponseMode.Pass;
  private responseHeld: bool = false;
  private stream: StreamGuard | null = null;
  private requestFlags: string = "";

  constructor(contextId: u32, root: GuardRoot) {
    super(contextId, root);
    this.g = root;
  }

  private get cfg(): GuardConfig { return this.g.config; }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.cfg;
    if (this.g.metrics === null) return FilterHeadersStatus.Continue;
    const method = getHeaderMapValue(MapType.HttpRequestHeaders, ":method");
    const path = getHeaderMapValue(MapType.HttpRequestHeaders, ":path");
    if (method === null || path === null) return FilterHeadersStatus.Continue;
    const m = this.g.apis.recognize(method, path);
    this.kind = m.kind;
    this.arrayStream = m.streamFormat == StreamFormat.JsonArray;
    if (m.kind == ApiKind.Unknown) return FilterHeadersStatus.Continue;
    this.totals = new StaticArray<i32>(cfg.kindNames.length);
    if ((!cfg.request.enabled && cfg.moderation === null) || endOfStream) return FilterHeadersStatus.Continue;

    const length = getHeaderMapValue(MapType.HttpRequestHeaders, "content-length");
    if (length !== null && declaredTooLarge(length, cfg.maxBodyBytes)) {
      if (cfg.tooLargeFailOpen) { this.g.metrics!.unscanned.increment(); return FilterHeadersStatus.Continue; }
      this.tooLarge();
      return FilterHeadersStatus.StopIteration;
    }
    this.phase = Phase.Reading;
    if (cfg.holdHeaders) {
      this.holding = true;
      // Redaction may change the length: Envoy would forward a stale content-length.
      if (length !== null) removeHeaderMapValue(MapType.HttpRequestHeaders, "content-length");
      return FilterHeadersStatus.StopIteration;
    }
    this.lengthFixed = length !== null;
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    if (this.phase == Phase.Moderating) return FilterDataStatus.StopIterationAndBuffer;
    if (this.phase != Phase.Reading) return this.answered ? FilterDataStatus.StopIterationNoBuffer : FilterDataStatus.Continue;
    if (<i64>bodySize > this.cfg.maxBodyBytes) {
      this.phase = Phase.Done;
      if (this.cfg.tooLargeFailOpen) { this.g.metrics!.unscanned.increment(); return FilterDataStatus.Continue; }
      this.tooLarge();
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    return this.inspectRequest();
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    // Trailers end the request: the body buffered so far is all of it.
    if (this.phase != Phase.Reading) return this.phase == Phase.Moderating || this.answered ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
    const s = this.inspectRequest();
    return s == FilterDataStatus.Continue ? FilterTrailersStatus.Continue : FilterTrailersStatus.StopIteration;
  }

  private inspectRequest(): FilterDataStatus {
    this.phase = Phase.Done;
    const g = this.g, cfg = g.config, metrics = g.metrics!;
    const raw = getBufferBytes(BufferType.HttpRequestBody);
    let body = raw === null ? EMPTY : Uint8Array.wrap(raw);
    if (<i64>body.length > cfg.maxBodyBytes) {
      if (cfg.tooLargeFailOpen) { metrics.unscanned.increment(); return FilterDataStatus.Continue; }
      this.tooLarge();
      return FilterDataStatus.StopIterationNoBuffer;
    }
    let facts = g.reader.readBytes(this.kind, body);
    if (!facts.ok) {
      metrics.parseErrors.increment();
      if (!cfg.rejectOnParseError) return FilterDataStatus.Continue;
      this.answer(400, "invalid_body", facts.describe(), "payload_guard_unparsable");
      return FilterDataStatus.StopIterationNoBuffer;
    }
    metrics.scanned.increment();
    const ins = g.inspection;
    ins.reset(cfg.kindNames.length);
    if (cfg.request.enabled) inspectSpans(cfg.request, facts.texts, body.dataStart, g.findings, g.labels, ins);
    this.record(cfg.request, ins.counts);
    if (ins.blockKind >= 0) {
      this.block(cfg.kindName(ins.blockKind), "request");
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (ins.edits.length > 0) {
      // Without held headers, a content-length already went upstream: keep every byte count.
      const out = ins.edits.apply(body, this.lengthFixed, cfg.maskChar);
      replaceBuffer(BufferType.HttpRequestBody, out.buffer);
      body = out;
    }
    if (ins.flagged) this.requestFlags = this.flaggedKinds(cfg.request, ins.counts);
    if (this.holding && this.requestFlags.length > 0) addHeaderMapValue(MapType.HttpRequestHeaders, cfg.flagHeader, this.requestFlags);
    const mod = cfg.moderation;
    if (mod !== null) {
      if (ins.edits.length > 0) facts = g.reader.readBytes(this.kind, body);
      const payload = moderationBody(body, facts.texts, cfg.request, mod.model);
      const headers: HeaderPair[] = [
        HeaderPair.of(":method", "POST"), HeaderPair.of(":path", mod.path), HeaderPair.of(":authority", mod.authority),
        HeaderPair.of("content-type", "application/json"),
      ];
      const id = this.dispatchHttpCall(mod.cluster, headers, payload.buffer, null, <u32>mod.timeoutMs);
      if (id == 0) return this.moderationFailed("the moderation callout could not be dispatched") ? FilterDataStatus.Continue : FilterDataStatus.StopIterationNoBuffer;
      this.phase = Phase.Moderating;
      return FilterDataStatus.StopIterationAndBuffer;
    }
    return FilterDataStatus.Continue;
  }

  onHttpCallResponse(callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    if (this.phase != Phase.Moderating) return;
    this.phase = Phase.Done;
    const status = numHeaders > 0 ? getHeaderMapValue(MapType.HttpCallResponseHeaders, ":status") : null;
    let verdict = -1;
    if (status !== null && status == "200") {
      const raw = getBufferBytes(BufferType.HttpCallResponseBody);
      if (raw !== null) verdict = moderationVerdict(Uint8Array.wrap(raw));
    }
    if (verdict == 1) {
      this.g.metrics!.moderationFlagged.increment();
      this.block("moderation", "request");
      return;
    }
    if (verdict < 0 && !this.moderationFailed(status === null ? "no answer from the moderation service" : "the moderation service answered " + status)) return;
    continueStream(StreamType.HttpRequest);
  }

  /** Applies `failureMode`; true when the request may go on. */
  private moderationFailed(why: string): bool {
    const m = this.g.metrics!;
    if (this.cfg.moderation!.failureMode == FailureMode.FailOpen) {
      m.moderationFailOpen.increment();
      logWarn("payload-guard: moderation failed open: " + why);
      return true;
    }
    m.moderationFailClosed.increment();
    this.answer(503, "moderation_unavailable", "the content moderation service is unavailable", "payload_guard_moderation_unavailable");
    return false;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.cfg;
    if (this.kind == ApiKind.Unknown || this.g.metrics === null) return FilterHeadersStatus.Continue;
    if (this.requestFlags.length > 0) addHeaderMapValue(MapType.HttpResponseHeaders, cfg.flagHeader, this.requestFlags);
    if (endOfStream || this.answered || !cfg.response.enabled || !generatesOutput(this.kind)) return FilterHeadersStatus.Continue;
    const status = getHeaderMapValue(MapType.HttpResponseHeaders, ":status");
    if (status === null || status.length != 3 || status.charCodeAt(0) != 0x32) return FilterHeadersStatus.Continue;
    const type = getHeaderMapValue(MapType.HttpResponseHeaders, "content-type");
    const sse = type !== null && type.toLowerCase().startsWith("text/event-stream");
    // Gemini's JSON-array stream is held back element by element, as SSE events are.
    const array = !sse && this.arrayStream;
    if ((sse || array) && cfg.streaming == StreamMode.Off) return FilterHeadersStatus.Continue;
    // Redaction changes lengths; the headers are still ours in this callback.
    removeHeaderMapValue(MapType.HttpResponseHeaders, "content-length");
    if (sse || array) {
      this.response = ResponseMode.Stream;
      this.stream = new StreamGuard(cfg.response, this.kind, cfg.holdbackBytes, this.g.labels, cfg.kindNames.length, array);
      return FilterHeadersStatus.Continue;
    }
    this.response = ResponseMode.Buffer;
    if (cfg.holdHeaders) { this.responseHeld = true; return FilterHeadersStatus.StopIteration; }
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    switch (this.response) {
      case ResponseMode.Stream: return this.streamChunk(bodySize, endOfStream);
      case ResponseMode.Buffer: return this.bufferedResponse(bodySize, endOfStream);
      case ResponseMode.Swallow: replaceBuffer(BufferType.HttpResponseBody, new ArrayBuffer(0)); return FilterDataStatus.Continue;
    }
    return FilterDataStatus.Continue;
  }

  private streamChunk(bodySize: u32, endOfStream: bool): FilterDataStatus {
    const sg = this.stream!;
    const raw = getBufferBytes(BufferType.HttpResponseBody, 0, bodySize);
    let out = sg.push(raw === null ? EMPTY : Uint8Array.wrap(raw), endOfStream);
    if (sg.oversized && !sg.blocked) {
      const cfg = this.cfg, metrics = this.g.metrics!;
      if (!cfg.tooLargeFailOpen) {
        // Never pass text no detector has seen: end the stream as a block would.
        this.response = ResponseMode.Swallow;
        this.record(cfg.response, sg.counts);
        metrics.tooLarge.increment();
        const msg = "a response event exceeds " + MAX_EVENT_BYTES.toString() + " bytes and cannot be inspected";
        replaceBuffer(BufferType.HttpResponseBody, concat(out, this.streamEnd(sg, 502, msg, "response_too_large")).buffer);
        return FilterDataStatus.Continue;
      }
      out = concat(out, sg.takeUnscanned());
      if (!sg.blocked) {
        metrics.unscanned.increment();
        this.response = ResponseMode.Pass;
        this.record(cfg.response, sg.counts);
        replaceBuffer(BufferType.HttpResponseBody, out.buffer);
        return FilterDataStatus.Continue;
      }
    }
    if (sg.blocked) {
      this.response = ResponseMode.Swallow;
      this.record(this.cfg.response, sg.counts);
      this.countBlock();
      const msg = "response blocked by payload-guard: " + this.cfg.kindName(sg.blockKind) + " detected";
      replaceBuffer(BufferType.HttpResponseBody, concat(out, this.streamEnd(sg, this.cfg.blockStatus, msg, "content_blocked")).buffer);
      return FilterDataStatus.Continue;
    }
    replaceBuffer(BufferType.HttpResponseBody, out.buffer);
    if (endOfStream) this.record(this.cfg.response, sg.counts);
    return FilterDataStatus.Continue;
  }

  /** The provider's in-stream error that ends a stream the guard stops. */
  private streamEnd(sg: StreamGuard, status: i32, message: string, code: string): Uint8Array {
    return sg.array ? blockedArrayEnd(sg.started, status, message) : blockedStreamEvent(this.kind, status, message, code);
  }

  private bufferedResponse(bodySize: u32, endOfStream: bool): FilterDataStatus {
    const cfg = this.cfg, g = this.g;
    if (<i64>bodySize > cfg.maxBodyBytes) {
      this.response = ResponseMode.Pass;
      if (cfg.tooLargeFailOpen) { g.metrics!.unscanned.increment(); this.releaseResponse(); return FilterDataStatus.Continue; }
      g.metrics!.tooLarge.increment();
      this.answer(502, "response_too_large", "the response exceeds " + cfg.maxBodyBytes.toString() + " bytes and cannot be inspected", "payload_guard_response_too_large");
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    this.response = ResponseMode.Pass;
    const raw = getBufferBytes(BufferType.HttpResponseBody);
    const body = raw === null ? EMPTY : Uint8Array.wrap(raw);
    const out = g.output;
    out.reset(this.kind);
    const n = out.bodyBytes(body);
    const ins = g.inspection;
    ins.reset(cfg.kindNames.length);
    if (n > 0) inspectSpans(cfg.response, out.spans, body.dataStart, g.findings, g.labels, ins);
    this.record(cfg.response, ins.counts);
    if (ins.blockKind >= 0) {
      this.block(cfg.kindName(ins.blockKind), "response");
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (ins.edits.length > 0) replaceBuffer(BufferType.HttpResponseBody, ins.edits.apply(body, false, 0).buffer);
    if (ins.flagged && this.responseHeld) addHeaderMapValue(MapType.HttpResponseHeaders, cfg.flagHeader, this.flaggedKinds(cfg.response, ins.counts));
    this.releaseResponse();
    return FilterDataStatus.Continue;
  }

  private releaseResponse(): void {
    this.responseHeld = false;
  }

  /** Adds `counts` to the exchange's totals, counters and the findings property. */
  private record(d: Direction, counts: StaticArray<i32>): void {
    const cfg = this.cfg, m = this.g.metrics!;
    let any = false;
    for (let k = 0; k < counts.length && k < this.totals.length; k++) {
      const n = unchecked(counts[k]);
      if (n == 0) continue;
      any = true;
      const a = <Action>unchecked(d.detectors.actions[k]);
      unchecked(this.totals[k] += n);
      if (a > this.strongest) this.strongest = a;
      m.finding(cfg.kindName(k), <i32>a, n);
    }
    if (!any) return;
    let s = "";
    for (let k = 0; k < this.totals.length; k++) {
      const n = unchecked(this.totals[k]);
      if (n == 0) continue;
      if (s.length > 0) s += ",";
      s += cfg.kindName(k) + ":" + n.toString();
    }
    setPropertyString(["tollgate.guard.findings"], s);
    setPropertyString(["tollgate.guard.action"], this.strongest == Action.Block ? "block" : this.strongest == Action.Redact ? "redact" : "flag");
  }

  private countBlock(): void {
    this.g.metrics!.blocked.increment();
    if (this.strongest != Action.Block) {
      this.strongest = Action.Block;
      setPropertyString(["tollgate.guard.action"], "block");
    }
  }

  private flaggedKinds(d: Direction, counts: StaticArray<i32>): string {
    let s = "";
    for (let k = 0; k < counts.length; k++) {
      if (unchecked(counts[k]) == 0 || <Action>unchecked(d.detectors.actions[k]) != Action.Flag) continue;
      if (s.length > 0) s += ",";
      s += this.cfg.kindName(k);
    }
    return s;
  }

  /** Refuses the exchange naming the detector, never the matched text. */
  private block(kindName: string, where: string): void {
    this.countBlock();
    if (kindName == "moderation") setPropertyString(["tollgate.guard.findings"], "moderation:1");
    const why = kindName == "moderation" ? "flagged by the moderation service" : kindName + " detected";
    this.answer(this.cfg.blockStatus, "content_blocked", where + " blocked by payload-guard: " + why, "payload_guard_blocked");
  }

  private answer(status: u32, code: string, message: string, details: string): void {
    this.answered = true;
    sendOpenAIError(status, "invalid_request_error", code, message, details);
  }

  private tooLarge(): void {
    this.phase = Phase.Done;
    this.g.metrics!.tooLarge.increment();
    this.answer(413, "request_too_large", "request body exceeds " + this.cfg.maxBodyBytes.toString() + " bytes", "payload_guard_body_too_large");
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a, 0);
  all.set(b, a.length);
  return all;
}
