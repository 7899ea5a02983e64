/**
 * @module test/conformance/wasi.test
 * Reference §5: the WASI preview1 functions a module may import, with cpp-host's behaviour
 * (stdout/stderr to the log, no args, the VM's environment, errnos of the stubs, proc_exit
 * returning), exercised from a purpose-built AssemblyScript module's `proxy_on_vm_start`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Host } from "../../harness/index.ts";
import { MINIMAL, PROXY_LOG, OWN_ABORT, compileSnippet } from "./snippets.ts";

const WASI_MODULE = `${MINIMAL}${PROXY_LOG}
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: usize, written: usize): i32;
@external("wasi_snapshot_preview1", "args_sizes_get") declare function args_sizes_get(count: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(count: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(ptrs: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, precision: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_open") declare function path_open(fd: u32, dirflags: u32, path: usize, len: usize, oflags: u32, base: u64, inheriting: u64, fdflags: u32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_readdir") declare function fd_readdir(fd: u32, buf: usize, len: usize, cookie: u64, used: usize): i32;
@external("wasi_snapshot_preview1", "sched_yield") declare function sched_yield(): i32;
@external("wasi_snapshot_preview1", "proc_exit") declare function proc_exit(code: u32): void;

function write(fd: u32, text: string): i32 {
  const bytes = String.UTF8.encode(text);
  const iov = memory.data(8);
  store<u32>(iov, changetype<u32>(bytes));
  store<u32>(iov, bytes.byteLength, 4);
  return fd_write(fd, iov, 1, memory.data(4));
}

export function proxy_on_vm_start(root: u32, size: u32): u32 {
  const a = memory.data(8);
  const w1 = write(1, "to stdout\\n");
  const w2 = write(2, "to stderr\\n");
  const w3 = write(3, "nowhere\\n");
  const args = args_sizes_get(a, a + 4).toString() + ":" + load<u32>(a).toString() + ":" + load<u32>(a, 4).toString();
  const envSizes = environ_sizes_get(a, a + 4);
  const envCount = load<u32>(a), envSize = load<u32>(a, 4);
  const envBuf = heap.alloc(envSize), envPtrs = heap.alloc(4 * envCount + 4);
  const env = envSizes.toString() + ":" + envCount.toString() + ":" + environ_get(envPtrs, envBuf).toString() + ":" +
    String.UTF8.decodeUnsafe(envBuf, envSize, true);
  const big = heap.alloc(65537);
  const path = String.UTF8.encode("x");
  say("fd_write " + w1.toString() + "," + w2.toString() + "," + w3.toString() + " args " + args + " env " + env +
    " clock2 " + clock_time_get(2, 1, a).toString() + " random64k+1 " + random_get(big, 65537).toString() +
    " path_open " + path_open(3, 0, changetype<usize>(path), 1, 0, 0, 0, 0, a).toString() +
    " fd_readdir " + fd_readdir(3, a, 8, 0, a).toString() + " sched_yield " + sched_yield().toString());
  proc_exit(3);
  say("after proc_exit");
  return 1;
}`;

test("§5 WASI as cpp-host provides it: stdout/stderr logged, BADF elsewhere, no args, the VM env, stub errnos, proc_exit returns", async () => {
  const wasm = await compileSnippet(WASI_MODULE, ["--exportStart", "_initialize", ...OWN_ABORT]);
  const host = await Host.load(wasm, { env: { A: "1" }, logLevel: "trace" });
  assert.equal(host.logs("info").slice(0, 1), ["to stdout"]);
  assert.is(host.logs("error")[0], "to stderr");
  assert.match(host.logs("error")[1] ?? "", /proc_exit\(3\)/, "proc_exit is reported as an error");
  const summary = host.logs("info").find((l) => l.startsWith("fd_write"));
  assert.is(summary, "fd_write 0,0,8 args 0:0:0 env 0:1:0:A=1 clock2 58 random64k+1 28 path_open 44 fd_readdir 20 sched_yield 0");
  assert.ok(host.logs("info").includes("after proc_exit"), "proc_exit reports and returns; the module decides what follows");
});

test.run();
