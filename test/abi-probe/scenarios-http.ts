/**
 * @module test/abi-probe/scenarios-http
 * Scenarios about the stream itself: header maps (§10.8), body buffers (§10.9), local responses
 * (§10.6) and continue/close (§10.7). Each runs in the phases it names and reports what the host
 * answered; a test sends `x-probe: <name>` and reads the `probe` log lines.
 */
import {
  BufferType, GrpcStatus, HeaderPair, MapType, Status, StreamType, addHeaderMapValue, closeStream, continueStream,
  getBufferBytes, getBufferSize, getHeaderMapPairs, getHeaderMapSize, getHeaderMapValue, lastStatus,
  removeHeaderMapValue, replaceHeaderMapValue, sendLocalResponse, setBufferBytes, setHeaderMapPairs,
} from "../../filters/sdk/index";
import { proxy_send_local_response, proxy_set_header_map_pairs } from "../../filters/sdk/hostcalls/raw";
import { renderBytes, renderPairs, report, reportNum } from "./report";
import { ProbeStream } from "./stream";

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

/** A pairs blob claiming one entry whose key has no NUL terminator: malformed per §6.1. */
function malformedPairs(): ArrayBuffer {
  const out = new ArrayBuffer(4 + 8 + 4);
  const p = changetype<usize>(out);
  store<u32>(p, 1);
  store<u32>(p + 4, 2); // key_len
  store<u32>(p + 8, 1); // value_len
  store<u8>(p + 12, 0x61); // "a"
  store<u8>(p + 13, 0x62); // "b" where the NUL should be
  store<u8>(p + 14, 0x63);
  store<u8>(p + 15, 0x64);
  return out;
}

function reportGet(key: string, map: MapType, name: string): void {
  const value = getHeaderMapValue(map, name);
  report(key, (value !== null ? value : "null") + "/" + (<i32>lastStatus()).toString());
}

function headers(): void {
  const map = MapType.HttpRequestHeaders;
  reportGet("get_first", map, "X-Dup");
  reportGet("get_missing", map, "x-absent");
  reportNum("size", getHeaderMapSize(map));
  const before = getHeaderMapPairs(map);
  reportNum("pairs_count", before !== null ? before.length : -1);
  reportNum("add", addHeaderMapValue(map, "X-Added", "A"));
  reportNum("replace", replaceHeaderMapValue(map, "X-DUP", "r"));
  reportNum("replace_absent", replaceHeaderMapValue(map, "x-new", "n"));
  reportNum("remove", removeHeaderMapValue(map, "X-Remove-Me"));
  reportNum("remove_absent", removeHeaderMapValue(map, "x-never-there"));
  report("after", renderPairs(getHeaderMapPairs(map)));
  // Maps 4–7 outside their callbacks, and an id past the last map.
  reportGet("map4_get", MapType.GrpcReceiveInitialMetadata, "a");
  reportNum("map6_size", getHeaderMapSize(MapType.HttpCallResponseHeaders));
  reportNum("map6_size_status", lastStatus());
  reportNum("map7_add", addHeaderMapValue(MapType.HttpCallResponseTrailers, "a", "b"));
  const pairs6 = getHeaderMapPairs(MapType.HttpCallResponseHeaders);
  report("map6_pairs", (pairs6 !== null ? pairs6.length.toString() : "null") + "/" + (<i32>lastStatus()).toString());
  reportGet("map8_get", <MapType>8, "a");
  reportNum("map8_add", addHeaderMapValue(<MapType>8, "a", "b"));
}

/** Reads (and tries to change) request and response maps in whichever phase it runs. */
function headersLater(phase: string): void {
  reportGet(phase + "_req_path", MapType.HttpRequestHeaders, ":path");
  const pairs = getHeaderMapPairs(MapType.HttpRequestHeaders);
  report(phase + "_req_pairs", (pairs !== null ? pairs.length.toString() : "null") + "/" + (<i32>lastStatus()).toString());
  reportNum(phase + "_req_add", addHeaderMapValue(MapType.HttpRequestHeaders, "x-late", "1"));
  reportNum(phase + "_req_size", getHeaderMapSize(MapType.HttpRequestHeaders));
  reportNum(phase + "_req_size_status", lastStatus());
  reportGet(phase + "_req_trailer", MapType.HttpRequestTrailers, "x-t");
  reportGet(phase + "_resp_status", MapType.HttpResponseHeaders, ":status");
  reportNum(phase + "_resp_add", addHeaderMapValue(MapType.HttpResponseHeaders, "x-late", "1"));
}

