/**
 * @module harness/callouts
 * HTTP and gRPC callouts a plugin dispatched: what was asked, and how the answer reaches
 * the plugin's ROOT context (`proxy_on_http_call_response`, `proxy_on_grpc_*`) after the
 * current VM call returns. A test answers a pending callout (respond, fail, time out), a
 * cluster handler answers it, or the harness sends it for real (fetch / gRPC) to a URL.
 */
import * as grpc from "@grpc/grpc-js";
import { HeaderMap, type HeadersInit } from "./header-map.ts";
import { bytes } from "./memory.ts";
import type { RootContext } from "./root.ts";
import type { Vm } from "./vm.ts";
import type { Timer } from "./clock.ts";

export interface HttpReply { headers: HeadersInit; body?: string | Uint8Array; trailers?: HeadersInit }
export interface GrpcReply {
  initialMetadata?: HeadersInit;
  /** One message, or several for a gRPC stream. */
  message?: string | Uint8Array;
  messages?: Array<string | Uint8Array>;
  trailingMetadata?: HeadersInit;
  /** gRPC status code for `proxy_on_grpc_close` (default 0 OK). */
  status?: number;
  statusMessage?: string;
}
export type CalloutReply = HttpReply | GrpcReply;
/** Answers a callout: return a reply (or a promise of one), or nothing to leave it pending. */
export type CalloutHandler = (callout: Callout) => CalloutReply | Promise<CalloutReply | void> | void;
/** `true`: the cluster exists and the test answers by hand; a URL: dispatched for real. */
export type ClusterTarget = true | string | CalloutHandler;

export type CalloutState = "pending" | "answered" | "failed" | "timed-out" | "cancelled";

export class Callout {
  state: CalloutState = "pending";
  timer: Timer | null = null;
  /** Messages a gRPC stream sent with `proxy_grpc_send`, and whether it half-closed. */
  readonly sent: Uint8Array[] = [];
  sentEnd = false;
  /** The context whose callback dispatched it (a stream, or the root itself). */
  readonly fromContext: number;

  constructor(
    readonly kind: "http" | "grpc" | "grpc-stream",
    readonly id: number,
    readonly cluster: string,
    /** HTTP request headers, or gRPC initial metadata. */
    readonly headers: HeaderMap,
    readonly body: Uint8Array,
    readonly trailers: HeaderMap | null,
    readonly timeoutMs: number,
    readonly service: string,
    readonly method: string,
    readonly vm: Vm,
    readonly root: RootContext,
  ) {
    this.fromContext = vm.current?.id ?? root.id;
  }

  get worker(): number { return this.vm.services.worker; }
  get rootContextId(): number { return this.root.id; }
  get plugin(): string { return this.root.plugin.name; }
  get bodyText(): string { return new TextDecoder().decode(this.body); }

  private settle(state: CalloutState): boolean {
    if (this.state !== "pending") return false;
    this.state = state;
    this.timer?.cancel();
    this.root.callouts.delete(this.id);
    return true;
  }

  /**
   * Delivers a response: `proxy_on_http_call_response`, or the gRPC callbacks then `proxy_on_grpc_close`.
   * Called while the VM is busy (e.g. from a cluster handler), delivery waits until the call returns.
   */
  respond(reply: CalloutReply): void {
    if (this.state !== "pending") throw new Error(`callout ${this.id} is already ${this.state}`);
    this.vm.services.env.post(() => {
      this.settle("answered");
      if (this.kind === "http") {
        const r = reply as HttpReply;
        deliverHttp(this.vm, this.root, this.id, new HeaderMap(r.headers), bytes(r.body ?? ""), r.trailers ? new HeaderMap(r.trailers) : null);
      } else deliverGrpc(this.vm, this.root, this.id, reply as GrpcReply);
    });
  }

  /** The request failed (stream reset): `(R, id, 0, 0, 0)` with `proxy_get_status` 11 "reset"; gRPC: close UNAVAILABLE. */
  fail(message = "reset"): void {
    if (!this.settle("failed")) throw new Error(`callout ${this.id} is not pending`);
    this.vm.services.env.post(() => {
      if (this.kind === "http") {
        this.root.status = { code: 11, message };
        call(this.vm, this.root, "proxy_on_http_call_response", [this.root.id, this.id, 0, 0, 0]);
      } else deliverGrpc(this.vm, this.root, this.id, { status: 14, statusMessage: message });
    });
  }

