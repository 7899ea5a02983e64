/**
 * @module filters/model-router/filter
 * One request through the router. Request headers: recognise the API, keep what the rules read,
 * refuse a declared body over `maxBodyBytes`, and either hold the headers (`holdHeaders`, the
 * gateway delivers the body to a filter that holds them) or let them pass. Request body:
 * buffer to the end, read the model and facts, decide, rewrite the model in the body (and in
 * the path for path-model APIs), set the model header and clear the route cache while the
 * headers are still held, and publish the decision as properties and counters.
 */
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HttpContext, MapType,
  clearRouteCache, collectSoon, getBufferBytes, getHeaderMapValue, logDebug, logEnabled, logWarn, LogLevel,
  removeHeaderMapValue, replaceBuffer, replaceHeaderMapValue, setPropertyString,
} from "../sdk/index";
import { ApiKind, apiName } from "../lib/llm/api";
import { isHeaderSafeModel } from "../lib/llm/request";
import { LlmError } from "../lib/llm/errors";
import { sendOpenAIError } from "../common/openai-error";
import { RequestView } from "./decide";
import { replaceModelString, replacePathModel } from "./rewrite";
import { RouterRoot } from "./root";
import { declaredTooLarge } from "../common/body-limit";

const EMPTY = new Uint8Array(0);
/** Bodies from this size on are followed by a full garbage collection. */
const LARGE_BODY: i32 = 256 << 10;

/** Where the stream is. */
const enum Phase { Passing = 0, Reading = 1, Done = 2 }

export class RouterStream extends HttpContext {
  private router: RouterRoot;
  private phase: Phase = Phase.Passing;
  private kind: ApiKind = ApiKind.Unknown;
  private path: string = "";
  private pathModel: Uint8Array | null = null;
  private badPathModel: bool = false;
  /** The headers are held (StopIteration): they can still be changed. */
  private holding: bool = false;
  /** The request passed with a `content-length` the router could not remove. */
  private lengthFixed: bool = false;
  private view: RequestView = new RequestView();

  constructor(contextId: u32, root: RouterRoot) {
    super(contextId, root);
    this.router = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.router.config;
    if (this.router.metrics === null) return FilterHeadersStatus.Continue;
    const method = getHeaderMapValue(MapType.HttpRequestHeaders, ":method");
    const path = getHeaderMapValue(MapType.HttpRequestHeaders, ":path");
    if (method === null || path === null) return FilterHeadersStatus.Continue;
    // The model header is the router's to set: a client's value must never choose the route,
    // whether or not this request gets routed.
    if (getHeaderMapValue(MapType.HttpRequestHeaders, cfg.modelHeader) !== null) removeHeaderMapValue(MapType.HttpRequestHeaders, cfg.modelHeader);
    const m = this.router.apis.recognize(method, path);
    if (m.kind == ApiKind.Unknown) return FilterHeadersStatus.Continue;
    this.kind = m.kind;
    this.path = path;
    this.pathModel = m.pathModel;
    this.badPathModel = m.error != LlmError.None;

    const names = cfg.capturedHeaders;
    const values = new Array<string | null>(names.length);
    for (let i = 0; i < names.length; i++) values[i] = getHeaderMapValue(MapType.HttpRequestHeaders, unchecked(names[i]));
    this.view.headers = values;

    const length = getHeaderMapValue(MapType.HttpRequestHeaders, "content-length");
    if (length !== null && declaredTooLarge(length, cfg.maxBodyBytes)) return this.tooLarge(FilterHeadersStatus.StopIteration);

    if (endOfStream) {
      // No body: decide now, while the headers are in hand.
      this.holding = true;
      this.route(EMPTY);
      return this.phase == Phase.Done && this.rejected ? FilterHeadersStatus.StopIteration : FilterHeadersStatus.Continue;
    }
    this.phase = Phase.Reading;
    if (cfg.holdHeaders) {
      // The body may change length: Envoy would forward a stale content-length.
      if (cfg.mayRewrite && length !== null) removeHeaderMapValue(MapType.HttpRequestHeaders, "content-length");
      this.holding = true;
      return FilterHeadersStatus.StopIteration;
    }
    this.lengthFixed = length !== null;
    return FilterHeadersStatus.Continue;
  }

