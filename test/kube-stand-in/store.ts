/**
 * @module test/kube-stand-in/store
 * The stand-in's object store, faithful to the API conventions the controller relies on:
 * one cluster-wide resourceVersion counter, uid / generation / creationTimestamp set by the
 * server, optimistic concurrency (409 Conflict on a stale resourceVersion), 409 AlreadyExists,
 * the status subresource (status ignored on the main resource, only status through /status),
 * server-side apply with field managers, merge and JSON patches, owner-reference garbage
 * collection, and a bounded event history that watches resume from (older → 410 Gone).
 */
import { randomUUID } from "node:crypto";
import { apply, fieldsV1, recordUpdate, type Ownership } from "./fields.ts";
import { apiVersionOf, type ResourceDef } from "./resources.ts";
import { schemaProblems } from "./schemas.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: Obj) {
    super(message);
  }
  status(): Obj {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface WatchEvent { type: "ADDED" | "MODIFIED" | "DELETED"; object: Obj; rv: number; def: ResourceDef; previous?: Obj }

interface Entry { obj: Obj; main: Ownership; status: Ownership }

const HISTORY = 1000;

export class Store {
  private rv = 100;
  private readonly objects = new Map<string, Entry>();
  private history: WatchEvent[] = [];
  /** Events at or below this resourceVersion have been compacted away. */
  compactedThrough = 100;
  private readonly listeners = new Set<(e: WatchEvent) => void>();

  constructor(readonly defs: ResourceDef[]) {}

  get resourceVersion(): number {
    return this.rv;
  }

  private key(def: ResourceDef, ns: string | undefined, name: string): string {
    return `${def.group}/${def.plural}/${ns ?? ""}/${name}`;
  }

  subscribe(fn: (e: WatchEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events after `rv` for `def` (and namespace), or 410 when they have been compacted. */
  eventsSince(def: ResourceDef, ns: string | undefined, rv: number): WatchEvent[] {
    if (rv < this.compactedThrough) throw new ApiError(410, "Expired", `too old resource version: ${rv} (${this.compactedThrough})`);
    return this.history.filter((e) => e.def === def && e.rv > rv && (!ns || e.object.metadata.namespace === ns));
  }

  compact(): void {
    this.compactedThrough = this.rv;
    this.history = [];
  }

  private emit(type: WatchEvent["type"], def: ResourceDef, obj: Obj, previous?: Obj): void {
    const event: WatchEvent = { type, def, object: structuredClone(obj), rv: Number(obj.metadata.resourceVersion), ...(previous ? { previous } : {}) };
    this.history.push(event);
    if (this.history.length > HISTORY) {
      const dropped = this.history.shift()!;
      this.compactedThrough = dropped.rv;
    }
    for (const fn of this.listeners) fn(event);
  }

  private now(): string {
    return new Date().toISOString().replace(/\.\d+Z$/, "Z");
  }

  /** The object as served: managedFields rendered from ownership. */
  private view(entry: Entry): Obj {
    const obj = structuredClone(entry.obj);
    const managed: Obj[] = [];
    for (const [sub, owners] of [["", entry.main], ["status", entry.status]] as const) {
      for (const [manager, o] of owners) {
        if (!o.paths.size) continue;
        managed.push({ manager, operation: o.operation, apiVersion: obj.apiVersion, time: o.time, fieldsType: "FieldsV1", fieldsV1: fieldsV1(o.paths.values()), ...(sub ? { subresource: sub } : {}) });
      }
    }
    if (managed.length) obj.metadata.managedFields = managed;
    return obj;
  }

  list(def: ResourceDef, ns: string | undefined, labelSelector: string | undefined): { items: Obj[]; resourceVersion: string } {
    const match = parseSelector(labelSelector);
    const items = [...this.objects.values()]
      .filter((e) => e.obj.apiVersion === apiVersionOf(def) && e.obj.kind === def.kind && (!ns || e.obj.metadata.namespace === ns) && match(e.obj.metadata.labels ?? {}))
      .sort((a, b) => Number(a.obj.metadata.resourceVersion) - Number(b.obj.metadata.resourceVersion))
      .map((e) => this.view(e));
    return { items, resourceVersion: String(this.rv) };
  }

  get(def: ResourceDef, ns: string | undefined, name: string): Obj {
    const entry = this.objects.get(this.key(def, ns, name));
    if (!entry) throw notFound(def, name);
    return this.view(entry);
  }

  private stamp(def: ResourceDef, obj: Obj, ns: string | undefined, name: string): void {
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    obj.metadata = { ...(obj.metadata ?? {}), name };
    if (def.namespaced) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    delete obj.metadata.managedFields;
  }

  create(def: ResourceDef, ns: string | undefined, body: Obj, manager = "unknown"): Obj {
    const name = body?.metadata?.name;
    if (!name) throw new ApiError(422, "Invalid", `${def.kind} is invalid: metadata.name: Required value`);
    if (def.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
      throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }
    const key = this.key(def, ns, name);
    if (this.objects.has(key)) throw new ApiError(409, "AlreadyExists", `${def.plural}.${def.group || "core"} "${name}" already exists`, { name, kind: def.plural });
    const obj = structuredClone(body);
    this.stamp(def, obj, ns, name);
    if (def.status) delete obj.status;
    this.validate(def, obj);
    Object.assign(obj.metadata, { uid: randomUUID(), resourceVersion: String(++this.rv), generation: 1, creationTimestamp: this.now() });
    const entry: Entry = { obj, main: new Map(), status: new Map() };
    recordUpdate({}, obj, manager, entry.main, "main", this.now());
    this.objects.set(key, entry);
    this.emit("ADDED", def, this.view(entry));
    return this.view(entry);
  }

  /**
   * Writes `next` as the new object (main resource or status), with the bookkeeping every
   * write shares: resourceVersion precondition, status/main separation, generation.
   */
  private write(def: ResourceDef, entry: Entry, next: Obj, subresource: "main" | "status", precondition?: string): Obj {
    const current = entry.obj;
    if (precondition && precondition !== current.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${def.plural}.${def.group || "core"} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const merged = structuredClone(next);
    this.stamp(def, merged, current.metadata.namespace, current.metadata.name);
    for (const k of ["uid", "creationTimestamp", "generation", "resourceVersion"]) merged.metadata[k] = current.metadata[k];
    if (def.status) {
      if (subresource === "status") {
        const status = merged.status;
        Object.assign(merged, structuredClone(current));
        merged.status = status;
        if (status === undefined) delete merged.status;
      } else if (current.status !== undefined) merged.status = structuredClone(current.status);
      else delete merged.status;
    }
    this.validate(def, merged);
    const unchanged = JSON.stringify(merged) === JSON.stringify(current);
    if (unchanged) return this.view(entry);
    const specOf = (o: Obj) => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== "metadata" && k !== "status")));
    if (specOf(merged) !== specOf(current)) merged.metadata.generation = (current.metadata.generation ?? 1) + 1;
    merged.metadata.resourceVersion = String(++this.rv);
    const previous = this.view(entry);
    entry.obj = merged;
    this.emit("MODIFIED", def, this.view(entry), previous);
    return this.view(entry);
  }

  /** 422 Invalid, as the API server answers a write that breaks the CRD's schema. */
  private validate(def: ResourceDef, obj: Obj): void {
    const problems = schemaProblems(obj);
    if (problems.length) {
      throw new ApiError(422, "Invalid", `${def.kind}.${def.group || "core"} "${obj.metadata?.name}" is invalid: ${problems.join(", ")}`,
        { name: obj.metadata?.name, kind: def.kind, causes: problems.map((p) => ({ reason: "FieldValueInvalid", message: p })) });
    }
  }

  private entry(def: ResourceDef, ns: string | undefined, name: string): Entry {
    const entry = this.objects.get(this.key(def, ns, name));
    if (!entry) throw notFound(def, name);
    return entry;
  }

  replace(def: ResourceDef, ns: string | undefined, name: string, body: Obj, subresource: "main" | "status", manager = "unknown"): Obj {
    const entry = this.entry(def, ns, name);
    if (body?.metadata?.name && body.metadata.name !== name) throw new ApiError(400, "BadRequest", "the name of the object does not match the name on the URL");
    const before = structuredClone(entry.obj);
    const result = this.write(def, entry, body, subresource, body?.metadata?.resourceVersion || undefined);
    recordUpdate(before, entry.obj, manager, subresource === "status" ? entry.status : entry.main, subresource, this.now());
    return result;
  }

  patch(def: ResourceDef, ns: string | undefined, name: string, contentType: string, body: unknown, subresource: "main" | "status", manager: string | undefined, force: boolean): Obj {
    const type = contentType.split(";")[0].trim();
    if (type === "application/apply-patch+yaml") {
      if (!manager) throw new ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
      const applied = body as Obj;
      const key = this.key(def, ns, name);
      if (!this.objects.has(key)) {
        if (subresource === "status") throw notFound(def, name);
        const created = this.create(def, ns, { ...applied, metadata: { ...(applied.metadata ?? {}), name } }, manager);
        const entry = this.objects.get(key)!;
        entry.main.clear();
        apply({}, applied, manager, entry.main, true, "main", this.now());
        return created;
      }
      const entry = this.objects.get(key)!;
      const owners = subresource === "status" ? entry.status : entry.main;
      const trial = new Map([...owners].map(([m, o]) => [m, { ...o, paths: new Map(o.paths) }]));
      const { result, conflicts } = apply(entry.obj, applied, manager, trial, force, subresource, this.now());
      if (conflicts.length) {
        const list = conflicts.map((c) => `conflict with "${c.manager}": .${c.path.join(".")}`);
        throw new ApiError(409, "Conflict", `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"}: ${list.join(", ")}`,
          { causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}"`, field: `.${c.path.join(".")}` })) });
      }
      const out = this.write(def, entry, result, subresource, applied.metadata?.resourceVersion);
      owners.clear();
      for (const [m, o] of trial) owners.set(m, o);
      return out;
    }
    const entry = this.entry(def, ns, name);
    const before = structuredClone(entry.obj);
    let next: Obj;
    if (type === "application/merge-patch+json") next = mergePatch(structuredClone(entry.obj), body) as Obj;
    else if (type === "application/json-patch+json") next = jsonPatch(structuredClone(entry.obj), body);
    else throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    const result = this.write(def, entry, next, subresource, (body as Obj)?.metadata?.resourceVersion);
    recordUpdate(before, entry.obj, manager ?? "unknown", subresource === "status" ? entry.status : entry.main, subresource, this.now());
    return result;
  }

  delete(def: ResourceDef, ns: string | undefined, name: string): Obj {
    const key = this.key(def, ns, name);
    const entry = this.objects.get(key);
    if (!entry) throw notFound(def, name);
    this.objects.delete(key);
    entry.obj.metadata.resourceVersion = String(++this.rv);
    this.emit("DELETED", def, this.view(entry));
    this.collectGarbage(entry.obj.metadata.uid);
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, kind: def.plural, uid: entry.obj.metadata.uid } };
  }

  /** Background cascading deletion, as kube-controller-manager's garbage collector does it. */
  private collectGarbage(ownerUid: string): void {
    for (const [key, entry] of [...this.objects]) {
      if (!(entry.obj.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === ownerUid)) continue;
      const def = this.defs.find((d) => apiVersionOf(d) === entry.obj.apiVersion && d.kind === entry.obj.kind)!;
      if (this.objects.has(key)) this.delete(def, entry.obj.metadata.namespace, entry.obj.metadata.name);
    }
  }
}

