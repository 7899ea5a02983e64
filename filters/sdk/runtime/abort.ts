/**
 * @module filters/sdk/runtime/abort
 * Replacements for AssemblyScript's `abort`, `trace` and `seed` (wired in by asconfig.json's
 * `--use`), so that a module imports nothing a proxy-wasm host refuses (`env.abort`, `env.trace`,
 * `env.seed`). An abort is logged through `proxy_log` at CRITICAL, then traps: the host marks
 * the VM failed, exactly as for any other trap. Only `proxy_log` and WASI calls are used, as
 * they are the ones allowed during `_initialize` (reference §10.2).
 */
import { proxy_log, wasi_clock_time_get, wasi_random_get } from "../hostcalls/raw";

const LOG_CRITICAL: i32 = 5;
const LOG_DEBUG: i32 = 1;

function logString(level: i32, text: string): void {
  const bytes = String.UTF8.encode(text);
  proxy_log(level, changetype<usize>(bytes), <usize>bytes.byteLength);
}

export function proxyAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  logString(LOG_CRITICAL, text);
  unreachable();
}

export function proxyTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let text = "trace: " + message;
  const values: f64[] = [a0, a1, a2, a3, a4];
  for (let i = 0; i < n && i < 5; i++) text += (i == 0 ? " " : ", ") + values[i].toString();
  logString(LOG_DEBUG, text);
}

/** Called lazily by Math.random only; never at start-up. Random bits, else the clock. */
export function proxySeed(): f64 {
  const slot = memory.data(8, 8);
  if (wasi_random_get(slot, 8) == 0) return <f64>load<u64>(slot);
  if (wasi_clock_time_get(0, 1, slot) == 0) return <f64>load<u64>(slot);
  return 1.0;
}
