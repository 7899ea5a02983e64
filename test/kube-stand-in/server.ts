/**
 * @module test/kube-stand-in/server
 * A Kubernetes API server stand-in over HTTP on 127.0.0.1, for driving the real
 * `@kubernetes/client-node` in tests where no cluster can run. REST paths, discovery
 * (`/api`, `/apis`, `/apis/<group>/<version>`), list with resourceVersion and label
 * selectors, watch (resume from a resourceVersion, bookmarks, 410 Gone once compacted,
 * server-side timeouts), and the writes in `store.ts`. A control API under `/__stand-in/`
 * lets tests inject failures, drop watch connections, compact history and read the
 * request log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { apiVersionOf, type ResourceDef } from "./resources.ts";
import { ApiError, Store, parseSelector, type WatchEvent } from "./store.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The API server encodes objects (Go maps) with sorted keys; clients must not depend on key order. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export interface Fault { method?: string; path: string; status: number; count: number; reason?: string }
export interface LoggedRequest { method: string; path: string; query: string; status: number; contentType?: string; fieldManager?: string; force?: boolean; watch?: boolean }

export interface StandInOptions { defs: ResourceDef[]; bookmarkMs?: number }

export class StandIn {
  readonly store: Store;
  private server?: Server;
  private faults: (Fault & { re: RegExp })[] = [];
  private readonly watches = new Set<ServerResponse>();
  readonly requests: LoggedRequest[] = [];
  private readonly bookmarkMs: number;

  constructor(private readonly options: StandInOptions) {
    this.store = new Store(options.defs);
    this.bookmarkMs = options.bookmarkMs ?? 1000;
  }

  async listen(port = 0): Promise<number> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.dropWatches();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  dropWatches(): void {
    for (const res of this.watches) res.destroy();
    this.watches.clear();
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(sortKeys(body));
    res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const log: LoggedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.search, status: 0 };
    const fieldManager = url.searchParams.get("fieldManager") ?? undefined;
    if (fieldManager) log.fieldManager = fieldManager;
    if (req.headers["content-type"]) log.contentType = String(req.headers["content-type"]);
    if (url.searchParams.get("force") === "true") log.force = true;
    res.on("finish", () => { log.status = res.statusCode; });
    if (!url.pathname.startsWith("/__stand-in/")) this.requests.push(log);
    try {
      if (url.pathname.startsWith("/__stand-in/")) return await this.control(req, res, url);
      const fault = this.faults.find((f) => f.count > 0 && (!f.method || f.method === req.method) && f.re.test(url.pathname + url.search));
      if (fault) {
        fault.count--;
        await this.body(req);
        throw new ApiError(fault.status, fault.reason ?? (fault.status === 409 ? "Conflict" : "InternalError"), `injected failure (${fault.status})`);
      }
      if (url.pathname === "/api") return this.send(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
      if (url.pathname === "/apis") return this.send(res, 200, this.groupList());
      if (url.pathname === "/version") return this.send(res, 200, { major: "1", minor: "33", gitVersion: "v1.33.0-tollgate-stand-in" });
      const route = this.route(url.pathname);
      if (!route) throw new ApiError(404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
      if ("discovery" in route) return this.send(res, 200, route.discovery);
      return await this.resource(req, res, url, route, log);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(500, "InternalError", err instanceof Error ? err.message : String(err));
      if (!res.headersSent) this.send(res, apiErr.code, apiErr.status());
      else res.destroy();
    }
  }

  private groupList(): Obj {
    const groups = new Map<string, Set<string>>();
    for (const d of this.options.defs) if (d.group) (groups.get(d.group) ?? groups.set(d.group, new Set()).get(d.group)!).add(d.version);
    return {
      kind: "APIGroupList", apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => {
        const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions: list, preferredVersion: list[0] };
      }),
    };
  }

  private resourceList(group: string, version: string): Obj | undefined {
    const defs = this.options.defs.filter((d) => d.group === group && d.version === version);
    if (!defs.length) return undefined;
    const verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];
    return {
      kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version,
      resources: defs.flatMap((d) => [
        { name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs },
        ...(d.status ? [{ name: `${d.plural}/status`, singularName: "", namespaced: d.namespaced, kind: d.kind, verbs: ["get", "patch", "update"] }] : []),
      ]),
    };
  }

  private route(path: string): { discovery: Obj } | { def: ResourceDef; ns?: string; name?: string; sub?: string } | undefined {
    const parts = path.split("/").filter(Boolean);
    let group = "";
    let version: string;
    let rest: string[];
    if (parts[0] === "api") [version, rest] = [parts[1], parts.slice(2)];
    else if (parts[0] === "apis") [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    else return undefined;
    if (!version) return undefined;
    if (!rest.length) {
      const list = this.resourceList(group, version);
      return list ? { discovery: list } : undefined;
    }
    let ns: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) [ns, rest] = [rest[1], rest.slice(2)];
    const def = this.options.defs.find((d) => d.group === group && d.version === version && d.plural === rest[0]);
    if (!def) return undefined;
    if (!def.namespaced && ns) return undefined;
    return { def, ns, name: rest[1], sub: rest[2] };
  }

  private async resource(req: IncomingMessage, res: ServerResponse, url: URL, r: { def: ResourceDef; ns?: string; name?: string; sub?: string }, log: LoggedRequest): Promise<void> {
    const { def, ns, name, sub } = r;
    if (sub && (sub !== "status" || !def.status)) throw new ApiError(404, "NotFound", `the server could not find the requested resource`);
    const subresource = sub === "status" ? "status" : "main";
    const manager = url.searchParams.get("fieldManager") ?? undefined;
    switch (req.method) {
      case "GET": {
        if (name) return this.send(res, 200, this.store.get(def, ns, name));
        if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
          log.watch = true;
          return this.watch(res, url, def, ns);
        }
        const { items, resourceVersion } = this.store.list(def, ns, url.searchParams.get("labelSelector") ?? undefined);
        return this.send(res, 200, { apiVersion: apiVersionOf(def), kind: `${def.kind}List`, metadata: { resourceVersion }, items });
      }
      case "POST": {
        if (name) throw new ApiError(405, "MethodNotAllowed", "POST to a named resource");
        const body = JSON.parse(await this.body(req));
        return this.send(res, 201, this.store.create(def, ns, body, manager));
      }
      case "PUT": {
        if (!name) throw new ApiError(405, "MethodNotAllowed", "PUT needs a name");
        const body = JSON.parse(await this.body(req));
        return this.send(res, 200, this.store.replace(def, ns, name, body, subresource, manager));
      }
      case "PATCH": {
        if (!name) throw new ApiError(405, "MethodNotAllowed", "PATCH needs a name");
        const text = await this.body(req);
        const contentType = String(req.headers["content-type"] ?? "");
        const body = contentType.startsWith("application/apply-patch+yaml") ? parseYaml(text) : JSON.parse(text);
        const force = url.searchParams.get("force") === "true";
        const existed = (() => { try { this.store.get(def, ns, name); return true; } catch { return false; } })();
        const out = this.store.patch(def, ns, name, contentType, body, subresource, manager, force);
        return this.send(res, existed ? 200 : 201, out);
      }
      case "DELETE": {
        if (!name) throw new ApiError(405, "MethodNotAllowed", "collection DELETE is not supported by the stand-in");
        await this.body(req);
        return this.send(res, 200, this.store.delete(def, ns, name));
      }
      default:
        throw new ApiError(405, "MethodNotAllowed", `${req.method} not allowed`);
    }
  }

  private watch(res: ServerResponse, url: URL, def: ResourceDef, ns: string | undefined): void {
    const rvParam = url.searchParams.get("resourceVersion");
    const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true";
    const selector = parseSelector(url.searchParams.get("labelSelector") ?? undefined);
    const timeoutSeconds = Number(url.searchParams.get("timeoutSeconds") ?? 0);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const write = (type: string, object: Obj) => res.write(JSON.stringify({ type, object: sortKeys(object) }) + "\n");
    const inScope = (e: WatchEvent) => e.def === def && (!ns || e.object.metadata.namespace === ns);
    // As the API server's watch cache does: an object leaving the label selector is DELETED for
    // this watcher, one entering it is ADDED.
    const translate = (e: WatchEvent): WatchEvent | undefined => {
      if (!inScope(e)) return undefined;
      const now = selector(e.object.metadata.labels ?? {});
      const before = e.previous ? selector(e.previous.metadata.labels ?? {}) : now;
      if (e.type === "MODIFIED" && before !== now) return { ...e, type: now ? "ADDED" : "DELETED" };
      return now ? e : undefined;
    };
    let initial: WatchEvent[];
    if (!rvParam || rvParam === "0") {
      initial = this.store.list(def, ns, url.searchParams.get("labelSelector") ?? undefined).items.map((o) => ({ type: "ADDED" as const, object: o, rv: Number(o.metadata.resourceVersion), def }));
    } else {
      try {
        initial = this.store.eventsSince(def, ns, Number(rvParam)).map(translate).filter((e): e is WatchEvent => !!e);
      } catch (err) {
        write("ERROR", (err as ApiError).status());
        res.end();
        return;
      }
    }
    this.watches.add(res);
    for (const e of initial) write(e.type, e.object);
    const unsubscribe = this.store.subscribe((e) => {
      const seen = translate(e);
      if (seen) write(seen.type, seen.object);
    });
    const bookmark = bookmarks ? setInterval(() => write("BOOKMARK", { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(this.store.resourceVersion) } }), this.bookmarkMs) : undefined;
    const timeout = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    const cleanup = () => {
      unsubscribe();
      if (bookmark) clearInterval(bookmark);
      if (timeout) clearTimeout(timeout);
      this.watches.delete(res);
    };
    res.on("close", cleanup);
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = req.method === "POST" ? JSON.parse((await this.body(req)) || "{}") : {};
    switch (url.pathname) {
      case "/__stand-in/faults":
        for (const f of (Array.isArray(body) ? body : [body]) as Fault[]) this.faults.push({ ...f, re: new RegExp(f.path) });
        return this.send(res, 200, { ok: true });
      case "/__stand-in/clear-faults":
        this.faults = [];
        return this.send(res, 200, { ok: true });
      case "/__stand-in/drop-watches":
        this.dropWatches();
        return this.send(res, 200, { ok: true });
      case "/__stand-in/compact":
        this.store.compact();
        return this.send(res, 200, { compactedThrough: this.store.compactedThrough });
      case "/__stand-in/requests":
        return this.send(res, 200, this.requests);
      case "/__stand-in/watches":
        return this.send(res, 200, { open: this.watches.size });
      default:
        return this.send(res, 404, { error: "unknown control path" });
    }
  }
}
