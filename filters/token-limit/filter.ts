/**
 * @module filters/token-limit/filter
 * One request through the token limiter.
 * Request headers: recognise the API, capture the key headers, refuse a declared body over
 * `maxBodyBytes`, and hold the headers when the gateway allows it (`holdHeaders`), so that the
 * body may still grow by the `include_usage` injection.
 * Request body (buffered to the end): read model, stream flag, output cap and the prompt
 * estimate; inject `stream_options.include_usage` (removing the held headers' `content-length`,
 * which Envoy does not recompute); admit on every local limit (reserving with
 * `admission: reserve`), then ask the rate limit service about the global ones.
 * Response: add `x-ratelimit-*-tokens`, meter the body (stripping the usage-only chunk the
 * client did not ask for), and when it ends (or is cut) replace the reservations by the actual
 * cost, report it to the rate limit service, and publish properties and metrics.
 */
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HttpContext, MapType, StreamType,
  borrowBufferBytes, borrowedPtr, collectSoon, continueStream, getBufferBytes, getCurrentTimeNanoseconds, getHeaderMapValues, getPropertyString,
  getStatus, logDebug, logEnabled, logWarn, LogLevel, PropertyPath, releaseBorrowed, removeHeaderMapValueBytes, replaceBuffer, setPropertyBytes,
} from "../sdk/index";
import { ApiKind, StreamFormat, generatesOutput, isTokenCount, supportsIncludeUsage } from "../lib/llm/api";
import { JsonKey } from "../lib/json/key";
import { PatchResult, appendToRoot, setPath } from "../lib/json/patcher";
import { RequestFacts } from "../lib/llm/request-facts";
import { RLS_METHOD_NAME, RLS_SERVICE_NAME } from "../lib/proto/index";
import { sendOpenAIError } from "../common/openai-error";
import { Admission, FailureMode, RlsConfig, Scope } from "./config";
import { AdmissionResult, AppliedLimit, TokenCounts, admitLocal, costOf, keyValueOf, noteTightest, releaseLocal, settleLocal } from "./limits";
import { rlsRequest, readVerdict } from "./global";
import { BodyMode, ResponseMeter } from "./meter";
import { addLimitHeaders, sendLimitExceeded } from "./replies";
import { TokenLimitRoot } from "./root";
import { declaredTooLarge } from "../common/body-limit";
import { writeI64 } from "../lib/decimal";

const EMPTY = new Uint8Array(0);
const NO_VALUES: (string | null)[] = [];
/** Bodies from this size on are followed by a full garbage collection (see `collectAfter`). */
const LARGE_BODY: i64 = 256 << 10;
const STREAM_OPTIONS = new JsonKey("stream_options");
const INCLUDE_USAGE = new JsonKey("include_usage");
const INCLUDE_PATH: StaticArray<JsonKey> = [STREAM_OPTIONS, INCLUDE_USAGE];
const TRUE_BYTES = Uint8Array.wrap(String.UTF8.encode("true", false));

// Property paths and fixed values, encoded once.
const P_MODEL = new PropertyPath(["tollgate.model"]);
const P_INPUT_TOKENS = new PropertyPath(["tollgate.input_tokens"]);
const P_OUTPUT_TOKENS = new PropertyPath(["tollgate.output_tokens"]);
const P_TOTAL_TOKENS = new PropertyPath(["tollgate.total_tokens"]);
const P_USAGE_SOURCE = new PropertyPath(["tollgate.usage_source"]);
const P_ROUTE_NAME: string[] = ["xds", "route_name"];
const CONTENT_LENGTH = String.UTF8.encode("content-length");
const REPORTED = String.UTF8.encode("reported");
const ESTIMATED = String.UTF8.encode("estimated");
/** Token counts being priced (a reservation, a charge): filled and read within one callback. */
const COUNTS = new TokenCounts();
/** Room for one decimal i64 property value. */
const DIGITS = memory.data(24);

const enum Phase { Passing = 0, Reading = 1, Checking = 2, Admitted = 3, Finished = 4 }

function nowMs(): i64 { return <i64>(getCurrentTimeNanoseconds() / 1_000_000); }

