/**
 * @module harness/imports/wasi
 * cpp-host's WASI preview1 set (§5): stdout/stderr to the log at info/error, clocks,
 * random_get (≤ 64 KiB), environment variables from the options, zero args, proc_exit
 * that reports and returns, and the file-system/socket stubs with cpp-host's errnos.
 * Registered under both `wasi_snapshot_preview1` and `wasi_unstable`.
 */
import { randomFillSync } from "node:crypto";
import { WASI_SIGNATURES } from "../compile.ts";
import { bytes, text } from "../memory.ts";
import { writeLog } from "./log.ts";
import type { Vm } from "../vm.ts";

const E = { SUCCESS: 0, BADF: 8, NOTDIR: 20, INVAL: 28, NOENT: 44, NOSYS: 52, NOTSUP: 58 };
const stdio = (fd: number) => fd === 1 || fd === 2;

export function wasiImports(vm: Vm): Record<string, (...a: any[]) => number> {
  const m = vm.memory;
  const gather = (iovs: number, n: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    const view = () => new DataView(m.buffer);
    for (let i = 0; i < n; i++) {
      m.read(iovs + i * 8, 8);
      const ptr = view().getUint32(iovs + i * 8, true), len = view().getUint32(iovs + i * 8 + 4, true);
      parts.push(m.read(ptr, len));
    }
    return Buffer.concat(parts);
  };
  const write = (fd: number, iovs: number, n: number, ret: number): number => {
    if (!stdio(fd)) return E.BADF;
    const data = gather(iovs, n);
    m.writeU32(ret, data.length);
    let s = text(data);
    if (s.endsWith("\n")) s = s.slice(0, -1);
    writeLog(vm, fd === 1 ? 2 : 4, s);
    return E.SUCCESS;
  };
  const env = () => vm.services.wasiEnv.map(([k, v]) => bytes(`${k}=${v}\0`));
  const stdioOk = (fd: number) => (stdio(fd) ? E.SUCCESS : E.BADF);
  const impl: Record<string, (...a: any[]) => number> = {
    fd_write: write,
    fd_pwrite: (fd, iovs, n, _off, ret) => write(fd, iovs, n, ret),
    fd_read: () => E.NOSYS,
    fd_pread: () => E.NOSYS,
    fd_seek: () => { writeLog(vm, 4, "wasi fd_seek is not supported"); return E.SUCCESS; },
    fd_close: () => { writeLog(vm, 4, "wasi fd_close is not supported"); return E.SUCCESS; },
    fd_fdstat_get(fd, ret) {
      if (!stdio(fd)) return E.BADF;
      m.write(ret, new Uint8Array(24));
      const v = new DataView(m.buffer);
      v.setUint8(ret, 2);
      v.setUint16(ret + 2, 1, true);
      v.setBigUint64(ret + 8, 64n, true);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: () => E.NOSYS,
    fd_fdstat_set_rights: stdioOk,
    fd_advise: () => E.SUCCESS,
    fd_allocate: stdioOk, fd_datasync: stdioOk, fd_sync: stdioOk, fd_filestat_set_size: stdioOk, fd_filestat_set_times: stdioOk,
    fd_tell(fd, ret) { if (!stdio(fd)) return E.BADF; m.writeU64(ret, 0n); return E.SUCCESS; },
    fd_filestat_get(fd, ret) { if (!stdio(fd)) return E.BADF; m.write(ret, new Uint8Array(64)); new DataView(m.buffer).setUint8(ret + 16, 2); return E.SUCCESS; },
    fd_readdir: () => E.NOTDIR,
    fd_renumber: () => E.NOSYS,
    fd_prestat_get: () => E.BADF,
    fd_prestat_dir_name: () => E.NOSYS,
    path_open: () => E.NOENT,
    environ_sizes_get(retCount, retSize) {
      const e = env();
      m.writeU32(retCount, e.length);
      m.writeU32(retSize, e.reduce((n, x) => n + x.length, 0));
      return E.SUCCESS;
    },
    environ_get(array, buf) {
      let p = buf;
      env().forEach((x, i) => { m.writeU32(array + i * 4, p); m.write(p, x); p += x.length; });
      return E.SUCCESS;
    },
    args_sizes_get(retCount, retSize) { m.writeU32(retCount, 0); m.writeU32(retSize, 0); return E.SUCCESS; },
    args_get: () => E.SUCCESS,
    clock_time_get(id, _precision, ret) {
      const clock = vm.services.env.clock;
      if (id === 0) m.writeU64(ret, BigInt(Math.round(clock.wallMs())) * 1_000_000n);
      else if (id === 1) m.writeU64(ret, clock.monotonicNs());
      else return E.NOTSUP;
      return E.SUCCESS;
    },
    clock_res_get(id, ret) { if (id !== 0 && id !== 1) return E.NOTSUP; m.writeU64(ret, 1n); return E.SUCCESS; },
    random_get(buf, len) {
      if (len >>> 0 > 65536) return E.INVAL;
      const b = new Uint8Array(len >>> 0);
      randomFillSync(b);
      m.write(buf, b);
      return E.SUCCESS;
    },
    sched_yield: () => E.SUCCESS,
    poll_oneoff(_in, _out, _n, ret) { m.writeU32(ret, 0); return E.SUCCESS; },
    proc_exit(code) { writeLog(vm, 4, `wasi proc_exit(${code}) called; the host does not exit`); return 0; },
  };
  for (const name of Object.keys(WASI_SIGNATURES)) impl[name] ??= () => E.NOSYS;
  return impl;
}
