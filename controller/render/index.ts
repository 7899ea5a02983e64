/**
 * @module controller/render
 * `render(resources, options) → {objects, statuses, errors}`: the pure heart of the
 * controller, shared by the reconciler and `tollgate render`. No client, no clock, no
 * registry: resolutions and the time come in through `options`.
 *
 * @example
 * const { objects, statuses, errors } = render({ payloadProcessors, filterModules }, { autoGateway: "Istio", now });
 */
import type { GatewayKind, KubeObject, PayloadProcessor, PayloadProcessorStatus } from "../api/types.ts";
import { validateResource } from "../api/validate.ts";
import { ConditionSet, ConditionType, Reason } from "../status/conditions.ts";
import { findConflicts } from "./conflicts.ts";
import { renderEnvoyGateway } from "./envoy-gateway.ts";
import { keyOf, type RenderError, type RenderInput, type RenderOptions, type RenderResult } from "./inputs.ts";
import { renderIstio } from "./istio.ts";
import { configErrors, effectiveModule } from "./modules.ts";
import type { Plan, PlannedProcessor } from "./plan.ts";

export * from "./inputs.ts";

const KIND_ORDER = ["EnvoyFilter", "WasmPlugin", "EnvoyExtensionPolicy", "EnvoyPatchPolicy"];

interface Pass { pp: PayloadProcessor; conditions: ConditionSet; gateway?: GatewayKind; plan?: Plan }

function checkProcessors(pass: Pass, input: RenderInput, options: RenderOptions): Plan | undefined {
  const { pp, conditions } = pass;
  const ns = pp.metadata.namespace ?? "default";
  const planned: PlannedProcessor[] = [];
  const refProblems: { reason: Reason; message: string }[] = [];
  const configProblems: string[] = [];
  pp.spec.processors.forEach((processor, index) => {
    const outcome = effectiveModule(processor, ns, input.filterModules, options.resolved ?? {});
    if (!outcome.ok) {
      refProblems.push({ reason: outcome.reason === "Invalid" ? Reason.Invalid : outcome.reason, message: outcome.message });
      return;
    }
    const module = outcome.module;
    const config = processor.wasm!.config;
    if (config && "holdHeaders" in config) {
      configProblems.push(`processor "${processor.name}": spec.processors[${index}].wasm.config.holdHeaders: set by the controller (only when the processor runs body-before-routing); remove it`);
      return;
    }
    if (module.configSchema) configProblems.push(...configErrors(module.configSchema, config ?? {}, index, processor.name));
    planned.push({
      index,
      name: processor.name,
      failureMode: processor.failureMode ?? "FailClosed",
      ...(processor.timeout ? { timeout: processor.timeout } : {}),
      module,
      config: module.bodyBeforeRouting ? { ...(config ?? {}), holdHeaders: true } : config,
      bodyBeforeRouting: module.bodyBeforeRouting,
    });
  });
  if (refProblems.length) {
    conditions.set(ConditionType.ResolvedRefs, false, refProblems[0].reason, refProblems.map((p) => p.message).join("; "));
    return undefined;
  }
  conditions.set(ConditionType.ResolvedRefs, true, Reason.ResolvedRefs, `${pp.spec.processors.length} module${pp.spec.processors.length === 1 ? "" : "s"} resolved to pinned digests`);
  if (configProblems.length) {
    conditions.set(ConditionType.Accepted, false, Reason.InvalidConfig, configProblems.join("; "));
    return undefined;
  }
  return { pp, processors: planned };
}