export class TokenStream extends HttpContext {
  private tl: TokenLimitRoot;
  private phase: Phase = Phase.Passing;
  private kind: ApiKind = ApiKind.Unknown;
  private altSse: bool = false;
  private pathModel: Uint8Array | null = null;
  private headerValues: (string | null)[] = NO_VALUES;
  private holding: bool = false;
  private lengthFixed: bool = false;
  /** Held request headers carry a content-length (removed if the body is injected). */
  private declaredLength: bool = false;
  private model: string = "";
  private streaming: bool = false;
  private strip: bool = false;
  private promptTokens: i64 = 0;
  private applied: AppliedLimit[] = [];
  private needs: i64[] = [];
  private admission: AdmissionResult = new AdmissionResult();
  private rlsCall: u32 = 0;
  /** The rate limit service of the configuration this request was admitted under. */
  private rls: RlsConfig | null = null;
  private rlsMessage: Uint8Array | null = null;
  private responseStatus: i32 = 0;
  private meter: ResponseMeter | null = null;

  constructor(contextId: u32, root: TokenLimitRoot) {
    super(contextId, root);
    this.tl = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.tl, cfg = root.config;
    if (root.metrics === null) return FilterHeadersStatus.Continue;
    // One pairs read for every header this callback needs (order: root.requestKeys).
    const got = getHeaderMapValues(MapType.HttpRequestHeaders, root.requestKeys);
    if (got === null) return FilterHeadersStatus.Continue;
    const method = unchecked(got[0]), path = unchecked(got[1]);
    if (method === null || path === null) return FilterHeadersStatus.Continue;
    const m = root.apis.recognize(method, path);
    if (m.kind == ApiKind.Unknown || isTokenCount(m.kind)) return FilterHeadersStatus.Continue;
    this.kind = m.kind;
    this.altSse = m.altSse;
    this.pathModel = m.pathModel;
    const names = root.keyHeaders;
    const values = new Array<string | null>(names.length);
    for (let i = 0; i < names.length; i++) unchecked(values[i] = got[3 + i]);
    this.headerValues = values;

    const length = unchecked(got[2]);
    if (length !== null && declaredTooLarge(length, cfg.maxBodyBytes)) { this.tooLarge(); return FilterHeadersStatus.StopIteration; }
    if (endOfStream) {
      this.holding = true;
      return this.decide(0, 0) ? FilterHeadersStatus.Continue : FilterHeadersStatus.StopIteration;
    }
    this.phase = Phase.Reading;
    if (cfg.holdHeaders) {
      // Held until the body is read: an include_usage injection can still drop content-length then.
      this.declaredLength = length !== null;
      this.holding = true;
      return FilterHeadersStatus.StopIteration;
    }
    this.lengthFixed = length !== null;
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    if (this.phase == Phase.Checking) return FilterDataStatus.StopIterationAndBuffer;
    if (this.phase != Phase.Reading) return FilterDataStatus.Continue;
    if (<i64>bodySize > this.tl.config.maxBodyBytes) { this.tooLarge(); return FilterDataStatus.StopIterationNoBuffer; }
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    return this.decideBuffered() ? FilterDataStatus.Continue : FilterDataStatus.StopIterationAndBuffer;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    if (this.phase == Phase.Checking) return FilterTrailersStatus.StopIteration;
    if (this.phase != Phase.Reading) return FilterTrailersStatus.Continue;
    return this.decideBuffered() ? FilterTrailersStatus.Continue : FilterTrailersStatus.StopIteration;
  }

  private decideBuffered(): bool {
    // The body is read where the host wrote it (no managed copy of a body of any size).
    const n = borrowBufferBytes(BufferType.HttpRequestBody);
    const go = n > 0 ? this.decide(borrowedPtr(), n) : this.decide(0, 0);
    releaseBorrowed();
    collectAfter(n);
    return go;
  }

