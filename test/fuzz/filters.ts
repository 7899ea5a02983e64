/**
 * @module test/fuzz/filters
 * The shipped filters under fuzz: their modules, their sample configurations, and loading a host
 * for one. `holdHeaders` is dropped from the samples: with it the filter stops in on_request_headers
 * and Envoy (so the harness, without `allowOnHeadersStopIteration`) then buffers the body without
 * ever calling on_request_body — the fuzzed bytes would never reach the filter.
 */

import { readFileSync } from "node:fs";
import { Host } from "../../harness/index.ts";

export const FILTERS = ["model-router", "payload-guard", "token-limit"] as const;
export type FilterName = (typeof FILTERS)[number];

export function isFilterName(s: string): s is FilterName { return (FILTERS as readonly string[]).includes(s); }

export function filterConfig(name: FilterName): Record<string, unknown> {
  const config = JSON.parse(readFileSync(`samples/${name}.json`, "utf8")) as Record<string, unknown>;
  delete config.holdHeaders;
  return config;
}

/** A host for the filter; the rate-limit service (token-limit's global scope) answers UNAVAILABLE, deterministically. */
export function loadFilter(name: FilterName, config = filterConfig(name)): Promise<Host> {
  const rls = (config.rateLimitService as { cluster?: string } | undefined)?.cluster;
  return Host.load(`dist/filters/${name}.wasm`, {
    pluginConfig: config,
    name,
    traceLimit: 0,
    clusters: rls ? { [rls]: () => ({ status: 14, trailingMetadata: {} }) } : {},
  });
}
