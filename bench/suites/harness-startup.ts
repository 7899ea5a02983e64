/**
 * @module bench/suites/harness-startup
 * What Envoy-faithful start-up and TCP cost in the harness, each beside its baseline in the same
 * run, interleaved: `Host.load` with the canary VM (the default) against `canary: false`, for 1
 * and 2 workers of the model-router; and one TCP connection through the README's network filter
 * (accept, one line each way, close: 8 VM callbacks with context create, done, log, delete)
 * against the noop module's HTTP exchange through the stream driver (21 VM callbacks).
 */
import { readFileSync } from "node:fs";
import { build } from "../../scripts/build.ts";
import { Host } from "../../harness/index.ts";
import { measureInterleaved } from "../lib/interleaved.ts";
import { fmt, printTable, ratio } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

const ROUTER = "dist/filters/model-router.wasm";
const TCP = "dist/test/harness-tcp-example.wasm";
const NOOP = "dist/test/noop.wasm";

async function run(): Promise<void> {
  await build(["model-router", "harness-tcp-example", "noop"]);
  const router = new Uint8Array(readFileSync(ROUTER));
  const config = JSON.parse(readFileSync("samples/model-router.json", "utf8"));
  const loads = [1, 2].flatMap((workers) => [true, false].map((canary) => ({ workers, canary })));
  const timed = await measureInterleaved(loads.map((o) => () => Host.load(router, { pluginConfig: config, ...o })), { batchMs: 200 });
  printTable("Host.load(model-router, sample config)", ["workers", "canary", "ms per load", "vs no canary"],
    loads.map((o, i) => [String(o.workers), o.canary ? "yes (default)" : "no", timed[i].usPerOp / 1000,
      ratio(timed[i].usPerOp, timed[o.canary ? i + 1 : i].usPerOp)]));

  const tcpHost = await Host.load(TCP, { pluginConfig: "acme", traceLimit: 0 });
  const httpHost = await Host.load(NOOP, { traceLimit: 0 });
  const connection = () => {
    const c = tcpHost.connection();
    c.downstreamData("hello\n");
    c.upstreamData("ok\n");
    c.closeDownstream();
  };
  const exchange = () => {
    const s = httpHost.stream();
    s.sendRequestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" });
    for (let i = 0; i < 5; i++) s.sendRequestBody("x".repeat(200), i === 4);
    s.sendResponseHeaders({ ":status": "200" });
    for (let i = 0; i < 10; i++) s.sendResponseBody("y".repeat(80), i === 9);
  };
  const [tcp, http] = await measureInterleaved([connection, exchange]);
  printTable("One TCP connection vs one HTTP exchange (trace off)", ["what", "VM callbacks", "µs each", "µs per callback"], [
    ["TCP: accept, a line each way, close (tcp-example)", "8", tcp.usPerOp, fmt(tcp.usPerOp / 8)],
    ["HTTP: 5 + 10 body chunks through the driver (noop)", "21", http.usPerOp, fmt(http.usPerOp / 21)],
  ]);
}

const suite: BenchSuite = {
  name: "harness-startup",
  summary: "Host.load with and without the canary VM; a TCP connection beside an HTTP exchange",
  run,
};
export default suite;
