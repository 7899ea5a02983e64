/**
 * @module test/abi-probe/tcp
 * The probe's TCP (network filter) context, made when the plugin configuration says `kind=tcp`.
 * Other settings of that configuration drive it:
 *   nc=1                         result of `proxy_on_new_connection`;
 *   dd=1,0 / ud=1,0              results of successive downstream / upstream data calls (the last repeats);
 *   tcp=<op,op>                  what every data callback does: `read` (both data buffers), `shapes`
 *                                (Envoy's set_buffer_bytes shapes on its own buffer), `resume`, `close_down`,
 *                                `close_up`, `resume_up`, `props`, `trap_dd`, `trap_ud`, `trap_nc`;
 *   tick=<ms> with tcp=tick_resume   the root resumes the last connection from its tick.
 * Every callback is reported as `cb=<name>:<context id>:<args>`.
 */
import {
  Action, BufferType, LifeSpan, PeerType, RootContext, StreamType, TcpContext, continueStream, getBufferBytes,
  getProperty, lastStatus, sendLocalResponse, setBufferBytes, setEffectiveContext, setEnvoyFilterState, setProperty,
} from "../../filters/sdk/index";
import { renderBytes, report, reportNum } from "./report";

function st(): string {
  return (<i32>lastStatus()).toString();
}

/** Id of the last TCP context made (for `tick_resume`). */
export let lastTcpId: u32 = 0;

function resultAt(list: string[], call: i32): i32 {
  if (list.length == 0) return 0;
  return I32.parseInt(list[call < list.length ? call : list.length - 1]);
}

function splitList(settings: Map<string, string>, key: string): string[] {
  return settings.has(key) && settings.get(key).length > 0 ? settings.get(key).split(",") : [];
}

export class ProbeTcp extends TcpContext {
  ops: string[];
  downResults: string[];
  upResults: string[];
  newConnection: i32;
  downCalls: i32 = 0;
  upCalls: i32 = 0;

  constructor(id: u32, root: RootContext, settings: Map<string, string>) {
    super(id, root);
    this.ops = splitList(settings, "tcp");
    this.downResults = splitList(settings, "dd");
    this.upResults = splitList(settings, "ud");
    this.newConnection = settings.has("nc") ? I32.parseInt(settings.get("nc")) : 0;
    lastTcpId = id;
    report("cb", "context_create:" + id.toString() + ":" + root.id.toString());
  }

  private has(op: string): bool {
    return this.ops.includes(op);
  }

  onNewConnection(): Action {
    report("cb", "new_connection:" + this.id.toString());
    if (this.has("trap_nc")) abort("probe trap in new_connection");
    if (this.has("props")) this.props("nc");
    return <Action>this.newConnection;
  }

  onDownstreamData(dataSize: u32, endOfStream: bool): Action {
    report("cb", "downstream_data:" + this.id.toString() + ":" + dataSize.toString() + ":" + (endOfStream ? "1" : "0"));
    const result = resultAt(this.downResults, this.downCalls++);
    if (this.has("trap_dd")) abort("probe trap in downstream_data");
    this.runOps("dd", BufferType.DownstreamData);
    return <Action>result;
  }

  onUpstreamData(dataSize: u32, endOfStream: bool): Action {
    report("cb", "upstream_data:" + this.id.toString() + ":" + dataSize.toString() + ":" + (endOfStream ? "1" : "0"));
    const result = resultAt(this.upResults, this.upCalls++);
    if (this.has("trap_ud")) abort("probe trap in upstream_data");
    this.runOps("ud", BufferType.UpstreamData);
    return <Action>result;
  }

  private runOps(at: string, own: BufferType): void {
    if (this.has("read")) {
      report(at + "_down", renderBytes(this.downstreamData()) + "/" + st());
      report(at + "_up", renderBytes(this.upstreamData()) + "/" + st());
      report(at + "_http_body", renderBytes(getBufferBytes(BufferType.HttpRequestBody)) + "/" + st());
    }
    if (this.has("shapes")) {
      const size = (<ArrayBuffer>getBufferBytes(own)).byteLength;
      reportNum(at + "_prepend", this.setOwn(own, 0, 0, "<"));
      reportNum(at + "_append", this.setOwn(own, size + 1, 0, ">"));
      reportNum(at + "_middle", this.setOwn(own, 1, 1, "?"));
      report(at + "_shaped", renderBytes(getBufferBytes(own)));
      const other = own == BufferType.DownstreamData ? BufferType.UpstreamData : BufferType.DownstreamData;
      reportNum(at + "_other_write", <i32>setBufferBytesOn(other, 0, 0, "!"));
    }
    if (this.has("resume")) reportNum(at + "_resume", this.resumeDownstream());
    if (this.has("resume_up")) reportNum(at + "_resume_up", continueStream(StreamType.Upstream));
    if (this.has("close_down")) reportNum(at + "_close_down", this.closeDownstream());
    if (this.has("close_up")) reportNum(at + "_close_up", this.closeUpstream());
    if (this.has("props")) this.props(at);
  }

  /** Writes this direction's data through the SDK's TcpContext helpers. */
  private setOwn(own: BufferType, start: u32, size: u32, value: string): i32 {
    const bytes = String.UTF8.encode(value);
    return <i32>(own == BufferType.DownstreamData ? this.setDownstreamData(start, size, bytes) : this.setUpstreamData(start, size, bytes));
  }

  private props(at: string): void {
    report(at + "_prop_connection_id", (getProperty(["connection_id"]) !== null ? "set" : "null") + "/" + st());
    report(at + "_prop_source", renderBytes(getProperty(["source", "address"])) + "/" + st());
    report(at + "_prop_request_path", renderBytes(getProperty(["request", "path"])) + "/" + st());
    reportNum(at + "_set_property", setProperty(["probe_tcp"], String.UTF8.encode("t")));
    report(at + "_get_property", renderBytes(getProperty(["probe_tcp"])) + "/" + st());
    reportNum(at + "_filter_state", setEnvoyFilterState("envoy.tcp_proxy.cluster", "tcp-cluster", LifeSpan.DownstreamConnection));
    reportNum(at + "_local", sendLocalResponse(403, "tcp", null, null));
    reportNum(at + "_continue_http", continueStream(StreamType.HttpRequest));
  }

  onDownstreamConnectionClose(peer: PeerType): void {
    report("cb", "downstream_close:" + this.id.toString() + ":" + (<i32>peer).toString());
  }

  onUpstreamConnectionClose(peer: PeerType): void {
    report("cb", "upstream_close:" + this.id.toString() + ":" + (<i32>peer).toString());
  }

  onDone(): bool {
    report("cb", "done:" + this.id.toString());
    return true;
  }

  onLog(): void {
    report("cb", "log:" + this.id.toString());
    report("log_down", renderBytes(this.downstreamData()) + "/" + st());
  }

  onDelete(): void {
    report("cb", "delete:" + this.id.toString());
  }
}

function setBufferBytesOn(buffer: BufferType, start: u32, size: u32, value: string): i32 {
  return <i32>setBufferBytes(buffer, start, size, String.UTF8.encode(value));
}

/** From the root's tick: act on the last connection through `proxy_set_effective_context`. */
export function tickResume(): void {
  if (lastTcpId == 0) return;
  reportNum("tick_effective", setEffectiveContext(lastTcpId));
  report("tick_down", renderBytes(getBufferBytes(BufferType.DownstreamData)) + "/" + st());
  reportNum("tick_resume", continueStream(StreamType.Downstream));
}
