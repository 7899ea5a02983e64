/**
 * @module test/bench-modules/floor-script
 * Turns one traced exchange of a filter into the script the host-call floor module
 * (`floor.ts`) replays: per callback, the same host calls with the same sizes, in order. The
 * trace holds pointers and lengths only, so what a call names is recovered from what the exchange
 * left behind: headers a filter removed or added (sent vs forwarded maps), properties it set (the
 * stream's filter state), shared-data keys through their CAS values (the store's counter is
 * global, so a set made with cas `c` wrote the key that `c` was last given to). What cannot be
 * recovered (a header only read, a property path not among the usual ones) gets a placeholder of the
 * same length, and is listed.
 *
 * `hostCallProfile` is the comparison: one line per callback with each call's kind, sizes and
 * status; a floor that follows its filter has the same profile.
 */
import type { HttpStream } from "../../harness/index.ts";
import type { TraceEntry } from "../../harness/vm.ts";

/** Callback export → the script's name for it. */
const CALLBACKS: Record<string, string> = {
  proxy_on_context_create: "context_create",
  proxy_on_request_headers: "request_headers",
  proxy_on_request_body: "request_body",
  proxy_on_request_trailers: "request_trailers",
  proxy_on_response_headers: "response_headers",
  proxy_on_response_body: "response_body",
  proxy_on_response_trailers: "response_trailers",
  proxy_on_log: "log",
  proxy_on_done: "done",
  proxy_on_delete: "delete",
};

/**
 * What identifies a call apart from its pointers: the arguments that are kinds, offsets or
 * lengths, by position. A host call not listed here has no replay in the floor module.
 */
const SIZE_ARGS: Record<string, number[]> = {
  "env.proxy_get_header_map_pairs": [0],
  "env.proxy_get_header_map_value": [0, 2],
  "env.proxy_add_header_map_value": [0, 2, 4],
  "env.proxy_replace_header_map_value": [0, 2, 4],
  "env.proxy_remove_header_map_value": [0, 2],
  "env.proxy_get_buffer_bytes": [0, 1, 2],
  "env.proxy_get_buffer_status": [0],
  "env.proxy_set_buffer_bytes": [0, 1, 2, 4],
  "env.proxy_get_current_time_nanoseconds": [],
  "env.proxy_get_shared_data": [1],
  "env.proxy_set_shared_data": [1, 3],
  "env.proxy_get_property": [1],
  "env.proxy_set_property": [1, 3],
  "env.proxy_increment_metric": [1],
  "env.proxy_record_metric": [1],
  "env.proxy_get_metric": [],
  "env.proxy_log": [0, 2],
  "env.proxy_get_log_level": [],
};

/**
 * Properties a filter typically reads, most likely first: a path read is taken to be the first
 * of these (or of the properties set in the exchange) of its length — a guess the floor's trace
 * check confirms or refutes (a wrong guess usually changes the call's status).
 */
const READ_PATHS = [
  "xds.route_name", "xds.cluster_name", "request.path", "request.method", "request.host", "request.id",
  "source.address", "destination.address", "connection.id", "plugin_root_id", "plugin_name", "response.code",
];

export interface CallbackCalls { callback: string; result: number; calls: TraceEntry[] }

/** The stream's trace cut at each callback: the host calls each one made, in order. */
export function callsByCallback(trace: TraceEntry[]): CallbackCalls[] {
  const out: CallbackCalls[] = [];
  for (const e of trace) {
    if (e.kind === "callback") {
      const callback = CALLBACKS[e.name];
      if (callback === undefined) throw new Error(`floor: no replay for callback ${e.name}`);
      out.push({ callback, result: e.result ?? 0, calls: [] });
    } else {
      if (out.length === 0) throw new Error(`floor: host call ${e.name} before any callback`);
      out[out.length - 1].calls.push(e);
    }
  }
  return out;
}

const num = (v: number | bigint | undefined) => Number(v ?? 0);
const u32 = (v: number | bigint | undefined) => num(v) >>> 0;

/** One line per callback: `request_body=0: get_buffer_bytes(0,0,4294967295)→0 …`, for comparing two traces. */
export function hostCallProfile(trace: TraceEntry[]): string[] {
  return callsByCallback(trace).map(({ callback, result, calls }) => `${callback}=${result}: ` + calls.map((c) => {
    const sizes = (SIZE_ARGS[c.name] ?? []).map((i) => String(c.name === "env.proxy_increment_metric" || c.name === "env.proxy_record_metric" ? c.args[i] : u32(c.args[i])));
    // Whether a shared-data set is a compare-and-swap (cas ≠ 0) matters; its value does not.
    if (c.name === "env.proxy_set_shared_data") sizes.push(num(c.args[4]) !== 0 ? "cas" : "any");
    return `${c.name.replace("env.proxy_", "")}(${sizes.join(",")})→${c.result}`;
  }).join(" "));
}

/** A header map as sent into the filter, and as it came out. */
export interface HeaderPass { sent: Array<[string, string]>; forwarded: Array<[string, string]> }

