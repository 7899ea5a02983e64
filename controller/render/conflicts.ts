/**
 * @module controller/render/conflicts
 * Two PayloadProcessors on the same target: the older wins (creation time, then name, as
 * the WG draft recommends), the newer is not rendered and its status names the winner.
 * On Istio the phase is part of the key. On Envoy Gateway it is not: EG applies one
 * EnvoyExtensionPolicy per route (most specific, then oldest), so a second policy on the
 * same target would be silently overridden by EG itself.
 */
import type { GatewayKind, PayloadProcessor, TargetRef } from "../api/types.ts";
import { keyOf } from "./inputs.ts";

function targetKey(ns: string, t: TargetRef): string {
  return `${ns}/${t.group}/${t.kind}/${t.name}/${t.sectionName ?? ""}`;
}

function olderFirst(a: PayloadProcessor, b: PayloadProcessor): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

/** Loser key → message naming the winner. `candidates` are the PayloadProcessors otherwise renderable, with their gateway. */
export function findConflicts(candidates: { pp: PayloadProcessor; gateway: GatewayKind }[]): Map<string, string> {
  const losers = new Map<string, string>();
  const claimed = new Map<string, PayloadProcessor>();
  for (const { pp, gateway } of [...candidates].sort((a, b) => olderFirst(a.pp, b.pp))) {
    const ns = pp.metadata.namespace ?? "default";
    const keys = pp.spec.targetRefs.map((t) => (gateway === "Istio" ? `${pp.spec.phase}/` : "") + targetKey(ns, t));
    const winner = keys.map((k) => ({ k, w: claimed.get(k) })).find((x) => x.w);
    if (winner) {
      const t = pp.spec.targetRefs[keys.indexOf(winner.k)];
      const scope = gateway === "Istio" ? ` in phase ${pp.spec.phase}` : "";
      losers.set(keyOf(pp), `PayloadProcessor ${keyOf(winner.w!)} already attaches to ${t.kind} ${t.name}${scope} and is older; the older one wins`);
      continue;
    }
    for (const k of keys) claimed.set(k, pp);
  }
  return losers;
}
