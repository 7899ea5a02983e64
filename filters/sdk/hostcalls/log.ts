/**
 * @module filters/sdk/hostcalls/log
 * Logging through `proxy_log`, skipping lines below the host's level. The level is read once per
 * callback (the dispatcher forgets it when a callback starts) and never during `_initialize`,
 * where `proxy_get_log_level` is a forbidden host call (reference §10.2). Guard expensive message
 * building with `logEnabled(level)` so a disabled line costs one comparison.
 */
import { LogLevel, Status } from "../types";
import { proxy_get_log_level, proxy_log } from "./raw";
import { SLOT_A } from "./memory";
import { record } from "./status";

const UNKNOWN: i32 = -1;
let cachedLevel: i32 = UNKNOWN;
// False while top-level code runs: only proxy_log is allowed then, so every line is sent.
let hostcallsAllowed = false;

/** Called by the dispatcher at the start of every callback. */
export function beginCallback(): void {
  hostcallsAllowed = true;
  cachedLevel = UNKNOWN;
}

/** The host's current log level (6 = off); asked at most once per callback. */
export function logLevel(): LogLevel {
  if (!hostcallsAllowed) return LogLevel.Trace;
  if (cachedLevel == UNKNOWN) {
    // If the host cannot say, log everything rather than lose lines.
    cachedLevel = proxy_get_log_level(SLOT_A) == 0 ? load<i32>(SLOT_A) : <i32>LogLevel.Trace;
  }
  return <LogLevel>cachedLevel;
}

/** Whether a line at `level` would reach the host's log. */
export function logEnabled(level: LogLevel): bool {
  return <i32>level >= <i32>logLevel() && level <= LogLevel.Critical;
}

/** Logs a message at `level` if enabled; returns the host's status (OK when skipped). */
export function log(level: LogLevel, message: string): Status {
  if (!logEnabled(level)) return Status.Ok;
  const bytes = String.UTF8.encode(message);
  return record(proxy_log(level, changetype<usize>(bytes), <usize>bytes.byteLength));
}

/** Logs raw bytes (already UTF-8) at `level` if enabled. */
export function logBytes(level: LogLevel, message: ArrayBuffer): Status {
  if (!logEnabled(level)) return Status.Ok;
  return record(proxy_log(level, changetype<usize>(message), <usize>message.byteLength));
}

export function logTrace(message: string): Status { return log(LogLevel.Trace, message); }
export function logDebug(message: string): Status { return log(LogLevel.Debug, message); }
export function logInfo(message: string): Status { return log(LogLevel.Info, message); }
export function logWarn(message: string): Status { return log(LogLevel.Warn, message); }
export function logError(message: string): Status { return log(LogLevel.Error, message); }
export function logCritical(message: string): Status { return log(LogLevel.Critical, message); }
