/**
 * @module filters/sdk/runtime/abort
 * Replacements for AssemblyScript's `abort`, `trace` and `seed` (wired in by asconfig.json's
 * `--use`), so that a module imports nothing a proxy-wasm host refuses (`env.abort`, `env.trace`,
 * `env.seed`). An abort is logged through `proxy_log` at CRITICAL, then traps: the host marks
 * the VM failed, exactly as for any other trap.
 */

@external("env", "proxy_log")
declare function proxy_log(level: i32, messagePtr: usize, messageLen: usize): i32;

@external("wasi_snapshot_preview1", "random_get")
declare function wasi_random_get(buf: usize, len: usize): u16;

const LOG_CRITICAL: i32 = 5;
const LOG_DEBUG: i32 = 1;

function logString(level: i32, text: string): void {
  const bytes = String.UTF8.encode(text);
  proxy_log(level, changetype<usize>(bytes), <usize>bytes.byteLength);
}

export function proxyAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  logString(LOG_CRITICAL, text);
  unreachable();
}

export function proxyTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  logString(LOG_DEBUG, "trace: " + message);
}

/** Called lazily by Math.random only; never at start-up. */
export function proxySeed(): f64 {
  const slot = memory.data(8);
  if (wasi_random_get(slot, 8) == 0) return <f64>load<u64>(slot);
  return 1.0;
}
