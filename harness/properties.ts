/**
 * @module harness/properties
 * `proxy_get_property` as Envoy answers it: path segments (§6.2), the CEL vocabulary built
 * from the stream (request.* only while the filter holds the request headers or from the
 * access-log copy), plugin_* names, filter state set by `proxy_set_property`, and static
 * properties from the options; values encoded as Envoy's `serializeValue` does (§6.3).
 */
import { Status, type StatusCode } from "./abi.ts";
import { HeaderMap } from "./header-map.ts";
import { bytes, encodePairs, text } from "./memory.ts";
import type { Context } from "./vm.ts";

/** A value with an explicit CEL type, for numbers whose encoding plain JS cannot tell. */
export class TypedValue {
  constructor(readonly type: "int" | "uint" | "double" | "duration" | "timestamp", readonly value: number | bigint) {}
}
export type PropertyValue = string | Uint8Array | number | bigint | boolean | Date | TypedValue | PropertyTree | PropertyValue[] | null;
export interface PropertyTree { [segment: string]: PropertyValue }

/** Helpers to state a property's CEL type: `prop.uint(3)`, `prop.durationMs(250)`. */
export const prop = {
  int: (n: number | bigint) => new TypedValue("int", n),
  uint: (n: number | bigint) => new TypedValue("uint", n),
  double: (n: number) => new TypedValue("double", n),
  durationMs: (ms: number) => new TypedValue("duration", BigInt(Math.round(ms * 1e6))),
  timestamp: (d: Date | number) => new TypedValue("timestamp", BigInt(Math.round((typeof d === "number" ? d : d.getTime()) * 1e6))),
};

const isTree = (v: unknown): v is PropertyTree =>
  typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !(v instanceof Date) && !(v instanceof TypedValue) && !Array.isArray(v);

/** Options accept `{"xds.route_name": "r"}` or nested trees; dotted top-level keys become segments. */
export function normalizeProperties(input: PropertyTree = {}): PropertyTree {
  const out: PropertyTree = {};
  for (const [key, value] of Object.entries(input)) setPath(out, key.split("."), isTree(value) ? normalizeProperties(value) : value);
  return out;
}

function setPath(tree: PropertyTree, path: string[], value: PropertyValue): void {
  let t = tree;
  for (const seg of path.slice(0, -1)) {
    if (!isTree(t[seg])) t[seg] = {};
    t = t[seg] as PropertyTree;
  }
  const last = path[path.length - 1];
  t[last] = isTree(value) && isTree(t[last]) ? merge(t[last] as PropertyTree, value) : value;
}

/** Whether a tree has any entry (merging an empty one only copied the other, once per property read). */
function hasEntries(t: PropertyTree): boolean {
  for (const _ in t) return true;
  return false;
}

export function merge(a: PropertyTree, b: PropertyTree): PropertyTree {
  const out: PropertyTree = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isTree(v) && isTree(out[k]) ? merge(out[k] as PropertyTree, v) : v;
  return out;
}

function i64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, n), true);
  return out;
}

/** Envoy `serializeValue`; null means SERIALIZATION_FAILURE. */
export function serializeValue(v: PropertyValue | undefined): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return bytes(v);
  if (v instanceof Uint8Array) return v;
  if (typeof v === "boolean") return new Uint8Array([v ? 1 : 0]);
  if (typeof v === "bigint") return i64(v);
  if (typeof v === "number") {
    if (Number.isInteger(v)) return i64(BigInt(v));
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, v, true);
    return out;
  }
  if (v instanceof Date) return i64(BigInt(v.getTime()) * 1_000_000n);
  if (v instanceof TypedValue) {
    if (v.type === "double") { const out = new Uint8Array(8); new DataView(out.buffer).setFloat64(0, Number(v.value), true); return out; }
    return i64(BigInt(v.value));
  }
  if (Array.isArray(v)) {
    const items = v.map(serializeValue);
    if (items.some((x) => x === null)) return null;
    return items.length ? encodePairs(items.map((k) => [k!, ""] as const)) : new Uint8Array(4);
  }
  const entries = Object.entries(v).map(([k, x]) => [k, serializeValue(x)] as const);
  if (entries.some(([, x]) => x === null)) return null;
  return entries.length ? encodePairs(entries as Array<[string, Uint8Array]>) : new Uint8Array(4);
}

const headersTree = (h: HeaderMap | null): PropertyTree | undefined => (h ? h.toObject() : undefined);

