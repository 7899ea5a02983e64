/**
 * @module controller/render/plan
 * The gateway-neutral result of checking one PayloadProcessor: its processors in order,
 * each with the module it runs, its final config and whether it runs body-before-routing.
 * The Istio and Envoy Gateway renderers turn a plan into objects.
 */
import type { FailureMode, PayloadProcessor, ProcessorStatus } from "../api/types.ts";
import type { EffectiveModule } from "./modules.ts";

export interface PlannedProcessor {
  index: number;
  name: string;
  failureMode: FailureMode;
  timeout?: string;
  module: EffectiveModule;
  /** The config as rendered: the user's, plus `holdHeaders: true` in body-before-routing mode. */
  config?: Record<string, unknown>;
  bodyBeforeRouting: boolean;
}

export interface Plan {
  pp: PayloadProcessor;
  processors: PlannedProcessor[];
}

/** What a gateway renderer returns for one plan. */
export interface GatewayRendering {
  objects: import("../api/types.ts").KubeObject[];
  processors: ProcessorStatus[];
  /** Caveats the user should read (shown in the Accepted message). */
  notes: string[];
  /** A failure that stops this PayloadProcessor from rendering (reason, message). */
  failure?: { reason: "TargetNotSupported" | "TargetNotFound"; message: string; refs?: boolean };
}

export const BODY_MINIMUM_VERSIONS = {
  Istio: ["Istio 1.28", "Envoy 1.35"],
  EnvoyGateway: ["Envoy Gateway 1.5.5", "Envoy 1.35"],
} as const;
