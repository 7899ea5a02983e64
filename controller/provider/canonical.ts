/**
 * @module controller/provider/canonical
 * JSON with sorted keys. API servers re-encode objects (Go maps) with their keys sorted,
 * so anything compared with what the server returns must not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => Array.isArray(v) ? v.map(sort)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value ?? null));
}