  /** The timeout fired: Envoy's async client answers 504 "upstream request timeout"; gRPC closes DEADLINE_EXCEEDED. */
  timeOut(): void {
    if (!this.settle("timed-out")) return;
    this.vm.services.env.post(() => {
      if (this.kind === "http") {
        const body = bytes("upstream request timeout");
        deliverHttp(this.vm, this.root, this.id, new HeaderMap({ ":status": "504", "content-length": String(body.length), "content-type": "text/plain" }), body, null);
      } else deliverGrpc(this.vm, this.root, this.id, { status: 4, statusMessage: "upstream request timeout" });
    });
  }

  /** The plugin cancelled it (`proxy_grpc_cancel`, or its root went away): nothing is delivered. */
  cancel(): void { this.settle("cancelled"); }
}

function call(vm: Vm, root: RootContext, name: string, args: number[]): void {
  if (vm.failed || !root.created) return;
  vm.call(root, name, args).flush();
}

function deliverHttp(vm: Vm, root: RootContext, id: number, headers: HeaderMap, body: Uint8Array, trailers: HeaderMap | null): void {
  root.delivery = { headers, body, trailers: trailers ?? undefined };
  try {
    call(vm, root, "proxy_on_http_call_response", [root.id, id, headers.size, body.length, trailers?.size ?? 0]);
  } finally { root.delivery = null; }
}

function deliverGrpc(vm: Vm, root: RootContext, id: number, r: GrpcReply): void {
  const step = (delivery: RootContext["delivery"], name: string, args: number[]) => {
    root.delivery = delivery;
    try { call(vm, root, name, args); } finally { root.delivery = null; }
  };
  if (r.initialMetadata) {
    const m = new HeaderMap(r.initialMetadata);
    step({ grpcInitialMetadata: m }, "proxy_on_grpc_receive_initial_metadata", [root.id, id, m.size]);
  }
  for (const msg of [...(r.message !== undefined ? [r.message] : []), ...(r.messages ?? [])]) {
    const b = { bytes: bytes(msg) };
    step({ grpcMessage: b }, "proxy_on_grpc_receive", [root.id, id, b.bytes.length]);
  }
  if (r.trailingMetadata) {
    const m = new HeaderMap(r.trailingMetadata);
    step({ grpcTrailingMetadata: m }, "proxy_on_grpc_receive_trailing_metadata", [root.id, id, m.size]);
  }
  root.status = { code: r.status ?? 0, message: r.statusMessage ?? "" };
  step(null, "proxy_on_grpc_close", [root.id, id, r.status ?? 0]);
}

/** Starts whatever answers a new callout: a handler, a real request to a URL, or nobody (the test). */
export function dispatch(callout: Callout, target: ClusterTarget): void {
  const env = callout.vm.services.env;
  if (callout.timeoutMs > 0) callout.timer = env.clock.setTimer(callout.timeoutMs, () => env.run(() => callout.timeOut()));
  const answer = (reply: CalloutReply | void) => { if (reply && callout.state === "pending") env.run(() => callout.respond(reply)); };
  const failed = (e: unknown) => { if (callout.state === "pending") callout.fail(e instanceof Error ? e.message : "reset"); };
  if (target === true) return;
  if (typeof target === "function") {
    let result: ReturnType<CalloutHandler>;
    try { result = target(callout); } catch (e) { env.post(() => failed(e)); return; }
    if (result instanceof Promise) env.track(result.then(answer, failed));
    else if (result) env.post(() => answer(result as CalloutReply));
    return;
  }
  env.track((callout.kind === "http" ? fetchHttp(callout, target) : callGrpc(callout, target)).then(answer, failed));
}

async function fetchHttp(c: Callout, base: string): Promise<HttpReply> {
  const url = new URL(c.headers.get(":path") ?? "/", base);
  const headers = c.headers.pairs().filter(([k]) => !k.startsWith(":") && k !== "content-length");
  const method = c.headers.get(":method") ?? "GET";
  const res = await fetch(url, { method, headers, body: c.body.length && method !== "GET" && method !== "HEAD" ? Buffer.from(c.body) : undefined });
  const out: Array<[string, string]> = [[":status", String(res.status)]];
  res.headers.forEach((v, k) => out.push([k, v]));
  return { headers: out, body: new Uint8Array(await res.arrayBuffer()) };
}

function callGrpc(c: Callout, address: string): Promise<GrpcReply> {
  const client = new grpc.Client(address.replace(/^grpc:\/\//, ""), grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [k, v] of c.headers.pairs()) if (!k.startsWith(":")) md.add(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(`/${c.service}/${c.method}`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(c.body), md,
      c.timeoutMs > 0 ? { deadline: Date.now() + c.timeoutMs } : {},
      (err, value) => {
        client.close();
        if (err) resolve({ status: err.code, statusMessage: err.details });
        else resolve({ message: new Uint8Array(value!), status: 0 });
      });
  });
}