/** One traced exchange of the filter the floor is to follow. */
export interface TracedExchange {
  trace: TraceEntry[];
  /** Shared data (key → cas) just before the exchange. */
  sharedBefore: Map<string, { cas: number }>;
  /** By header map type: 0 request headers, 2 response headers (1 and 3 trailers). */
  headers: Map<number, HeaderPass>;
  /** Properties the filter set (`proxy_set_property`), path → value. */
  filterState: Map<string, Uint8Array>;
}

/** Runs `drive` (one exchange through `host`'s filter) and gathers what `floorScript` needs. */
export function traceExchange(sharedData: () => Map<string, { cas: number }>, sent: { request: Record<string, string>; response: Record<string, string> }, drive: () => HttpStream): TracedExchange {
  const sharedBefore = new Map([...sharedData()].map(([k, v]) => [k, { cas: v.cas }]));
  const s = drive();
  const pairs = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
  return {
    trace: s.trace(),
    sharedBefore,
    headers: new Map([
      [0, { sent: pairs(sent.request), forwarded: s.upstream.headers?.pairs() ?? [] }],
      [2, { sent: pairs(sent.response), forwarded: s.client.headers?.pairs() ?? [] }],
    ]),
    filterState: new Map(s.filterState),
  };
}

export interface FloorScript {
  /** The floor module's plugin configuration. */
  text: string;
  /** Host calls per exchange, and callbacks per exchange. */
  calls: number;
  callbacks: number;
  /** Calls named by a placeholder (nothing in the exchange said what the filter named). */
  placeholders: string[];
}

const hex = (s: string | Uint8Array) => Buffer.from(s).toString("hex");
const byteLength = (s: string) => Buffer.byteLength(s);
/** A name of exactly `n` bytes that no filter uses. */
const placeholder = (stem: string, n: number) => (stem + "x".repeat(n)).slice(0, n);