function requestTree(h: HeaderMap | null, ctx: Extract<Context, { kind: "stream" }>): PropertyTree {
  const info = ctx.hooks.info;
  const t: PropertyTree = { time: new Date(info.startTimeMs), protocol: info.protocol };
  if (ctx.logPhase) {
    t.size = info.requestBodyBytes;
    if (info.durationMs !== undefined) t.duration = prop.durationMs(info.durationMs);
  }
  if (!h) return t;
  const path = h.get(":path");
  const q = path?.indexOf("?") ?? -1;
  const add = (k: string, v: PropertyValue | undefined) => { if (v !== undefined) t[k] = v; };
  add("path", path);
  add("url_path", path === undefined ? undefined : q >= 0 ? path.slice(0, q) : path);
  add("query", path === undefined ? undefined : q >= 0 ? path.slice(q + 1) : "");
  add("host", h.get(":authority") ?? h.get("host"));
  add("scheme", h.get(":scheme"));
  add("method", h.get(":method"));
  add("referer", h.get("referer"));
  add("useragent", h.get("user-agent"));
  add("id", h.get("x-request-id"));
  t.headers = headersTree(h)!;
  t.headers_bytes = h.byteSize();
  return t;
}

function responseTree(ctx: Extract<Context, { kind: "stream" }>): PropertyTree {
  const info = ctx.hooks.info;
  const t: PropertyTree = {};
  if (info.responseCode !== undefined) t.code = info.responseCode;
  if (info.responseCodeDetails !== undefined) t.code_details = info.responseCodeDetails;
  if (info.grpcStatus !== undefined) t.grpc_status = info.grpcStatus;
  const headers = ctx.logPhase ? ctx.logResponseHeaders : ctx.responseHeaders;
  const trailers = ctx.logPhase ? ctx.logResponseTrailers : ctx.responseTrailers;
  if (headers) { t.headers = headersTree(headers)!; t.headers_bytes = headers.byteSize(); }
  if (trailers) t.trailers = headersTree(trailers)!;
  if (ctx.logPhase) t.size = info.responseBodyBytes;
  return t;
}

const STREAM_ONLY = new Set(["request", "response", "connection", "source", "destination", "upstream", "connection_id"]);

function lookup(root: PropertyValue | undefined, rest: string[]): PropertyValue | undefined {
  let v = root;
  for (const seg of rest) {
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(seg)) return undefined;
      v = v[Number(seg)];
    } else if (isTree(v)) v = Object.prototype.hasOwnProperty.call(v, seg) ? v[seg] : undefined;
    else return undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** Resolves `path` (raw bytes, NUL-separated) for `ctx`, returning the serialized value or a status. */
export function getProperty(ctx: Context, staticProps: PropertyTree, vmId: string, path: Uint8Array): Uint8Array | StatusCode {
  let raw = path;
  if (raw.length > 0 && raw[raw.length - 1] === 0) raw = raw.subarray(0, raw.length - 1);
  if (raw.length === 0) return Status.SERIALIZATION_FAILURE;
  const segments = text(raw).split("\0");
  const [head, ...rest] = segments;
  const stream = ctx.kind === "stream" ? ctx : null;
  // HTTP streams and TCP connections both have a connection's stream info; only HTTP has request/response.
  const conn = ctx.kind === "root" ? null : ctx;
  const plugin = ctx.kind === "root" ? ctx.plugin : ctx.root.plugin;
  if (STREAM_ONLY.has(head) && !conn) return Status.NOT_FOUND;
  if ((head === "request" || head === "response") && !stream) return Status.NOT_FOUND;
  const props = conn && hasEntries(conn.hooks.properties) ? merge(staticProps, conn.hooks.properties) : staticProps;

  let base: PropertyValue | undefined;
  if (stream && head === "request") base = merge(requestTree(stream.logPhase ? stream.logRequestHeaders : stream.requestHeaders, stream), (props.request as PropertyTree) ?? {});
  else if (stream && head === "response") base = merge(responseTree(stream), (props.response as PropertyTree) ?? {});
  else if (conn && head === "connection") base = merge({ id: prop.uint(conn.hooks.info.connectionId), mtls: false }, (props.connection as PropertyTree) ?? {});
  else if (conn && head === "connection_id") base = prop.uint(conn.hooks.info.connectionId);
  else if (head === "plugin_name") base = plugin.name;
  else if (head === "plugin_root_id") base = plugin.rootId;
  else if (head === "plugin_vm_id") base = vmId;
  else if (head in props) base = props[head];

  if (base !== undefined) {
    const v = lookup(base, rest);
    if (v === undefined) return Status.NOT_FOUND;
    return serializeValue(v) ?? Status.SERIALIZATION_FAILURE;
  }
  if (conn) {
    const state = conn.hooks.filterState.get(text(raw));
    if (state) return state;
  }
  return Status.NOT_FOUND;
}
