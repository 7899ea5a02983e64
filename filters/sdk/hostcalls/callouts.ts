/**
 * @module filters/sdk/hostcalls/callouts
 * HTTP and gRPC callouts. The host always issues them on behalf of the root context and answers
 * with `proxy_on_http_call_response` / `proxy_on_grpc_*` on that root (reference §10.11). To have a
 * response reach the stream that made the call, use `Context.dispatchHttpCall` & co., which
 * record the call id so the dispatcher can route the answer. Ids are never 0: 0 = failure.
 */
import { Status } from "../types";
import {
  proxy_get_status, proxy_grpc_call, proxy_grpc_cancel, proxy_grpc_close, proxy_grpc_send, proxy_grpc_stream,
  proxy_http_call,
} from "./raw";
import { SLOT_A, SLOT_B, SLOT_C, lenOf, ptrOf, takeBytes } from "./memory";
import { HeaderPair, serializePairs } from "./pairs";
import { record } from "./status";

/**
 * Sends an HTTP request to an Envoy cluster. `headers` must include `:method`, `:path` and
 * `:authority` (else BAD_ARGUMENT); `timeoutMs` 0 = no timeout. Returns the call id, 0 on failure.
 */
export function httpCall(
  upstream: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[] | null, timeoutMs: u32,
): u32 {
  const u = String.UTF8.encode(upstream);
  const h = serializePairs(headers);
  const t = serializePairs(trailers);
  const status = record(proxy_http_call(
    changetype<usize>(u), u.byteLength, changetype<usize>(h), h.byteLength, ptrOf(body), lenOf(body),
    changetype<usize>(t), t.byteLength, timeoutMs, SLOT_A,
  ));
  return status == Status.Ok ? load<u32>(SLOT_A) : 0;
}

/**
 * Unary gRPC call. `upstream` is a cluster name or a serialized `GrpcService`; an unknown cluster
 * is PARSE_FAILURE. Returns the call id, 0 on failure.
 */
export function grpcCall(
  upstream: ArrayBuffer, service: string, method: string, metadata: HeaderPair[] | null, message: ArrayBuffer | null,
  timeoutMs: u32,
): u32 {
  const s = String.UTF8.encode(service);
  const m = String.UTF8.encode(method);
  const md = serializePairs(metadata);
  const status = record(proxy_grpc_call(
    changetype<usize>(upstream), upstream.byteLength, changetype<usize>(s), s.byteLength, changetype<usize>(m), m.byteLength,
    changetype<usize>(md), md.byteLength, ptrOf(message), lenOf(message), timeoutMs, SLOT_A,
  ));
  return status == Status.Ok ? load<u32>(SLOT_A) : 0;
}

/** Opens a gRPC stream; returns its id, 0 on failure. */
export function grpcStream(upstream: ArrayBuffer, service: string, method: string, metadata: HeaderPair[] | null): u32 {
  const s = String.UTF8.encode(service);
  const m = String.UTF8.encode(method);
  const md = serializePairs(metadata);
  const status = record(proxy_grpc_stream(
    changetype<usize>(upstream), upstream.byteLength, changetype<usize>(s), s.byteLength, changetype<usize>(m), m.byteLength,
    changetype<usize>(md), md.byteLength, SLOT_A,
  ));
  return status == Status.Ok ? load<u32>(SLOT_A) : 0;
}

/** Sends one message on a gRPC stream (BAD_ARGUMENT for a non-stream id, NOT_FOUND for an unknown one). */
export function grpcSend(streamId: u32, message: ArrayBuffer | null, endStream: bool): Status {
  return record(proxy_grpc_send(streamId, ptrOf(message), lenOf(message), endStream ? 1 : 0));
}

/** Cancels a gRPC call or stream; no further callbacks arrive for it. */
export function grpcCancel(callOrStreamId: u32): Status {
  return record(proxy_grpc_cancel(callOrStreamId));
}

/** Half-closes a gRPC stream (or closes a call). */
export function grpcClose(callOrStreamId: u32): Status {
  return record(proxy_grpc_close(callOrStreamId));
}

/** The status of a finished gRPC call, or of a failed HTTP call (code 11 BrokenConnection, "reset"). */
export class CallStatus {
  constructor(public code: u32, public message: ArrayBuffer) {}
  get messageString(): string { return String.UTF8.decode(this.message); }
}

/** `proxy_get_status`; null on a non-OK status. */
export function getStatus(): CallStatus | null {
  if (record(proxy_get_status(SLOT_C, SLOT_A, SLOT_B)) != Status.Ok) return null;
  const code = load<u32>(SLOT_C);
  return new CallStatus(code, takeBytes(load<usize>(SLOT_A), load<usize>(SLOT_B)));
}
