/**
 * @module harness/log-origin
 * Which VM instance logged each line. Context ids repeat across VMs (every worker, and every
 * fresh VM a FAIL_RELOAD makes, counts from 1 again), so a stream or connection picks its own
 * lines by VM and context id together.
 */
import type { LogEntry, Vm } from "./vm.ts";

export const logOrigin = new WeakMap<LogEntry, Vm>();
