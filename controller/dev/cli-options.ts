/**
 * @module controller/dev/cli-options
 * What `tollgate replay` and `tollgate dev` share on the command line: the pipeline
 * (`-f <PayloadProcessor YAML>` or `--filter <module.wasm> --config <json>`), `--cluster
 * name=url` callout targets and `--workers N`, turned into loaded stages with CLI errors.
 */
import { CliError } from "../cli/errors.ts";
import { PipelineError, stageFromFile, stagesFromFiles, type PipelineStage } from "./pipeline.ts";

export const PIPELINE_OPTIONS = {
  filename: { type: "string", short: "f", multiple: true },
  filter: { type: "string" },
  config: { type: "string" },
  "root-id": { type: "string" },
  cluster: { type: "string", multiple: true },
  workers: { type: "string" },
  "plain-http": { type: "boolean" },
} as const;

export const PIPELINE_HELP = `  -f, --filename <path>     PayloadProcessor YAML (with any FilterModules it names); shipped modules
                            (image repository ending in tollgate/<name>, or a bare name) use dist/filters/<name>.wasm,
                            other images are pulled
  --filter <module.wasm>    instead of -f: one filter, with --config <json or file> and optional --root-id
  --cluster <name=url>      a cluster the filters call out to (repeatable); http(s)://host:port
  --workers <N>             Envoy worker threads (VM instances) sharing shared data (default 1)
  --plain-http              pull modules over plain HTTP (local registries only)`;

export interface PipelineValues {
  filename?: string[];
  filter?: string;
  config?: string;
  "root-id"?: string;
  cluster?: string[];
  workers?: string;
  "plain-http"?: boolean;
}

export function parseClusters(values: string[] | undefined, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const m = /^([^=\s]+)=(https?:\/\/\S+)$/.exec(v);
    if (!m) throw new CliError(`--cluster must be name=http://host:port, not '${v}' (see tollgate ${command} --help)`, 2);
    out[m[1]] = m[2];
  }
  return out;
}

export function parseWorkers(value: string | undefined, command: string): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliError(`--workers must be a whole number from 1 to 64, not '${value}' (see tollgate ${command} --help)`, 2);
  return n;
}

/** Loads the stages the options name; every problem becomes a one-line CliError. */
export async function stagesFromOptions(values: PipelineValues, command: string): Promise<PipelineStage[]> {
  const files = values.filename ?? [];
  if (files.length && values.filter) throw new CliError(`give -f <PayloadProcessor YAML> or --filter <module.wasm>, not both`, 2);
  if (!files.length && !values.filter) throw new CliError(`no pipeline: give -f <PayloadProcessor YAML> or --filter <module.wasm> --config <json> (see tollgate ${command} --help)`, 2);
  if (values.config !== undefined && !values.filter) throw new CliError(`--config goes with --filter`, 2);
  try {
    if (values.filter) return [stageFromFile(values.filter, values.config, values["root-id"])];
    return (await stagesFromFiles(files, { plainHttp: values["plain-http"] })).stages;
  } catch (err) {
    if (err instanceof PipelineError) throw new CliError(err.message);
    throw err;
  }
}
