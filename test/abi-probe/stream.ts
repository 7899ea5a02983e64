/**
 * @module test/abi-probe/stream
 * The probe's HTTP context. At request headers it reads what the test asked for:
 *   `x-probe`      comma-separated scenario names (see scenarios-*.ts), run in every phase;
 *   `x-probe-arg`  one free argument for the scenarios (a shape, a phase, a cluster…);
 *   `x-probe-then` what to do when a callout answers (continue, local, close, foreign, …);
 *   `x-probe-ret`  raw callback results, e.g. `rh=1,rb=3,rt=1,sh=4,sb=1,st=1` (request/response
 *                  headers, body, trailers; `rbe`/`sbe` for the end-of-stream body call, default
 *                  `rb`/`sb`), so a test can check the host's conversions.
 * Every callback is reported as `cb=<name>:<context id>:<args>`.
 */
import {
  FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HttpContext, MapType, RootContext, getHeaderMapValue,
} from "../../filters/sdk/index";
import { parseSettings, report } from "./report";
import { runHttpScenario } from "./scenarios-http";
import { runHostScenario, onCalloutAnswer, onGrpcEvent } from "./scenarios-host";

export class ProbeStream extends HttpContext {
  scenarios: string[] = [];
  arg: string = "";
  then: string = "";
  returns: Map<string, string> = new Map<string, string>();
  /** Callouts made by this stream, in order (scenarios that chain calls read it). */
  callIds: u32[] = [];

  constructor(id: u32, root: RootContext) {
    super(id, root);
    report("cb", "context_create:" + id.toString() + ":" + root.id.toString());
  }

  private run(phase: string, eos: bool): void {
    for (let i = 0; i < this.scenarios.length; i++) {
      const name = this.scenarios[i];
      if (!runHttpScenario(this, name, phase, eos)) runHostScenario(this, name, phase, eos);
    }
  }

  /** The raw result for `key` from `x-probe-ret`, else `fallback`. */
  private ret(key: string, fallback: i32): i32 {
    return this.returns.has(key) ? I32.parseInt(this.returns.get(key)) : fallback;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    report("cb", "request_headers:" + this.id.toString() + ":" + numHeaders.toString() + ":" + (endOfStream ? "1" : "0"));
    const probe = getHeaderMapValue(MapType.HttpRequestHeaders, "x-probe");
    if (probe !== null) this.scenarios = probe.split(",").map<string>((s: string): string => s.trim());
    const arg = getHeaderMapValue(MapType.HttpRequestHeaders, "x-probe-arg");
    if (arg !== null) this.arg = arg;
    const then = getHeaderMapValue(MapType.HttpRequestHeaders, "x-probe-then");
    if (then !== null) this.then = then;
    const ret = getHeaderMapValue(MapType.HttpRequestHeaders, "x-probe-ret");
    if (ret !== null) this.returns = parseSettings(ret, ",");
    this.run("request_headers", endOfStream);
    return <FilterHeadersStatus>this.ret("rh", 0);
  }

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    report("cb", "request_body:" + this.id.toString() + ":" + bodySize.toString() + ":" + (endOfStream ? "1" : "0"));
    this.run("request_body", endOfStream);
    return <FilterDataStatus>(endOfStream ? this.ret("rbe", this.ret("rb", 0)) : this.ret("rb", 0));
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    report("cb", "request_trailers:" + this.id.toString() + ":" + numTrailers.toString());
    this.run("request_trailers", true);
    return <FilterTrailersStatus>this.ret("rt", 0);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    report("cb", "response_headers:" + this.id.toString() + ":" + numHeaders.toString() + ":" + (endOfStream ? "1" : "0"));
    this.run("response_headers", endOfStream);
    return <FilterHeadersStatus>this.ret("sh", 0);
  }

  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    report("cb", "response_body:" + this.id.toString() + ":" + bodySize.toString() + ":" + (endOfStream ? "1" : "0"));
    this.run("response_body", endOfStream);
    return <FilterDataStatus>(endOfStream ? this.ret("sbe", this.ret("sb", 0)) : this.ret("sb", 0));
  }

  onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    report("cb", "response_trailers:" + this.id.toString() + ":" + numTrailers.toString());
    this.run("response_trailers", true);
    return <FilterTrailersStatus>this.ret("st", 0);
  }

  onLog(): void {
    report("cb", "log:" + this.id.toString());
    this.run("log", true);
  }

  onDone(): bool {
    report("cb", "done:" + this.id.toString());
    return true;
  }

  onDelete(): void {
    report("cb", "delete:" + this.id.toString());
  }

  onHttpCallResponse(callId: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    report("cb", "http_call_response:" + this.id.toString() + ":" + callId.toString() + ":" + numHeaders.toString() + ":" +
      bodySize.toString() + ":" + numTrailers.toString());
    onCalloutAnswer(this, callId, numHeaders, bodySize, numTrailers);
  }

  onGrpcReceiveInitialMetadata(callId: u32, numElements: u32): void {
    report("cb", "grpc_initial_metadata:" + this.id.toString() + ":" + callId.toString() + ":" + numElements.toString());
    onGrpcEvent(this, "initial_metadata", callId, numElements);
  }

  onGrpcReceive(callId: u32, messageSize: u32): void {
    report("cb", "grpc_receive:" + this.id.toString() + ":" + callId.toString() + ":" + messageSize.toString());
    onGrpcEvent(this, "receive", callId, messageSize);
  }

  onGrpcReceiveTrailingMetadata(callId: u32, numElements: u32): void {
    report("cb", "grpc_trailing_metadata:" + this.id.toString() + ":" + callId.toString() + ":" + numElements.toString());
    onGrpcEvent(this, "trailing_metadata", callId, numElements);
  }

  onGrpcClose(callId: u32, statusCode: u32): void {
    report("cb", "grpc_close:" + this.id.toString() + ":" + callId.toString() + ":" + statusCode.toString());
    onGrpcEvent(this, "close", callId, statusCode);
  }
}