  /** Reads the request (`len` bytes at `ptr`, read no more once an injection copied them) and admits it; true when the request may go on now. */
  private decide(ptr: usize, len: i32): bool {
    const root = this.tl, cfg = root.config;
    this.phase = Phase.Admitted;
    const facts = root.reader.read(this.kind, ptr, len, this.pathModel);
    const model = facts.model;
    this.model = model === null ? "" : String.UTF8.decodeUnsafe(model.dataStart, <usize>model.length, false);
    if (model !== null && model.length > 0) setPropertyBytes(P_MODEL, model.dataStart, <usize>model.length);
    this.streaming = this.kind == ApiKind.GeminiStream || (facts.ok && facts.stream);
    this.promptTokens = facts.ok ? facts.promptTokens : 0;

    if (facts.ok && this.streaming && cfg.injectStreamUsage && supportsIncludeUsage(this.kind) && facts.includeUsage != 1) this.inject(ptr, len, facts);

    let cap: i64 = 0;
    if (generatesOutput(this.kind)) {
      const n = facts.ok && facts.choices > 1 ? facts.choices : 1;
      cap = (facts.ok && facts.maxOutputTokens >= 0 ? facts.maxOutputTokens : cfg.defaultOutputTokens) * n;
    }
    // Which limits apply, and what a reservation costs each.
    const route = root.keysRoute ? getPropertyString(P_ROUTE_NAME) : null;
    const estimate = COUNTS;
    estimate.input = this.promptTokens;
    estimate.output = cap;
    estimate.cacheRead = estimate.cacheWrite = 0;
    for (let i = 0; i < cfg.limits.length; i++) {
      const l = unchecked(cfg.limits[i]);
      const key = keyValueOf(l, root.keyHeaders, this.headerValues, this.model, route === null ? "" : route);
      if (key === null) continue;
      this.applied.push(new AppliedLimit(l, key, cfg.slots));
      this.needs.push(costOf(l.cost, estimate));
    }
    if (this.applied.length == 0) { root.metrics!.admitted.increment(); return true; }
    const reserve = cfg.admission == Admission.Reserve;
    const adm = admitLocal(this.applied, this.needs, reserve, nowMs(), this.admission);
    if (adm.refusedBy !== null) { this.refuse(adm.refusedBy!, adm.retryMs); return false; }

    // Only global limits need the service (rlsRequest builds nothing for local ones alone).
    const msg: Uint8Array | null = cfg.rls === null ? null : rlsRequest(cfg.rls!.domain, this.applied, new Array<i64>(this.applied.length));
    if (msg === null) { root.metrics!.admitted.increment(); return true; }
    const g = cfg.rls!;
    this.rls = g;
    const id = this.dispatchGrpcCall(String.UTF8.encode(g.cluster), RLS_SERVICE_NAME, RLS_METHOD_NAME, null, msg.buffer, <u32>g.timeoutMs);
    if (id == 0) return this.rlsFailed("the rate limit service cluster \"" + g.cluster + "\" was refused by the host");
    this.rlsCall = id;
    this.phase = Phase.Checking;
    return false;
  }

  private inject(ptr: usize, len: i32, facts: RequestFacts): void {
    const m = this.tl.metrics!;
    if (this.lengthFixed) {
      // The headers already left with a content-length: a longer body would be cut or refused.
      m.notInjected.increment();
      if (logEnabled(LogLevel.Debug)) logDebug("token-limit: include_usage not injected: the request headers passed with a content-length (set holdHeaders)");
      return;
    }
    let r: PatchResult;
    // The common request has no stream_options: the member is added where the reader saw the
    // root end, without walking the body again; otherwise setPath edits the object it finds.
    if (facts.streamOptionsAbsent) r = appendToRoot(ptr, len, facts.appendAt, INCLUDE_PATH, TRUE_BYTES);
    else {
      const body = new Uint8Array(len);
      memory.copy(body.dataStart, ptr, <usize>len);
      r = setPath(body, INCLUDE_PATH, TRUE_BYTES);
    }
    // The host's block is not read again: freed now, the patched body can take its place.
    releaseBorrowed();
    if (!r.ok) { m.notInjected.increment(); return; }
    // The body grows and Envoy does not recompute content-length: the held headers lose it (only
    // an injected request: any other keeps the length it declared).
    if (this.declaredLength) removeHeaderMapValueBytes(MapType.HttpRequestHeaders, CONTENT_LENGTH);
    replaceBuffer(BufferType.HttpRequestBody, r.body!.buffer);
    this.strip = true;
    m.injected.increment();
  }

  onGrpcReceive(callId: u32, messageSize: u32): void {
    if (callId != this.rlsCall) return;
    const raw = getBufferBytes(BufferType.GrpcReceiveBuffer);
    this.rlsMessage = raw === null ? EMPTY : Uint8Array.wrap(raw);
  }

