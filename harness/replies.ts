/**
 * @module harness/replies
 * What a stream delivers: the record of what the upstream or the client received, and the
 * local reply Envoy builds from `proxy_send_local_response` (`prepareLocalReply`: the
 * filter's headers first, `text/plain` only without a content-type; for a gRPC request a
 * trailers-only answer with `grpc-status`).
 */
import { HeaderMap } from "./header-map.ts";
import type { LocalReplySpec } from "./http.ts";
import { text } from "./memory.ts";

const EMPTY = new Uint8Array(0);
const HTTP_TO_GRPC: Record<number, number> = { 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14 };

/** What one side received: the upstream (request) or the client (response). */
export interface Received {
  headers: HeaderMap | null;
  chunks: Array<{ bytes: Uint8Array; endOfStream: boolean }>;
  trailers: HeaderMap | null;
  endOfStream: boolean;
  reset: boolean;
  readonly body: Uint8Array;
  readonly bodyText: string;
}

/** The getters live on the prototype: an object literal with accessors is slow to build, twice per stream. */
class ReceivedRecord implements Received {
  headers: HeaderMap | null = null;
  chunks: Array<{ bytes: Uint8Array; endOfStream: boolean }> = [];
  trailers: HeaderMap | null = null;
  endOfStream = false;
  reset = false;
  get body(): Uint8Array { return Buffer.concat(this.chunks.map((c) => c.bytes)); }
  get bodyText(): string { return text(this.body); }
}

export function received(): Received {
  return new ReceivedRecord();
}

export interface LocalResponse {
  status: number;
  headers: HeaderMap;
  body: Uint8Array;
  readonly bodyText: string;
  details: string;
  grpcStatus: number | null;
  /** Name of the plugin that sent it. */
  plugin: string;
}


export function localReplyMessage(r: LocalReplySpec, grpcRequest: boolean): { headers: HeaderMap; body: Uint8Array } {
  if (grpcRequest) {
    const headers = new HeaderMap([[":status", "200"], ["content-type", "application/grpc"], ["grpc-status", String(r.grpcStatus ?? HTTP_TO_GRPC[r.status] ?? 2)]]);
    if (r.body.length) headers.add("grpc-message", text(r.body));
    for (const [k, v] of r.headers) headers.add(k, v);
    return { headers, body: EMPTY };
  }
  const headers = new HeaderMap([[":status", String(r.status)], ...r.headers]);
  if (r.body.length) {
    headers.replace("content-length", String(r.body.length));
    if (!headers.has("content-type")) headers.add("content-type", "text/plain");
  }
  return { headers, body: r.body };
}