/** The floor module's script for one exchange (see `floor.ts` for the format). */
export function floorScript(x: TracedExchange): FloorScript {
  const cbs = callsByCallback(x.trace);
  const placeholders: string[] = [];
  const keys: string[] = [];
  const keyIndex = (k: string) => { let i = keys.indexOf(k); if (i < 0) { i = keys.length; keys.push(k); } return i; };
  const metrics: number[] = [];
  const metricIndex = (id: number) => { let i = metrics.indexOf(id); if (i < 0) { i = metrics.length; metrics.push(id); } return i; };

  // Shared-data keys. Sets first, in trace order, following the CAS chain; then each get takes
  // the key of the first set after it in its callback with the same key length.
  const casToKey = new Map<number, string>();
  let counter = 0;
  for (const [k, v] of x.sharedBefore) { casToKey.set(v.cas, k); counter = Math.max(counter, v.cas); }
  const setKey = new Map<TraceEntry, string>();
  let fresh = 0;
  for (const { calls } of cbs) for (const c of calls) {
    if (c.name !== "env.proxy_set_shared_data") continue;
    const kl = u32(c.args[1]), cas = u32(c.args[4]);
    let key = cas !== 0 ? casToKey.get(cas) : undefined;
    if (key === undefined || byteLength(key) !== kl) {
      key = placeholder(`floor-key-${fresh++}-`, kl);
      placeholders.push(`set_shared_data key of ${kl} bytes`);
    }
    setKey.set(c, key);
    if (c.result === 0) casToKey.set((counter = (counter + 1) >>> 0 || 1), key);
  }
  const getKey = new Map<TraceEntry, string>();
  for (const { calls } of cbs) {
    const claimed = new Set<TraceEntry>();
    calls.forEach((c, i) => {
      if (c.name !== "env.proxy_get_shared_data") return;
      const kl = u32(c.args[1]);
      const set = calls.slice(i + 1).find((d) => d.name === "env.proxy_set_shared_data" && !claimed.has(d) && u32(d.args[1]) === kl);
      let key: string | undefined;
      if (set) { claimed.add(set); key = setKey.get(set); }
      else {
        const known = [...x.sharedBefore.keys()].filter((k) => byteLength(k) === kl);
        key = known.length === 1 ? known[0] : undefined;
      }
      if (key === undefined) { key = placeholder(`floor-key-${fresh++}-`, kl); placeholders.push(`get_shared_data key of ${kl} bytes`); }
      getKey.set(c, key);
    });
  }

  // Headers removed or added, and properties set: taken in order from what the exchange shows.
  const removed = new Map<number, string[]>(), added = new Map<number, Array<[string, string]>>();
  for (const [map, { sent, forwarded }] of x.headers) {
    const out = new Set(forwarded.map(([k]) => k));
    removed.set(map, sent.map(([k]) => k).filter((k) => !out.has(k)));
    const had = new Set(sent.map(([k, v]) => `${k}\n${v}`));
    added.set(map, forwarded.filter(([k, v]) => !had.has(`${k}\n${v}`)));
  }
  const take = <T>(list: T[] | undefined, match: (t: T) => boolean): T | undefined => {
    const i = list ? list.findIndex(match) : -1;
    return i < 0 ? undefined : list!.splice(i, 1)[0];
  };
  const sentName = (map: number, kl: number) => x.headers.get(map)?.sent.find(([k]) => byteLength(k) === kl)?.[0];
  const properties = [...x.filterState].map(([p, v]) => [p, v] as [string, Uint8Array]);

  const op = (c: TraceEntry): string => {
    const a = c.args;
    switch (c.name) {
      case "env.proxy_get_header_map_pairs": return `pairs ${u32(a[0])}`;
      case "env.proxy_get_header_map_value": {
        const kl = u32(a[2]);
        let k = sentName(u32(a[0]), kl);
        if (k === undefined) { k = placeholder("x-floor-", kl); placeholders.push(`get_header_map_value key of ${kl} bytes`); }
        return `header_get ${u32(a[0])} ${hex(k)}`;
      }
      case "env.proxy_add_header_map_value":
      case "env.proxy_replace_header_map_value": {
        const map = u32(a[0]), kl = u32(a[2]), vl = u32(a[4]);
        let kv = take(added.get(map), ([k, v]) => byteLength(k) === kl && byteLength(v) === vl);
        if (!kv) { kv = [placeholder("x-floor-", kl), "v".repeat(vl)]; placeholders.push(`${c.name} header of ${kl} bytes`); }
        return `${c.name === "env.proxy_add_header_map_value" ? "header_add" : "header_replace"} ${map} ${hex(kv[0])} ${hex(kv[1])}`;
      }
      case "env.proxy_remove_header_map_value": {
        const map = u32(a[0]), kl = u32(a[2]);
        let k = take(removed.get(map), (k) => byteLength(k) === kl) ?? sentName(map, kl);
        if (k === undefined) { k = placeholder("x-floor-", kl); placeholders.push(`remove_header_map_value key of ${kl} bytes`); }
        return `header_remove ${map} ${hex(k)}`;
      }
      case "env.proxy_get_buffer_bytes": return `buffer_get ${u32(a[0])} ${u32(a[1])} ${u32(a[2])}`;
      case "env.proxy_get_buffer_status": return `buffer_status ${u32(a[0])}`;
      case "env.proxy_set_buffer_bytes": return `buffer_set ${u32(a[0])} ${u32(a[1])} ${u32(a[2])} ${u32(a[4])}`;
      case "env.proxy_get_current_time_nanoseconds": return "time";
      case "env.proxy_get_shared_data": return `shared_get ${keyIndex(getKey.get(c)!)}`;
      case "env.proxy_set_shared_data": return `shared_set ${keyIndex(setKey.get(c)!)} ${u32(a[3])} ${u32(a[4]) !== 0 ? 1 : 0}`;
      case "env.proxy_get_property": {
        const pl = u32(a[1]);
        let path = READ_PATHS.map((p) => p.split(".").join("\0")).concat([...x.filterState.keys()]).find((p) => byteLength(p) === pl);
        if (path === undefined) { path = placeholder("floor.", pl); placeholders.push(`get_property path of ${pl} bytes`); }
        return `property_get ${hex(path)}`;
      }
      case "env.proxy_set_property": {
        const pl = u32(a[1]), vl = u32(a[3]);
        let pv = take(properties, ([p, v]) => byteLength(p) === pl && v.length === vl);
        if (!pv) { pv = [placeholder("floor.", pl), Buffer.alloc(vl, 0x78)]; placeholders.push(`set_property path of ${pl} bytes`); }
        return `property_set ${hex(pv[0])} ${hex(pv[1])}`;
      }
      case "env.proxy_increment_metric": return `metric_inc ${metricIndex(u32(a[0]))} ${BigInt(a[1])}`;
      case "env.proxy_record_metric": return `metric_record ${metricIndex(u32(a[0]))} ${BigInt(a[1])}`;
      case "env.proxy_get_metric": return `metric_get ${metricIndex(u32(a[0]))}`;
      case "env.proxy_log": return `log ${u32(a[0])} ${u32(a[2])}`;
      case "env.proxy_get_log_level": return "log_level";
      default: throw new Error(`floor: no replay for host call ${c.name}`);
    }
  };

  // Consecutive callbacks that make the same calls (the chunks of a stream) become one entry.
  const entries: Array<{ head: string; body: string[]; repeat: number }> = [];
  let calls = 0;
  for (const cb of cbs) {
    calls += cb.calls.length;
    const head = `${cb.callback} ${cb.result}`;
    const body = cb.calls.map(op);
    const last = entries[entries.length - 1];
    if (last && last.head === head && last.body.join("\n") === body.join("\n")) last.repeat++;
    else entries.push({ head, body, repeat: 1 });
  }
  const lines = [
    ...keys.map((k) => `key ${hex(k)}`),
    ...metrics.map((id) => `metric ${id & 3}`),
    ...entries.flatMap((e) => {
      const [callback, result] = e.head.split(" ");
      return [`cb ${callback} ${e.repeat} ${result}`, ...e.body];
    }),
  ];
  return { text: lines.join("\n") + "\n", calls, callbacks: cbs.length, placeholders };
}
