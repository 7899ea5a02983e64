/**
 * @module controller/dev/pipeline
 * Turns a PayloadProcessor (read and validated as `tollgate render` reads it) or a single
 * `--filter module.wasm --config json` into a harness Chain: each processor's module (shipped
 * filters from `dist/filters/`, other images pulled through the OCI client), its config, root
 * id and failure mode, with body-before-routing processors set up as the controller sets them
 * up in a gateway (`holdHeaders: true` and Envoy's `allow_on_headers_stop_iteration`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Chain, type ClusterTarget, type HostOptions, type LogEntry } from "../../harness/index.ts";
import type { FilterModule, PayloadProcessor, Processor } from "../api/types.ts";
import { validateResource } from "../api/validate.ts";
import { loadDocuments } from "../render/load.ts";
import { inputsFromDocuments } from "../render/inputs.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Filters this repository builds; a module whose image repository ends in `tollgate/<name>` (or a bare name) uses the local build. */
export const SHIPPED_FILTERS = ["model-router", "payload-guard", "token-limit"];
/** Modules that read the body before routing when their FilterModule does not say (as samples/filtermodules.yaml declares). */
const BODY_BEFORE_ROUTING = new Set(["model-router"]);

/** A pipeline configuration problem, reported as one line. */
export class PipelineError extends Error {
  constructor(message: string) { super(message); this.name = "PipelineError"; }
}

/** One processor ready for the harness. */
export interface PipelineStage {
  name: string;
  /** Where the module came from: a path, or the OCI reference it was pulled from. */
  source: string;
  wasm: Uint8Array;
  rootId: string;
  config: Record<string, unknown>;
  failOpen: boolean;
  bodyBeforeRouting: boolean;
}

export interface ChainOptions {
  workers?: number;
  clock?: "manual" | "real";
  clusters?: Record<string, ClusterTarget>;
  onLog?: (entry: LogEntry) => void;
  /** Talk plain HTTP to registries when pulling (local registries only). */
  plainHttp?: boolean;
}

/** `dist/filters/<name>.wasm` of a shipped filter, built or not. */
export function shippedWasmPath(name: string): string { return join(ROOT, "dist", "filters", `${name}.wasm`); }

function shippedName(image: string): string | null {
  const repo = image.replace(/@sha256:[0-9a-f]+$/i, "").replace(/:[^/:]+$/, "");
  const m = /(?:^|\/)tollgate\/([a-z0-9-]+)$/.exec(repo) ?? /^([a-z0-9-]+)$/.exec(repo);
  return m && SHIPPED_FILTERS.includes(m[1]) ? m[1] : null;
}

async function moduleBytes(image: string, options: ChainOptions): Promise<{ source: string; wasm: Uint8Array; shipped: string | null }> {
  const shipped = shippedName(image);
  if (shipped) {
    const path = shippedWasmPath(shipped);
    if (!existsSync(path)) throw new PipelineError(`${path} is not built (run npm run build)`);
    return { source: path, wasm: readFileSync(path), shipped };
  }
  const { pullModule } = await import("../oci/index.ts");
  try {
    const pulled = await pullModule(image, { plainHttp: options.plainHttp });
    return { source: image, wasm: pulled.wasm, shipped: null };
  } catch (err) {
    throw new PipelineError(`cannot pull ${image}: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
  }
}

async function stageOf(p: Processor, modules: FilterModule[], options: ChainOptions): Promise<PipelineStage> {
  const wasm = p.wasm ?? {};
  const fm = wasm.module ? modules.find((m) => m.metadata.name === wasm.module) : undefined;
  const image = fm?.spec.image ?? wasm.image ?? wasm.module;
  if (!image) throw new PipelineError(`processor ${p.name}: no module or image`);
  const loaded = await moduleBytes(image, options);
  const bodyBeforeRouting = wasm.bodyBeforeRouting ?? fm?.spec.bodyBeforeRouting ?? (loaded.shipped !== null && BODY_BEFORE_ROUTING.has(loaded.shipped));
  const config = { ...(wasm.config ?? {}) };
  if (bodyBeforeRouting) config.holdHeaders = true;
  return {
    name: p.name, source: loaded.source, wasm: loaded.wasm, config, bodyBeforeRouting,
    rootId: fm?.spec.rootID ?? wasm.rootID ?? loaded.shipped ?? "",
    failOpen: p.failureMode === "FailOpen",
  };
}

/** Reads the PayloadProcessor (exactly one) and FilterModules in `paths` and loads each processor's module. */
export async function stagesFromFiles(paths: string[], options: ChainOptions = {}): Promise<{ processor: PayloadProcessor; stages: PipelineStage[] }> {
  let docs: unknown[];
  try { docs = loadDocuments(paths); } catch (err) { throw new PipelineError((err as Error).message); }
  const input = inputsFromDocuments(docs);
  if (input.payloadProcessors.length !== 1) {
    throw new PipelineError(`expected one PayloadProcessor (tollgate.dev/v1alpha1) in ${paths.join(", ")}, found ${input.payloadProcessors.length}`);
  }
  const pp = input.payloadProcessors[0];
  const problems = validateResource(pp);
  if (problems.length) throw new PipelineError(`PayloadProcessor ${pp.metadata?.name}: ${problems[0]}`);
  const stages: PipelineStage[] = [];
  for (const p of pp.spec.processors) stages.push(await stageOf(p, input.filterModules, options));
  return { processor: pp, stages };
}

/** One filter from `--filter <module.wasm> --config <json>`. */
export function stageFromFile(wasmPath: string, configText: string | undefined, rootId = ""): PipelineStage {
  if (!existsSync(wasmPath)) throw new PipelineError(`${wasmPath}: no such file`);
  let config: Record<string, unknown> = {};
  if (configText !== undefined) {
    const text = existsSync(configText) ? readFileSync(configText, "utf8") : configText;
    try { config = JSON.parse(text); } catch (err) { throw new PipelineError(`--config is not JSON (a file or inline): ${(err as Error).message}`); }
  }
  return { name: rootId || "filter", source: wasmPath, wasm: readFileSync(wasmPath), rootId, config, failOpen: false, bodyBeforeRouting: config.holdHeaders === true };
}

/** Loads the stages as one Envoy filter chain. A module that refuses its config fails with its last log line. */
export async function loadChain(stages: PipelineStage[], options: ChainOptions = {}): Promise<Chain> {
  const entries = stages.map((s) => ({
    wasm: s.wasm,
    options: {
      name: s.name, rootId: s.rootId, pluginConfig: s.config, failOpen: s.failOpen,
      allowOnHeadersStopIteration: s.bodyBeforeRouting, workers: options.workers ?? 1,
      clusters: options.clusters, onLog: options.onLog,
    } satisfies HostOptions,
  }));
  try {
    return await Chain.load(entries, { clock: options.clock ?? "manual" });
  } catch (err) {
    throw new PipelineError((err as Error).message.split("\n")[0]);
  }
}