  onGrpcClose(callId: u32, statusCode: u32): void {
    if (callId != this.rlsCall || this.phase != Phase.Checking) return;
    this.rlsCall = 0;
    this.phase = Phase.Admitted;
    const message = this.rlsMessage;
    if (statusCode != 0 || message === null) {
      const st = getStatus();
      const why = "status " + statusCode.toString() + (st !== null && st.message.byteLength > 0 ? " " + st.messageString : "");
      if (this.rlsFailed("the rate limit service failed (" + why + ")")) continueStream(StreamType.HttpRequest);
      return;
    }
    const reserve = this.tl.config.admission == Admission.Reserve;
    const v = readVerdict(message!, this.applied, this.needs, reserve);
    if (v.malformed) {
      if (this.rlsFailed("the rate limit service's answer is not a RateLimitResponse")) continueStream(StreamType.HttpRequest);
      return;
    }
    if (v.refusedBy !== null) { this.refuse(v.refusedBy!, v.retryMs); return; }
    for (let i = 0; i < this.applied.length; i++) {
      const a = unchecked(this.applied[i]);
      if (a.limit.scope == Scope.Global) noteTightest(this.admission, a);
    }
    this.tl.metrics!.admitted.increment();
    continueStream(StreamType.HttpRequest);
  }

  /** The service could not answer: FailOpen admits (true), FailClosed answers 503. */
  private rlsFailed(why: string): bool {
    const m = this.tl.metrics!;
    m.rlsFailures.increment();
    logWarn("token-limit: " + why);
    const g = this.rls;
    if (g === null || g.failureMode == FailureMode.FailOpen) { m.admitted.increment(); return true; }
    this.releaseAll();
    this.phase = Phase.Finished;
    sendOpenAIError(503, "service_unavailable", "rate_limit_service_unavailable",
      "the token rate limit service is unavailable; try again later", "token_limit_rls_unavailable");
    return false;
  }

  private refuse(by: AppliedLimit, retryMs: i64): void {
    const m = this.tl.metrics!;
    m.rejected.increment();
    // A reconfiguration may have changed the limits since this request was admitted.
    const i = by.limit.index;
    if (i < m.perLimitRejected.length && unchecked(this.tl.config.limits[i]) === by.limit) unchecked(m.perLimitRejected[i]).increment();
    this.releaseAll();
    this.phase = Phase.Finished;
    sendLimitExceeded(by, retryMs);
  }

  private releaseAll(): void {
    const now = nowMs();
    for (let i = 0; i < this.applied.length; i++) releaseLocal(unchecked(this.applied[i]), now);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    if (this.phase != Phase.Admitted) return FilterHeadersStatus.Continue;
    // `:status` and `content-type` in one pairs read (adding the limit headers changes neither).
    const got = getHeaderMapValues(MapType.HttpResponseHeaders, this.tl.responseKeys);
    const status: string | null = got === null ? null : unchecked(got![0]);
    const ct: string | null = got === null ? null : unchecked(got![1]);
    this.responseStatus = status === null ? 0 : parseStatus(status);
    const t = this.admission.tightest;
    if (t !== null) addLimitHeaders(t);
    let mode = BodyMode.Json;
    if (ct !== null && ct.toLowerCase().startsWith("text/event-stream")) mode = BodyMode.Sse;
    else if (this.kind == ApiKind.GeminiStream && !this.altSse && this.responseStatus < 300) mode = BodyMode.JsonArray;
    const meter = this.tl.takeMeter();
    meter.reset(this.kind, mode, this.strip, this.tl.config.maxResponseBytes);
    this.meter = meter;
    if (meter.rewrites) removeHeaderMapValueBytes(MapType.HttpResponseHeaders, CONTENT_LENGTH);
    if (endOfStream) this.finish();
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    const meter = this.meter;
    if (meter === null || this.phase != Phase.Admitted) return FilterDataStatus.Continue;
    // The chunk is read where the host wrote it: no copy into a new buffer per chunk.
    const n = borrowBufferBytes(BufferType.HttpResponseBody, 0, u32.MAX_VALUE);
    const out = meter.chunk(n > 0 ? borrowedPtr() : 0, n > 0 ? n : 0, endOfStream);
    releaseBorrowed();
    // null: the chunk passes as it is (comparing lengths alone would miss a shifted held tail).
    if (out !== null) replaceBuffer(BufferType.HttpResponseBody, out.buffer);
    if (endOfStream) this.finish();
    return FilterDataStatus.Continue;
  }

  onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    if (this.phase == Phase.Admitted && this.meter !== null) this.finish();
    return FilterTrailersStatus.Continue;
  }

  onLog(): void {
    if (this.phase == Phase.Admitted || this.phase == Phase.Checking) this.finish();
  }

  /** The exchange is over (or cut): charge, report, publish. */
  private finish(): void {
    if (this.phase == Phase.Finished) return;
    const wasChecking = this.phase == Phase.Checking;
    this.phase = Phase.Finished;
    const root = this.tl, m = root.metrics!;
    const meter = this.meter;
    if (meter === null || wasChecking) {
      // No response came back (cut before it, or another filter answered): nothing was generated.
      this.releaseAll();
      return;
    }
    meter.end();
    const acc = meter.usage;
    const t = COUNTS;
    t.input = t.output = t.cacheRead = t.cacheWrite = 0;
    let reported = acc.reported;
    if (reported) {
      t.input = acc.inputTokens;
      t.output = acc.outputTokens;
      t.cacheRead = acc.cacheReadTokens;
      t.cacheWrite = acc.cacheWriteTokens;
      if (!acc.outputFinal) {
        // Anthropic cut before message_delta: the output so far is provisional.
        reported = false;
        const estimate = meter.estimatedOutput;
        if (estimate > t.output) t.output = estimate;
      }
    } else {
      t.input = this.promptTokens;
      t.output = this.responseStatus >= 400 ? 0 : meter.estimatedOutput;
    }
    const now = nowMs();
    // What each global limit is charged, for the report (only built when one applies).
    const hits = this.rls !== null ? new Array<i64>(this.applied.length) : null;
    for (let i = 0; i < this.applied.length; i++) {
      const a = unchecked(this.applied[i]);
      const c = costOf(a.limit.cost, t);
      if (hits !== null) hits[i] = a.limit.scope == Scope.Global && c > 0 ? c : -1;
      settleLocal(a, c, now);
    }
    if (hits !== null) this.report(hits);
    if (meter.stripped > 0) m.stripped.increment(meter.stripped);
    (reported ? m.reported : m.estimated).increment();
    const label = root.modelLabel(this.model);
    if (t.input > 0) m.tokens(false, label).increment(t.input);
    if (t.output > 0) m.tokens(true, label).increment(t.output);
    setPropertyDecimal(P_INPUT_TOKENS, t.input);
    setPropertyDecimal(P_OUTPUT_TOKENS, t.output);
    setPropertyDecimal(P_TOTAL_TOKENS, t.input + t.output);
    const source = reported ? REPORTED : ESTIMATED;
    setPropertyBytes(P_USAGE_SOURCE, changetype<usize>(source), <usize>source.byteLength);
    root.giveMeter(meter);
    this.meter = null;
    collectAfter(meter.bytes);
  }

  /** Spends the actual tokens on the global limits (fire and forget, from the root). */
  private report(hits: i64[]): void {
    const g = this.rls;
    if (g === null) return;
    const msg = rlsRequest(g.domain, this.applied, hits);
    if (msg === null) return;
    const id = this.tl.dispatchGrpcCall(String.UTF8.encode(g.cluster), RLS_SERVICE_NAME, RLS_METHOD_NAME, null, msg.buffer, <u32>g.timeoutMs);
    if (id == 0) this.tl.metrics!.rlsFailures.increment();
  }

  private tooLarge(): void {
    this.phase = Phase.Finished;
    sendOpenAIError(413, "invalid_request_error", "request_too_large",
      "request body exceeds " + this.tl.config.maxBodyBytes.toString() + " bytes", "token_limit_body_too_large");
  }
}

/**
 * A full collection after a large body, as soon as it is safe (the SDK's `collectSoon`): the
 * allocator grows memory (doubling) rather than wait for garbage to be found, so a few huge bodies
 * would otherwise leave the VM at many times their size for good. The live heap is small and
 * large bodies are rare, so it is cheap.
 */
function collectAfter(bodyBytes: i64): void {
  if (bodyBytes >= LARGE_BODY) collectSoon();
}

function setPropertyDecimal(path: PropertyPath, v: i64): void {
  setPropertyBytes(path, DIGITS, <usize>writeI64(DIGITS, v));
}

function parseStatus(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length && i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    n = n * 10 + (c - 0x30);
  }
  return n;
}
