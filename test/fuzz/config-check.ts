/**
 * @module test/fuzz/config-check
 * The configuration invariants: a configuration the filter's JSON Schema accepts starts the
 * filter; one it refuses makes `proxy_on_configure` return false with an "invalid
 * configuration" log line naming the field — never a trap.
 */

import { Host, HostLoadError } from "../../harness/index.ts";
import { clustersOf, type FilterName } from "./targets.ts";

export interface ConfigProblem { kind: "config"; message: string }

/**
 * Loads `name` with `config`. `field` null: the configuration is valid and must load; otherwise
 * it must be refused, naming `field` (a path such as `limits[0].window`).
 */
export async function checkConfig(name: FilterName, config: unknown, field: string | null): Promise<ConfigProblem[]> {
  const errors: string[] = [];
  let host: Host | null = null;
  let loadError: unknown = null;
  try {
    host = await Host.load(`dist/filters/${name}.wasm`, {
      pluginConfig: config as object, name, traceLimit: 0, clusters: clustersOf(config),
      allowOnHeadersStopIteration: (config as { holdHeaders?: unknown })?.holdHeaders === true,
      onLog: (e) => { if (e.level === "error" || e.level === "critical") errors.push(e.message); },
    });
  } catch (e) {
    if (!(e instanceof HostLoadError)) throw e;
    loadError = e;
  }
  const text = JSON.stringify(config);
  const problem = (message: string): ConfigProblem[] => [{ kind: "config", message }];
  if (host) {
    const trapped = host.failed;
    host.close();
    if (trapped) return problem(`trap while configuring ${text}: ${host.failures().join("; ")}`);
    return field === null ? [] : problem(`the filter accepted a configuration its schema refuses (${field}): ${text}`);
  }
  const why = String((loadError as Error).message);
  if (/Wasm VM failed/.test(why)) return problem(`trap while configuring ${text}: ${why}`);
  if (field === null) return problem(`the filter refused a configuration its schema accepts: ${errors.join(" | ") || why}; config ${text}`);
  // The refusal is logged by the VM that configured the plugin (Envoy's canary VM may not echo it
  // through onLog); the harness repeats the last log line in its load error.
  const line = [...errors, why].find((l) => l.includes("invalid configuration"));
  if (!line) return problem(`no "invalid configuration" log line for ${field}: ${errors.join(" | ") || why}; config ${text}`);
  if (!line.includes(field)) return problem(`the refusal does not name ${field}: "${line}"; config ${text}`);
  return [];
}
