/**
 * @module test/fuzz/targets
 * What the fuzzer runs: each shipped filter alone, and the sample pipeline (router → guard →
 * token-limit, as `samples/pipeline.yaml` declares it) as one harness Chain. A target loads a
 * runner for a configuration — the sample's, or one drawn from the filter's JSON Schema — with
 * every cluster the configuration names answered deterministically (the rate-limit service
 * UNAVAILABLE, the moderation service by a fixed rule), so two runners of one case agree.
 */

import { readFileSync } from "node:fs";
import { Chain, Host, type CalloutHandler, type ClusterTarget, type Exchange, type HttpStream, type StreamOptions } from "../../harness/index.ts";
import { stagesFromFiles, type PipelineStage } from "../../controller/dev/pipeline.ts";
import { ConfigGenerator } from "./schema-config.ts";
import { MODELS, WORDS } from "./grammar.ts";
import { fixRandomness } from "./fixed-random.ts";

fixRandomness();

export const FILTERS = ["model-router", "payload-guard", "token-limit"] as const;
export type FilterName = (typeof FILTERS)[number];
export const TARGETS = [...FILTERS, "pipeline"] as const;
export type TargetName = (typeof TARGETS)[number];

export function isTargetName(s: string): s is TargetName { return (TARGETS as readonly string[]).includes(s); }

/** A filter's plugin configuration, or for the pipeline one configuration per stage name. */
export type TargetConfig = Record<string, unknown>;

/** One or more hosts driven as one filter chain. */
export interface Runner {
  readonly hosts: Host[];
  run(exchange: Exchange, options: StreamOptions): Promise<HttpStream>;
  advance(ms: number): void;
  close(): void;
}

const VOCABULARY = [...MODELS.filter((m) => m !== ""), ...WORDS, "x-api-key", "x-tenant", "x-session", "x-ai-backend", "content-type",
  "/vllm", "/openai", "/v1", "llama-3.1-70b-instruct", "gpt-*", "claude-*", "*", "1m", "60s", "1h", "100ms", "2s"];

const generators = new Map<FilterName, ConfigGenerator>();
/** The schema-driven generator of a filter's configurations. */
export function configGenerator(name: FilterName): ConfigGenerator {
  let g = generators.get(name);
  if (!g) generators.set(name, (g = new ConfigGenerator(`filters/${name}/config.schema.json`, VOCABULARY)));
  return g;
}

export function sampleConfig(name: FilterName): TargetConfig {
  return JSON.parse(readFileSync(`samples/${name}.json`, "utf8"));
}

let pipelineStages: Promise<PipelineStage[]> | null = null;
/** The sample pipeline's stages (modules and configurations), read once. */
export function samplePipeline(): Promise<PipelineStage[]> {
  pipelineStages ??= stagesFromFiles(["samples/pipeline.yaml"]).then((p) => p.stages);
  return pipelineStages;
}

/** The module each pipeline stage runs (a shipped filter). */
export async function pipelineModules(): Promise<Record<string, FilterName>> {
  const out: Record<string, FilterName> = {};
  for (const s of await samplePipeline()) out[s.name] = s.rootId as FilterName;
  return out;
}

/** Moderation answers: flagged when the checked text mentions an instruction override; deterministic. */
const moderation: CalloutHandler = (c) => {
  if (c.kind !== "http") return { status: 14, trailingMetadata: {} };
  const flagged = c.bodyText.includes("ignore previous");
  return { headers: { ":status": "200", "content-type": "application/json" }, body: JSON.stringify({ id: "m", results: [{ flagged }] }) };
};

/** Every `cluster` a configuration names, answered: gRPC (the rate-limit service) UNAVAILABLE, HTTP by `moderation`. */
export function clustersOf(config: unknown): Record<string, ClusterTarget> {
  const out: Record<string, ClusterTarget> = {};
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "cluster" && typeof x === "string") out[x] = moderation; else walk(x);
      }
    }
  };
  walk(config);
  return out;
}

/** One host as a runner. */
export function hostRunner(host: Host): Runner {
  return { hosts: [host], run: (e, o) => host.run(e, o), advance: (ms) => host.advance(ms), close: () => host.close() };
}

/** Loads a filter alone; `holdHeaders` in its configuration turns on Envoy's `allow_on_headers_stop_iteration`, as the controller does. */
export async function loadFilter(name: FilterName, config: TargetConfig): Promise<Runner> {
  return hostRunner(await Host.load(`dist/filters/${name}.wasm`, {
    pluginConfig: config, name, traceLimit: 0,
    allowOnHeadersStopIteration: config.holdHeaders === true,
    clusters: clustersOf(config),
  }));
}

/**
 * The pipeline's stage configurations: the sample's, with any stage replaced by `overrides`.
 * `holdHeaders` follows the stage's body-before-routing setting as the controller renders it.
 */
async function pipelineStagesWith(overrides: TargetConfig): Promise<PipelineStage[]> {
  return (await samplePipeline()).map((s) => {
    const config = { ...((overrides[s.name] as Record<string, unknown> | undefined) ?? s.config) };
    if (s.bodyBeforeRouting) config.holdHeaders = true; else delete config.holdHeaders;
    return { ...s, config };
  });
}

export async function loadPipeline(overrides: TargetConfig): Promise<Runner> {
  const stages = await pipelineStagesWith(overrides);
  const chain = await Chain.load(stages.map((s) => ({
    wasm: s.wasm,
    options: { name: s.name, rootId: s.rootId, pluginConfig: s.config, failOpen: s.failOpen, traceLimit: 0,
      allowOnHeadersStopIteration: s.bodyBeforeRouting, clusters: clustersOf(s.config) },
  })), { clock: "manual" });
  const hosts = chain.plugins.map((p) => p.host);
  return { hosts, run: (e, o) => chain.run(e, o), advance: (ms) => chain.advance(ms), close: () => hosts.forEach((h) => h.close()) };
}

/** A runner for `target` with `config` (null: the sample configuration). */
export function loadTarget(target: TargetName, config: TargetConfig | null): Promise<Runner> {
  if (target === "pipeline") return loadPipeline(config ?? {});
  return loadFilter(target, config ?? sampleConfig(target));
}