export function render(input: RenderInput, options: RenderOptions): RenderResult {
  const passes: Pass[] = [...input.payloadProcessors]
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
    .map((pp) => ({ pp, conditions: new ConditionSet(pp.metadata.generation, options.now) }));

  for (const pass of passes) {
    const problems = validateResource(pass.pp);
    if (problems.length) {
      pass.conditions.set(ConditionType.Accepted, false, Reason.Invalid, problems.join("; "));
      continue;
    }
    const choice = pass.pp.spec.gateway ?? "Auto";
    pass.gateway = choice === "Auto" ? options.autoGateway : choice;
    if (!pass.gateway) {
      pass.conditions.set(ConditionType.Accepted, false, Reason.GatewayNotDetected, options.autoGatewayUnavailable ??
        "gateway is Auto but neither Istio (extensions.istio.io) nor Envoy Gateway (gateway.envoyproxy.io) was detected; set spec.gateway, or --gateway offline");
    }
  }

  const conflicts = findConflicts(passes.filter((p) => p.gateway && !p.conditions.isFalse(ConditionType.Accepted)).map((p) => ({ pp: p.pp, gateway: p.gateway! })));

  const objects: KubeObject[] = [];
  const statuses = new Map<string, PayloadProcessorStatus>();
  const errors: RenderError[] = [];
  for (const pass of passes) {
    const { pp, conditions } = pass;
    const status: PayloadProcessorStatus = { observedGeneration: pp.metadata.generation, ...(pass.gateway ? { gateway: pass.gateway } : {}) };
    const conflict = conflicts.get(keyOf(pp));
    if (conflict) conditions.set(ConditionType.Accepted, false, Reason.Conflicted, conflict);
    let rendered: ReturnType<typeof renderIstio> | undefined;
    if (!conditions.isFalse(ConditionType.Accepted)) {
      const plan = checkProcessors(pass, input, options);
      if (plan) {
        rendered = pass.gateway === "Istio" ? renderIstio(plan) : renderEnvoyGateway(plan, input.gateways ?? [], input.httpRoutes ?? []);
        if (rendered.failure) {
          const f = rendered.failure;
          if (f.reason === "TargetNotFound") conditions.set(ConditionType.ResolvedRefs, false, Reason.TargetNotFound, f.message);
          else conditions.set(ConditionType.Accepted, false, Reason.TargetNotSupported, f.message);
          rendered = undefined;
        }
      }
    }
    if (rendered) {
      const n = rendered.processors.length;
      const body = rendered.processors.filter((p) => p.mode === "BodyBeforeRouting").map((p) => p.name);
      const timeouts = pp.spec.processors.filter((p) => p.timeout).map((p) => p.name);
      const notes = [...rendered.notes];
      if (timeouts.length) notes.push(`timeout is not enforced for Wasm processors (${timeouts.join(", ")}): they run inside Envoy with no preemption`);
      conditions.set(ConditionType.Accepted, true, Reason.Accepted,
        `Rendered for ${pass.gateway === "Istio" ? "Istio" : "Envoy Gateway"}${(pp.spec.gateway ?? "Auto") === "Auto" && options.autoGatewaySource ? ` (gateway Auto, detected from ${options.autoGatewaySource})` : ""}: ${n} processor${n === 1 ? "" : "s"} in order${body.length ? `, body-before-routing: ${body.join(", ")}` : ""}${notes.length ? `. Note: ${notes.join("; ")}` : ""}`);
      conditions.set(ConditionType.Programmed, false, Reason.Pending, "Not applied yet");
      status.processors = rendered.processors;
      objects.push(...rendered.objects);
    } else {
      const refs = conditions.get(ConditionType.ResolvedRefs);
      if (!conditions.get(ConditionType.Accepted) && refs) conditions.set(ConditionType.Accepted, false, refs.reason as Reason, `Not rendered: ${refs.message}`);
      conditions.set(ConditionType.Programmed, false, Reason.NotAccepted, "Nothing rendered for this PayloadProcessor");
      const failed = conditions.get(ConditionType.ResolvedRefs)?.status === "False" ? conditions.get(ConditionType.ResolvedRefs)! : conditions.get(ConditionType.Accepted)!;
      errors.push({ resource: `PayloadProcessor ${keyOf(pp)}`, message: failed.message });
    }
    status.conditions = conditions.list();
    statuses.set(keyOf(pp), status);
  }
  objects.sort((a, b) => {
    const ka = `${a.metadata.namespace}/${a.metadata.labels?.["tollgate.dev/payload-processor"]}`;
    const kb = `${b.metadata.namespace}/${b.metadata.labels?.["tollgate.dev/payload-processor"]}`;
    if (ka !== kb) return ka < kb ? -1 : 1;
    const d = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
    return d || 0;
  });
  return { objects, statuses, errors };
}
