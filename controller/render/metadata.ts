/**
 * @module controller/render/metadata
 * Names, labels and owner references of rendered objects. Every object is labelled
 * `app.kubernetes.io/managed-by: tollgate` plus the PayloadProcessor it came from, and
 * carries a controller owner reference when the PayloadProcessor's uid is known (offline
 * files have none, and an owner reference with an invented uid would get the object
 * garbage-collected).
 */
import { API_VERSION, MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL, type KubeObject, type ObjectMeta, type PayloadProcessor } from "../api/types.ts";

export function ownedMetadata(pp: PayloadProcessor, name: string): ObjectMeta {
  const meta: ObjectMeta = {
    name,
    namespace: pp.metadata.namespace ?? "default",
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [OWNER_LABEL]: pp.metadata.name },
  };
  if (pp.metadata.uid) {
    meta.ownerReferences = [{ apiVersion: API_VERSION, kind: "PayloadProcessor", name: pp.metadata.name, uid: pp.metadata.uid, controller: true, blockOwnerDeletion: true }];
  }
  return meta;
}

/** True when `obj` was rendered by Tollgate (by label; the reconciler also checks the owner uid). */
export function isManaged(obj: KubeObject): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/** A DNS-1123 subdomain-safe name from parts, shortened with a hash when too long. */
export function objectName(...parts: string[]): string {
  const name = parts.join("-").toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  if (name.length <= 253) return name;
  let h = 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${name.slice(0, 244)}-${h.toString(16).padStart(8, "0")}`;
}
