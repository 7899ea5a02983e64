/**
 * @module controller/status/conditions
 * The one place conditions are made and merged, Gateway API policy style: typed reasons,
 * messages tidied (capitalised, full stop, cut at 32 KiB), merged by type with
 * `lastTransitionTime` kept while the status does not change, and an `Accepted=False`
 * that a later success in the same pass cannot hide.
 */
import type { Condition } from "../api/types.ts";

export const ConditionType = {
  Accepted: "Accepted",
  ResolvedRefs: "ResolvedRefs",
  Programmed: "Programmed",
  /** FilterModule: its tag resolved to a pinned digest. */
  Resolved: "Resolved",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  Accepted: "Accepted",
  Invalid: "Invalid",
  InvalidConfig: "InvalidConfig",
  Conflicted: "Conflicted",
  TargetNotSupported: "TargetNotSupported",
  GatewayNotDetected: "GatewayNotDetected",
  ResolvedRefs: "ResolvedRefs",
  ModuleNotFound: "ModuleNotFound",
  ModuleNotResolved: "ModuleNotResolved",
  TargetNotFound: "TargetNotFound",
  Programmed: "Programmed",
  Pending: "Pending",
  ApplyFailed: "ApplyFailed",
  RejectedByGateway: "RejectedByGateway",
  NotAccepted: "NotAccepted",
  Resolved: "Resolved",
  Pinned: "Pinned",
  TagMoved: "TagMoved",
  ResolveFailed: "ResolveFailed",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

const MAX_MESSAGE = 32 * 1024;

/** Capitalised, ends with a full stop, at most 32 KiB. */
export function tidyMessage(message: string): string {
  let m = message.trim().replace(/\s+/g, " ");
  if (!m) return m;
  // A message that opens with a field path (`spec.phase: ...`) keeps the path as written.
  if (!/^[a-z][A-Za-z0-9]*[.[]/.test(m)) m = m[0].toUpperCase() + m.slice(1);
  if (!/[.!?]$/.test(m)) m += ".";
  if (m.length > MAX_MESSAGE) m = m.slice(0, MAX_MESSAGE - 3) + "...";
  return m;
}

export function condition(type: ConditionType, ok: boolean, reason: Reason, message: string, observedGeneration: number | undefined, now: string): Condition {
  return {
    type,
    status: ok ? "True" : "False",
    reason,
    message: tidyMessage(message),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    lastTransitionTime: now,
  };
}

/**
 * Merges `next` into `previous` by type: a condition whose status did not change keeps its
 * old `lastTransitionTime`, so rewriting the same status does not look like a transition.
 */
export function mergeConditions(previous: Condition[] | undefined, next: Condition[]): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  const merged = next.map((c) => {
    const old = byType.get(c.type);
    return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  const nextTypes = new Set(next.map((c) => c.type));
  for (const old of previous ?? []) if (!nextTypes.has(old.type)) merged.push(old);
  return merged;
}

/** Builds one pass's conditions: the first `False` for a type wins over any later `True`. */
export class ConditionSet {
  private readonly conditions = new Map<string, Condition>();
  constructor(private readonly generation: number | undefined, private readonly now: string) {}

  set(type: ConditionType, ok: boolean, reason: Reason, message: string): void {
    const existing = this.conditions.get(type);
    if (existing && existing.status === "False") return;
    this.conditions.set(type, condition(type, ok, reason, message, this.generation, this.now));
  }

  get(type: ConditionType): Condition | undefined {
    return this.conditions.get(type);
  }

  isFalse(type: ConditionType): boolean {
    return this.conditions.get(type)?.status === "False";
  }

  list(): Condition[] {
    const order: string[] = [ConditionType.Accepted, ConditionType.ResolvedRefs, ConditionType.Programmed, ConditionType.Resolved];
    return [...this.conditions.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  }
}
