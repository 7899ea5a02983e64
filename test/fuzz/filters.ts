/**
 * @module test/fuzz/filters
 * The shipped filters under fuzz: their modules, their sample configurations, and loading a host
 * for one, in two modes: as the controller renders it (`holdHeaders` from the sample, with Envoy's
 * `allow_on_headers_stop_iteration`) and headers-first (`holdHeaders` dropped: without that Envoy
 * flag a filter stopping in on_request_headers would never see the body).
 */

import { readFileSync } from "node:fs";
import { Host } from "../../harness/index.ts";

export const FILTERS = ["model-router", "payload-guard", "token-limit"] as const;
export type FilterName = (typeof FILTERS)[number];

export function isFilterName(s: string): s is FilterName { return (FILTERS as readonly string[]).includes(s); }

export function filterConfig(name: FilterName, holdHeaders: boolean): Record<string, unknown> {
  const config = JSON.parse(readFileSync(`samples/${name}.json`, "utf8")) as Record<string, unknown>;
  if (!holdHeaders) delete config.holdHeaders;
  return config;
}

/** A host for the filter; the rate-limit service (token-limit's global scope) answers UNAVAILABLE, deterministically. */
export function loadFilter(name: FilterName, holdHeaders = false): Promise<Host> {
  const config = filterConfig(name, holdHeaders);
  const rls = (config.rateLimitService as { cluster?: string } | undefined)?.cluster;
  return Host.load(`dist/filters/${name}.wasm`, {
    pluginConfig: config,
    name,
    traceLimit: 0,
    allowOnHeadersStopIteration: holdHeaders,
    clusters: rls ? { [rls]: () => ({ status: 14, trailingMetadata: {} }) } : {},
  });
}
