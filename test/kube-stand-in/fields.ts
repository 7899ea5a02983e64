/**
 * @module test/kube-stand-in/fields
 * Field ownership for server-side apply, "managedFields-lite": an object is flattened into
 * leaf paths (maps recurse, lists are atomic, as for lists without merge keys), each
 * manager owns a set of paths, equal values may be co-owned, and a different value owned by
 * another manager is a conflict unless the apply is forced. Paths are kept as segment arrays
 * (label keys contain dots) and rendered in Kubernetes' FieldsV1 shape (`f:spec`).
 */

export type Path = string[];
type Json = unknown;

/** Metadata the server owns; never part of a manager's fields. */
const SERVER_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "deletionTimestamp", "selfLink"]);

export function pathKey(p: Path): string {
  return JSON.stringify(p);
}

/** Leaf path → value. `section` limits to `spec`-like fields or to `status`. */
export function flatten(obj: Record<string, Json>, section: "main" | "status"): Map<string, { path: Path; value: Json }> {
  const out = new Map<string, { path: Path; value: Json }>();
  const walk = (value: Json, path: Path) => {
    if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
      for (const [k, v] of Object.entries(value as Record<string, Json>)) walk(v, [...path, k]);
    } else out.set(pathKey(path), { path, value });
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (section === "status" ? k !== "status" : k === "status") continue;
    if (k === "metadata") {
      for (const [mk, mv] of Object.entries((v ?? {}) as Record<string, Json>)) if (!SERVER_META.has(mk)) walk(mv, ["metadata", mk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

export function getPath(obj: Json, path: Path): Json {
  let cur = obj;
  for (const seg of path) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, Json>)[seg];
  }
  return cur;
}

export function setPath(obj: Record<string, Json>, path: Path, value: Json): void {
  let cur: Record<string, Json> = obj;
  for (const seg of path.slice(0, -1)) {
    if (!cur[seg] || typeof cur[seg] !== "object" || Array.isArray(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Record<string, Json>;
  }
  cur[path[path.length - 1]] = structuredClone(value);
}

/** Removes a leaf and any maps it leaves empty. */
export function deletePath(obj: Record<string, Json>, path: Path): void {
  const parents: Record<string, Json>[] = [];
  let cur: Record<string, Json> = obj;
  for (const seg of path.slice(0, -1)) {
    if (!cur[seg] || typeof cur[seg] !== "object") return;
    parents.push(cur);
    cur = cur[seg] as Record<string, Json>;
  }
  delete cur[path[path.length - 1]];
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i];
    const child = parent[path[i]] as Record<string, Json>;
    if (child && typeof child === "object" && !Array.isArray(child) && Object.keys(child).length === 0) delete parent[path[i]];
    else break;
  }
}

export function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Manager → owned path keys, for one object (main resource and status kept apart). */
export type Ownership = Map<string, { operation: "Apply" | "Update"; subresource?: string; paths: Map<string, Path>; time: string }>;

export interface ApplyConflict { manager: string; path: Path }

/**
 * Server-side apply of `applied` by `manager` onto `current` (a copy is returned).
 * Fields the manager applied before but leaves out now are removed unless another manager owns them.
 */
export function apply(current: Record<string, Json>, applied: Record<string, Json>, manager: string, owners: Ownership, force: boolean, section: "main" | "status", now: string):
  { result: Record<string, Json>; conflicts: ApplyConflict[] } {
  const result = structuredClone(current);
  const leaves = flatten(applied, section);
  const conflicts: ApplyConflict[] = [];
  for (const [key, { path, value }] of leaves) {
    for (const [other, owned] of owners) {
      if (other === manager || !owned.paths.has(key)) continue;
      if (!sameJson(getPath(current, path), value)) {
        if (force) owned.paths.delete(key);
        else conflicts.push({ manager: other, path });
      }
    }
  }
  if (conflicts.length) return { result: current, conflicts };
  const previous = owners.get(manager)?.paths ?? new Map<string, Path>();
  for (const [key, path] of previous) {
    if (leaves.has(key)) continue;
    const ownedElsewhere = [...owners].some(([m, o]) => m !== manager && o.paths.has(key));
    if (!ownedElsewhere) deletePath(result, path);
  }
  for (const { path, value } of leaves.values()) setPath(result, path, value);
  owners.set(manager, { operation: "Apply", ...(section === "status" ? { subresource: "status" } : {}), paths: new Map([...leaves].map(([k, v]) => [k, v.path])), time: now });
  return { result, conflicts };
}

/** After a non-apply write by `manager`: changed or added leaves move to it, removed leaves leave everyone. */
export function recordUpdate(before: Record<string, Json>, after: Record<string, Json>, manager: string, owners: Ownership, section: "main" | "status", now: string): void {
  const old = flatten(before, section);
  const next = flatten(after, section);
  const changed: [string, Path][] = [];
  for (const [key, { path, value }] of next) if (!old.has(key) || !sameJson(old.get(key)!.value, value)) changed.push([key, path]);
  const removed = [...old.keys()].filter((k) => !next.has(k));
  for (const [, owned] of owners) {
    for (const [key] of changed) owned.paths.delete(key);
    for (const key of removed) owned.paths.delete(key);
  }
  if (!changed.length) return;
  const entry = owners.get(manager) ?? { operation: "Update" as const, paths: new Map<string, Path>(), time: now };
  for (const [key, path] of changed) entry.paths.set(key, path);
  entry.time = now;
  if (section === "status") entry.subresource = "status";
  owners.set(manager, entry);
}

/** Kubernetes' FieldsV1 rendering of owned paths: `{"f:spec": {"f:url": {}}}`. */
export function fieldsV1(paths: Iterable<Path>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let cur = root;
    for (const seg of path) cur = (cur[`f:${seg}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}
