/**
 * @module test/abi-probe/report
 * How the probe tells a test what it saw: one INFO log line per fact, `probe <key>=<value>`,
 * sent with `proxy_log` directly so the SDK's level filter never hides a result. Statuses are
 * reported as their ABI numbers.
 */
import { proxy_log } from "../../filters/sdk/hostcalls/raw";
import { HeaderPair } from "../../filters/sdk/index";

export function report(key: string, value: string): void {
  const bytes = String.UTF8.encode("probe " + key + "=" + value);
  proxy_log(2, changetype<usize>(bytes), bytes.byteLength);
}

export function reportNum(key: string, value: i64): void {
  report(key, value.toString());
}

/** `a:1|b:2` — a compact, order-preserving rendering of pairs. */
export function renderPairs(pairs: HeaderPair[] | null): string {
  if (pairs === null) return "null";
  let out = "";
  for (let i = 0; i < pairs.length; i++) {
    if (i > 0) out += "|";
    out += pairs[i].keyString + ":" + pairs[i].valueString;
  }
  return out;
}

export function renderBytes(bytes: ArrayBuffer | null): string {
  return bytes === null ? "null" : String.UTF8.decode(bytes);
}

/** `k1=v1;k2=v2` or newline-separated settings (plugin configuration, probe headers). */
export function parseSettings(text: string, separator: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(separator);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].trim();
    if (part.length == 0) continue;
    const eq = part.indexOf("=");
    if (eq < 0) out.set(part, "");
    else out.set(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
  }
  return out;
}
