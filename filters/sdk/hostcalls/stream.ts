/**
 * @module filters/sdk/hostcalls/stream
 * Resuming, closing and answering a stream. Envoy defers all three until the current callback
 * returns (reference §10.6–10.7); a local response also turns that callback's result into "stop".
 * They act on the effective context, so a callout response handler reaches its stream.
 */
import { GrpcStatus, Status, StreamType } from "../types";
import { proxy_close_stream, proxy_continue_stream, proxy_send_local_response } from "./raw";
import { lenOf, ptrOf } from "./memory";
import { HeaderPair, serializePairs } from "./pairs";
import { record } from "./status";

/** Resumes a paused stream (UNIMPLEMENTED for Upstream in Envoy). */
export function continueStream(stream: StreamType): Status {
  return record(proxy_continue_stream(stream));
}

/** Resets an HTTP stream, or closes a TCP connection after flushing. */
export function closeStream(stream: StreamType): Status {
  return record(proxy_close_stream(stream));
}

/**
 * Answers the client without contacting the upstream. `grpcStatus` None (-1) sends no
 * `grpc-status`; `details` appears as the response code details in access logs.
 */
export function sendLocalResponse(
  statusCode: u32, details: string, body: ArrayBuffer | null, headers: HeaderPair[] | null,
  grpcStatus: GrpcStatus = GrpcStatus.None,
): Status {
  const detailBytes = String.UTF8.encode(details);
  const headerBytes = serializePairs(headers);
  return record(proxy_send_local_response(
    statusCode, changetype<usize>(detailBytes), detailBytes.byteLength, ptrOf(body), lenOf(body),
    changetype<usize>(headerBytes), headerBytes.byteLength, grpcStatus,
  ));
}

/** `sendLocalResponse` with a string body (UTF-8). */
export function sendLocalResponseString(
  statusCode: u32, details: string, body: string, headers: HeaderPair[] | null,
  grpcStatus: GrpcStatus = GrpcStatus.None,
): Status {
  return sendLocalResponse(statusCode, details, String.UTF8.encode(body), headers, grpcStatus);
}