  private rejected: bool = false;

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    if (this.phase != Phase.Reading) return FilterDataStatus.Continue;
    if (<i64>bodySize > this.router.config.maxBodyBytes) return this.tooLarge(FilterDataStatus.StopIterationNoBuffer);
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    this.routeBuffered();
    return this.rejected ? FilterDataStatus.StopIterationNoBuffer : FilterDataStatus.Continue;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    // Trailers end the request: the body buffered so far is all of it.
    if (this.phase != Phase.Reading) return FilterTrailersStatus.Continue;
    this.routeBuffered();
    return this.rejected ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
  }

  private routeBuffered(): void {
    const raw = getBufferBytes(BufferType.HttpRequestBody);
    this.route(raw === null ? EMPTY : Uint8Array.wrap(raw));
  }

  /** Decides for the whole body and applies the decision; sets `rejected` when it answered. */
  private route(body: Uint8Array): void {
    this.phase = Phase.Done;
    const root = this.router, cfg = root.config, metrics = root.metrics!;
    if (<i64>body.length > cfg.maxBodyBytes) { this.tooLarge(0); return; }
    setPropertyString(["tollgate.api"], apiName(this.kind));

    const facts = root.readWhole ? root.reader.readBytes(this.kind, body, this.pathModel) : root.scan.read(this.kind, body, this.pathModel);
    if (this.badPathModel || !facts.ok || facts.model === null) {
      const empty = body.length == 0 && !this.badPathModel && facts.model === null;
      const message = this.badPathModel ? "the model named in the path is empty or badly percent-encoded"
        : empty ? "the request has no body: you must provide a model parameter"
        : facts.ok ? "the request names no model" : facts.describe();
      if (cfg.rejectOnParseError) {
        const missing = empty || (!this.badPathModel && (facts.ok || facts.error == LlmError.MissingModel || facts.error == LlmError.EmptyModel));
        this.reject(400, missing ? "model_not_found" : "invalid_body", message, "model_router_unparsable");
      } else {
        metrics.unrouted.increment();
        if (logEnabled(LogLevel.Debug)) logDebug("model-router: passing unrouted: " + message);
      }
      return;
    }
    const model = facts.model!;
    if (!isHeaderSafeModel(model)) {
      this.reject(400, "invalid_model", "model must be 1-256 bytes without control characters", "model_router_unsafe_model");
      return;
    }
    const view = this.view;
    view.facts = facts;
    view.body = body;
    const d = root.decider.decide(String.UTF8.decode(model.buffer), view);
    const served = d.served;

    if (served != d.requested) {
      if (!facts.modelFromPath) this.rewriteBody(body, facts.modelStart, facts.modelEnd, served);
      else if (this.holding) {
        const p = replacePathModel(this.path, served);
        if (p !== null) replaceHeaderMapValue(MapType.HttpRequestHeaders, ":path", p!);
      }
    }
    if (this.holding) {
      replaceHeaderMapValue(MapType.HttpRequestHeaders, cfg.modelHeader, served);
      const rule = d.rule;
      if (rule !== null) {
        const h = rule.setHeaders;
        for (let i = 0; i + 1 < h.length; i += 2) replaceHeaderMapValue(MapType.HttpRequestHeaders, unchecked(h[i]), unchecked(h[i + 1]));
      }
      // Called from the stream's own callback: Envoy's foreign functions ignore the effective context.
      clearRouteCache();
    }
    setPropertyString(["tollgate.model"], served);
    if (d.rule !== null) {
      setPropertyString(["tollgate.rule"], d.rule!.name);
      unchecked(metrics.rules[d.rule!.index]).increment();
    }
    metrics.routed.increment();
    view.facts = null;
    view.body = EMPTY;
    // The allocator grows memory rather than wait for garbage to be found: a full collection
    // (as soon as it is safe) keeps the VM near one body's size. The live heap is small, so it is cheap.
    if (body.length >= LARGE_BODY) collectSoon();
  }

  /** Writes the served model into the body unless that would contradict a content-length already sent. */
  private rewriteBody(body: Uint8Array, start: i32, end: i32, served: string): void {
    const out = replaceModelString(body, start, end, served);
    if (this.lengthFixed && out.length != body.length) {
      this.router.metrics!.bodyKept.increment();
      logWarn("model-router: body not rewritten to \"" + served + "\": the request headers already passed with a content-length " +
        "(set the gateway up to hold headers, or send the request chunked)");
      return;
    }
    replaceBuffer(BufferType.HttpRequestBody, out.buffer);
  }

  private reject(status: u32, code: string, message: string, details: string): void {
    this.rejected = true;
    this.router.metrics!.rejected.increment();
    sendOpenAIError(status, "invalid_request_error", code, message, details);
  }

  private tooLarge<T>(status: T): T {
    this.phase = Phase.Done;
    this.rejected = true;
    this.router.metrics!.tooLarge.increment();
    sendOpenAIError(413, "invalid_request_error", "request_too_large",
      "request body exceeds " + this.router.config.maxBodyBytes.toString() + " bytes", "model_router_body_too_large");
    return status;
  }
}
