/**
 * @module controller/provider/module-resolution
 * Keeps FilterModules pinned: a module given by tag (no spec.sha256, no digest in the
 * reference) is resolved through the ModuleResolver when first seen, when its spec changes,
 * and again every `interval`, with registry credentials from its pull Secret. The status
 * shows the digest in use and, when a tag moved, the previous one; a failed resolution
 * keeps the last good digest so running pipelines stay as they are.
 */
import type { CredentialSet, ModuleResolver, ResolvedModule } from "../api/module-resolver.ts";
import type { FilterModule, FilterModuleStatus } from "../api/types.ts";
import { digestInReference } from "../render/modules.ts";
import { ConditionSet, ConditionType, mergeConditions, Reason } from "../status/conditions.ts";
import { canonicalJson } from "./canonical.ts";
import type { Kube } from "./kube.ts";

export interface ResolutionOutcome {
  /** New status to write, when it changed. */
  status?: FilterModuleStatus;
  resolved?: ResolvedModule;
  failed?: string;
}

/** Registry host → credentials, from a `kubernetes.io/dockerconfigjson` Secret's data. */
export function credentialsFromDockerConfig(data: Record<string, string>): CredentialSet {
  const raw = data[".dockerconfigjson"];
  if (!raw) return {};
  const parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as { auths?: Record<string, { username?: string; password?: string; auth?: string; identitytoken?: string }> };
  const out: CredentialSet = {};
  for (const [host, a] of Object.entries(parsed.auths ?? {})) {
    let { username, password } = a;
    if (a.auth && !username) [username, password] = Buffer.from(a.auth, "base64").toString("utf8").split(/:(.*)/s);
    out[host.replace(/^https?:\/\//, "").replace(/\/.*$/, "")] = { username, password, ...(a.identitytoken ? { identityToken: a.identitytoken } : {}) };
  }
  return out;
}

/** A tag that can move (resolved on a schedule), as opposed to a module pinned by digest. */
export function isTag(fm: FilterModule): boolean {
  return !fm.spec?.sha256 && !!fm.spec?.image && !digestInReference(fm.spec.image);
}

/** Tags always; pinned modules too when their config schema must come from the artifact. */
export function needsResolution(fm: FilterModule): boolean {
  return isTag(fm) || !fm.spec?.configSchema;
}

/** The reference to resolve: the tag as written, or for a pinned module `repo@sha256:<hex>`. */
export function referenceToResolve(fm: FilterModule): string {
  if (isTag(fm)) return fm.spec.image;
  const hex = fm.spec.sha256 ? fm.spec.sha256.replace(/^sha256:/, "") : digestInReference(fm.spec.image)!;
  const repo = fm.spec.image.replace(/@sha256:[a-f0-9]{64}$/, "").replace(/:[^:/]+$/, "");
  return `${repo}@sha256:${hex}`;
}

export class ModuleResolution {
  constructor(private readonly kube: Kube, private readonly resolver: ModuleResolver, private readonly intervalMs: number,
    private readonly options: { plainHttp?: boolean } = {}, private readonly retryMs = 30_000) {}

  /** Last attempt per FilterModule uid and generation, kept in memory: status is written only when it changes. */
  private readonly attempts = new Map<string, { at: number; ok: boolean }>();

  private attemptKey(fm: FilterModule): string {
    return `${fm.metadata.uid ?? fm.metadata.namespace + "/" + fm.metadata.name}/${fm.metadata.generation ?? 0}`;
  }

  /** True when `fm` should be resolved now: new to this process or changed, its tag's interval passed, or a failure's retry time. */
  due(fm: FilterModule, now: number): boolean {
    return now >= this.nextDue(fm);
  }

  /** When the next resolution of `fm` falls due (ms since epoch; 0 = now, Infinity = never). */
  nextDue(fm: FilterModule): number {
    const last = this.attempts.get(this.attemptKey(fm));
    if (!last) return 0;
    if (!last.ok) return last.at + Math.min(this.intervalMs, this.retryMs);
    if (!isTag(fm)) return Infinity; // a digest cannot move: resolved once per generation and process
    return last.at + this.intervalMs;
  }

  async resolve(fm: FilterModule, nowIso: string): Promise<ResolutionOutcome> {
    const ns = fm.metadata.namespace ?? "default";
    const conditions = new ConditionSet(fm.metadata.generation, nowIso);
    const previous = fm.status ?? {};
    const attempt = { at: Date.parse(nowIso), ok: false };
    this.attempts.set(this.attemptKey(fm), attempt);
    try {
      let credentials: CredentialSet | undefined;
      if (fm.spec.pullSecretRef) {
        const data = await this.kube.readSecret(ns, fm.spec.pullSecretRef.name);
        if (!data) throw new Error(`pull Secret ${ns}/${fm.spec.pullSecretRef.name} not found`);
        credentials = credentialsFromDockerConfig(data);
      }
      const resolved = await this.resolver.resolve(referenceToResolve(fm), { credentials, plainHttp: this.options.plainHttp });
      attempt.ok = true;
      const previousResolved = previous.conditions?.find((c) => c.type === ConditionType.Resolved);
      const schemaSame = canonicalJson(previous.configSchema) === canonicalJson(!fm.spec.configSchema ? resolved.configSchema : undefined);
      if (previous.digest === resolved.digest && previous.observedGeneration === fm.metadata.generation && previousResolved?.status === "True" && schemaSame) {
        return { status: previous, resolved }; // confirmed: nothing to write
      }
      const moved = isTag(fm) && previous.digest && previous.digest !== resolved.digest;
      if (moved) conditions.set(ConditionType.Resolved, true, Reason.TagMoved, `Tag ${fm.spec.image} moved from ${previous.digest} to ${resolved.digest}`);
      else if (isTag(fm)) conditions.set(ConditionType.Resolved, true, Reason.Resolved, `Resolved ${fm.spec.image} to ${resolved.digest}`);
      else conditions.set(ConditionType.Resolved, true, Reason.Pinned, `Pinned to ${resolved.digest}; ${resolved.configSchema ? "config schema read from the artifact" : "the artifact carries no config schema"}`);
      const status: FilterModuleStatus = {
        observedGeneration: fm.metadata.generation,
        digest: resolved.digest,
        ...(moved ? { previousDigest: previous.digest } : previous.previousDigest ? { previousDigest: previous.previousDigest } : {}),
        resolvedAt: nowIso,
        ...(resolved.configSchema && !fm.spec.configSchema ? { configSchema: resolved.configSchema } : {}),
        conditions: mergeConditions(previous.conditions, conditions.list()),
      };
      return { status, resolved };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
      conditions.set(ConditionType.Resolved, false, Reason.ResolveFailed,
        `Cannot resolve ${fm.spec.image}: ${message}${previous.digest ? `; keeping ${previous.digest}` : ""}`);
      const pinned = isTag(fm) ? undefined : `sha256:${referenceToResolve(fm).split("@sha256:")[1]}`;
      const status: FilterModuleStatus = { ...previous, ...(pinned ? { digest: pinned } : {}), observedGeneration: fm.metadata.generation, conditions: mergeConditions(previous.conditions, conditions.list()) };
      return { status, failed: message };
    }
  }

  /** Status for a module pinned in its spec (nothing to resolve). */
  pinnedStatus(fm: FilterModule, nowIso: string): FilterModuleStatus {
    const conditions = new ConditionSet(fm.metadata.generation, nowIso);
    const hex = fm.spec.sha256 ? fm.spec.sha256.replace(/^sha256:/, "") : digestInReference(fm.spec.image)!;
    conditions.set(ConditionType.Resolved, true, Reason.Pinned, `Pinned to sha256:${hex} by ${fm.spec.sha256 ? "spec.sha256" : "the image reference"}`);
    return { observedGeneration: fm.metadata.generation, digest: `sha256:${hex}`, conditions: mergeConditions(fm.status?.conditions, conditions.list()) };
  }
}