function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, "NotFound", `${def.plural}.${def.group || "core"} "${name}" not found`, { name, kind: def.plural });
}

/** `a=b,c!=d,e,!f` */
export function parseSelector(selector: string | undefined): (labels: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(",").map((t) => t.trim()).filter(Boolean);
  return (labels) => terms.every((t) => {
    let m;
    if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(t))) return labels[m[1]] === m[2];
    if (t.startsWith("!")) return !(t.slice(1) in labels);
    return t in labels;
  });
}

/** RFC 7386 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const out: Obj = target && typeof target === "object" && !Array.isArray(target) ? target as Obj : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902: add, remove, replace, test (what clients send to Kubernetes). */
export function jsonPatch(doc: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw new ApiError(400, "BadRequest", "json patch must be an array of operations");
  for (const op of ops as Obj[]) {
    const segs = String(op.path ?? "").split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (!segs.length) throw new ApiError(422, "Invalid", "json patch: the root cannot be patched");
    let parent: Obj = doc;
    for (const s of segs.slice(0, -1)) {
      parent = parent?.[s];
      if (!parent || typeof parent !== "object") throw new ApiError(422, "Invalid", `json patch: missing path ${op.path}`);
    }
    const last = segs[segs.length - 1];
    const idx = Array.isArray(parent) ? (last === "-" ? parent.length : Number(last)) : last;
    switch (op.op) {
      case "add":
        if (Array.isArray(parent)) parent.splice(idx as number, 0, structuredClone(op.value));
        else parent[last] = structuredClone(op.value);
        break;
      case "replace":
        if (!(idx in parent)) throw new ApiError(422, "Invalid", `json patch: replace of missing path ${op.path}`);
        parent[idx as string] = structuredClone(op.value);
        break;
      case "remove":
        if (!(idx in parent)) throw new ApiError(422, "Invalid", `json patch: remove of missing path ${op.path}`);
        if (Array.isArray(parent)) parent.splice(idx as number, 1);
        else delete parent[last];
        break;
      case "test":
        if (JSON.stringify(parent[idx as string]) !== JSON.stringify(op.value)) throw new ApiError(422, "Invalid", `json patch: test failed at ${op.path}`);
        break;
      default:
        throw new ApiError(422, "Invalid", `json patch: unsupported op ${op.op}`);
    }
  }
  return doc;
}