function bodyShapes(stream: ProbeStream, buffer: BufferType, prefix: string): void {
  report(prefix + "whole", renderBytes(getBufferBytes(buffer)));
  report(prefix + "slice", renderBytes(getBufferBytes(buffer, 6, 100)));
  const beyond = getBufferBytes(buffer, 100, 5);
  report(prefix + "beyond", (beyond !== null ? beyond.byteLength.toString() : "null") + "/" + (<i32>lastStatus()).toString());
  reportNum(prefix + "size", getBufferSize(buffer));
  const bad = getBufferBytes(<BufferType>9);
  report(prefix + "type9", (bad !== null ? "value" : "null") + "/" + (<i32>lastStatus()).toString());
  const len = <u32>getBufferSize(buffer);
  const shape = stream.arg;
  let status: Status = Status.Ok;
  if (shape == "prepend") status = setBufferBytes(buffer, 0, 0, utf8("AB"));
  else if (shape == "drop_prepend") status = setBufferBytes(buffer, 0, 2, utf8("X"));
  else if (shape == "replace") status = setBufferBytes(buffer, 0, len, utf8("new"));
  else if (shape == "replace_max") status = setBufferBytes(buffer, 0, u32.MAX_VALUE, utf8("max"));
  else if (shape == "append") status = setBufferBytes(buffer, len, 0, utf8("!"));
  else if (shape == "append_max") status = setBufferBytes(buffer, u32.MAX_VALUE, 7, utf8("?"));
  else if (shape == "middle") status = setBufferBytes(buffer, 1, 1, utf8("M"));
  reportNum(prefix + "set", status);
  report(prefix + "after", renderBytes(getBufferBytes(buffer)));
}

function buffersOutside(): void {
  const body = getBufferBytes(BufferType.HttpRequestBody);
  report("out_body_get", (body !== null ? body.byteLength.toString() : "null") + "/" + (<i32>lastStatus()).toString());
  reportNum("out_body_set", setBufferBytes(BufferType.HttpRequestBody, 0, 0, utf8("x")));
  const plugin = getBufferBytes(BufferType.PluginConfiguration);
  report("out_plugin_get", renderBytes(plugin) + "/" + (<i32>lastStatus()).toString());
  const vm = getBufferBytes(BufferType.VmConfiguration);
  report("out_vm_get", renderBytes(vm) + "/" + (<i32>lastStatus()).toString());
  const call = getBufferBytes(BufferType.HttpCallResponseBody);
  report("out_call_get", renderBytes(call) + "/" + (<i32>lastStatus()).toString());
  const grpc = getBufferBytes(BufferType.GrpcReceiveBuffer);
  report("out_grpc_get", (grpc !== null ? grpc.byteLength.toString() : "null") + "/" + (<i32>lastStatus()).toString());
  reportNum("out_vm_set", setBufferBytes(BufferType.VmConfiguration, 0, 0, utf8("x")));
  reportNum("out_plugin_set", setBufferBytes(BufferType.PluginConfiguration, 0, 0, utf8("x")));
  reportNum("out_call_set", setBufferBytes(BufferType.HttpCallResponseBody, 0, 0, utf8("x")));
}

export function sendProbeLocalResponse(stream: ProbeStream): void {
  const grpcHeader = stream.then.startsWith("grpc=") ? I32.parseInt(stream.then.substring(5)) : <i32>GrpcStatus.None;
  const headers: HeaderPair[] = [HeaderPair.of("X-Reason", "Quota"), HeaderPair.of("retry-after", "7")];
  reportNum("local", sendLocalResponse(429, "rate limited\tnow", utf8("nope"), headers, <GrpcStatus>grpcHeader));
  // Still inside the callback: the reply is deferred, so more host calls keep working.
  reportNum("after_local_add", addHeaderMapValue(MapType.HttpRequestHeaders, "x-after-local", "1"));
}

