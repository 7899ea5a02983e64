/**
 * @module test/rls/client
 * Calls `ShouldRateLimit` the way Envoy's gRPC client would: raw message bytes in, raw bytes or
 * a gRPC status out, with a deadline. Tests use the raw form to send what the wasm encoder
 * produced and hand the answer back to the wasm decoder.
 */
import * as grpc from "@grpc/grpc-js";
import { decodeResponse, encodeRequest, type RateLimitRequest, type RateLimitResponse } from "./proto/rls.ts";
import { RLS_PATH } from "./service.ts";

export type CallResult = { ok: true; bytes: Uint8Array } | { ok: false; code: number; details: string };

const identity = (b: Buffer) => b;

/** A client for one service address; close it when done. */
export class RateLimitClient {
  private client: grpc.Client;

  constructor(address: string) {
    // A private subchannel pool: grpc-js otherwise shares connections (and their reconnect
    // backoff) between clients of the same address, so a fresh client would inherit the state
    // of one that saw the service down.
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  }

  callRaw(message: Uint8Array, deadlineMs = 5000): Promise<CallResult> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(RLS_PATH, identity, identity, Buffer.from(message), { deadline: Date.now() + deadlineMs }, (err, value) => {
        if (err) resolve({ ok: false, code: err.code, details: err.details });
        else resolve({ ok: true, bytes: new Uint8Array(value!) });
      });
    });
  }

  async call(req: RateLimitRequest, deadlineMs = 5000): Promise<RateLimitResponse | { code: number; details: string }> {
    const r = await this.callRaw(encodeRequest(req), deadlineMs);
    return r.ok ? decodeResponse(r.bytes) : { code: r.code, details: r.details };
  }

  close(): void {
    this.client.close();
  }
}