/** Returns true when `name` is one of this file's scenarios. */
export function runHttpScenario(stream: ProbeStream, name: string, phase: string, eos: bool): bool {
  if (name == "headers") {
    if (phase == "request_headers") headers();
  } else if (name == "headers_malformed") {
    if (phase == "request_headers") {
      const bad = malformedPairs();
      reportNum("set_malformed", proxy_set_header_map_pairs(MapType.HttpRequestHeaders, changetype<usize>(bad), bad.byteLength));
      report("after_malformed", renderPairs(getHeaderMapPairs(MapType.HttpRequestHeaders)));
    }
  } else if (name == "headers_set_pairs") {
    if (phase == "request_headers") {
      const pairs: HeaderPair[] = [HeaderPair.of(":method", "GET"), HeaderPair.of(":path", "/set"), HeaderPair.of(":authority", "probe"),
        HeaderPair.of("X-Set", "1")];
      reportNum("set_pairs", setHeaderMapPairsChecked(pairs));
      report("after_set_pairs", renderPairs(getHeaderMapPairs(MapType.HttpRequestHeaders)));
    }
  } else if (name == "headers_later") {
    if (phase != "request_headers") headersLater(phase);
  } else if (name == "trailers_create") {
    if (phase == "request_body" && eos) {
      reportNum("trailer_add", addHeaderMapValue(MapType.HttpRequestTrailers, "X-T", "1"));
      report("trailers", renderPairs(getHeaderMapPairs(MapType.HttpRequestTrailers)));
    }
    if (phase == "response_body" && eos) {
      reportNum("resp_trailer_add", addHeaderMapValue(MapType.HttpResponseTrailers, "X-RT", "2"));
    }
  } else if (name == "trailers_read") {
    if (phase == "request_trailers") {
      report("req_trailers", renderPairs(getHeaderMapPairs(MapType.HttpRequestTrailers)));
      reportNum("req_trailer_replace", replaceHeaderMapValue(MapType.HttpRequestTrailers, "x-t", "changed"));
    }
    if (phase == "response_trailers") report("resp_trailers", renderPairs(getHeaderMapPairs(MapType.HttpResponseTrailers)));
  } else if (name == "buffers") {
    if (phase == "request_body" && eos) bodyShapes(stream, BufferType.HttpRequestBody, "req_");
    if (phase == "response_body" && eos) bodyShapes(stream, BufferType.HttpResponseBody, "resp_");
  } else if (name == "buffers_outside") {
    if (phase == "request_headers") buffersOutside();
  } else if (name == "body_watch") {
    if (phase == "request_body") report("req_body", renderBytes(getBufferBytes(BufferType.HttpRequestBody)));
    if (phase == "response_body") report("resp_body", renderBytes(getBufferBytes(BufferType.HttpResponseBody)));
  } else if (name == "local_reply") {
    const at = stream.arg.length > 0 ? stream.arg : "request_headers";
    if (phase == at) sendProbeLocalResponse(stream);
  } else if (name == "local_reply_bad_headers") {
    if (phase == "request_headers") {
      const details = utf8("bad headers");
      const body = utf8("still sent");
      const bad = malformedPairs();
      reportNum("local_bad", proxy_send_local_response(
        403, changetype<usize>(details), details.byteLength, changetype<usize>(body), body.byteLength,
        changetype<usize>(bad), bad.byteLength, -1,
      ));
    }
  } else if (name == "continue_close") {
    if (phase == "request_headers") {
      reportNum("continue_upstream", continueStream(StreamType.Upstream));
      reportNum("continue_type4", continueStream(<StreamType>4));
      reportNum("close_type5", closeStream(<StreamType>5));
      reportNum("continue_downstream", continueStream(StreamType.Downstream));
    }
  } else if (name == "close") {
    const at = stream.arg.length > 0 ? stream.arg : "request_headers";
    if (phase == at) reportNum("close", closeStream(at.startsWith("response") ? StreamType.HttpResponse : StreamType.HttpRequest));
  } else if (name == "continue_deferred") {
    if (phase == "request_headers") {
      reportNum("continue_request", continueStream(StreamType.HttpRequest));
      reportGet("after_continue_path", MapType.HttpRequestHeaders, ":path");
    }
  } else {
    return false;
  }
  return true;
}

function setHeaderMapPairsChecked(pairs: HeaderPair[]): Status {
  return setHeaderMapPairs(MapType.HttpRequestHeaders, pairs);
}
