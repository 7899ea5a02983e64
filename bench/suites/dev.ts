/**
 * @module bench/suites/dev
 * `tollgate dev` under load: requests per second and p50/p99 latency through the dev gateway
 * running the full sample pipeline (samples/pipeline.yaml: router -> guard -> token-limit, one
 * worker VM) versus, in the same run, a plain Node reverse proxy (node:http, keep-alive, bodies
 * piped) and the mock upstream called directly — all against mock-llm on loopback, with a
 * bounded number of requests at a fixed concurrency. Everything runs in this one Node process
 * (client, proxy, mock), so the figures compare the proxies, not absolute gateway capacity.
 */
import { Agent, createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { build } from "../../scripts/build.ts";
import { startDevGateway } from "../../controller/dev/gateway.ts";
import { startMockLlm } from "../../controller/dev/mock-llm/index.ts";
import { loadChain, SHIPPED_FILTERS, stagesFromFiles } from "../../controller/dev/pipeline.ts";
import { printTable, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

const REQUESTS = 2000;
const CONCURRENCY = 16;
const WARMUP = 200;

/** The baseline: a reverse proxy with no filters — headers copied, bodies piped both ways. */
async function plainProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer({ noDelay: true }, (req, res) => {
    const up = request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() { await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }); agent.destroy(); },
  };
}

function once(base: string, agent: Agent, body: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("/v1/chat/completions", base), {
      method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-api-key": key },
    }, (res: IncomingMessage) => {
      let text = "";
      res.on("data", (c) => { if (res.statusCode !== 200) text += c; });
      res.on("end", () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`status ${res.statusCode}: ${text.slice(0, 200)}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface Load { rps: number; p50: number; p99: number }

/** `count` requests, `CONCURRENCY` at a time; each request has its own key. */
let keys = 0;
async function load(base: string, body: string, count: number): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const t = performance.now();
      await once(base, agent, body, `bench-${keys++}`);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: count / seconds, p50: q(0.5), p99: q(0.99) };
}

const BODIES: Record<string, string> = {
  "chat, JSON answer": JSON.stringify({ model: "fast", max_tokens: 16, messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Summarise the plot of Hamlet, and mail it to jane@example.com" }] }),
  "chat, SSE stream": JSON.stringify({ model: "fast", stream: true, max_tokens: 16, messages: [{ role: "user", content: "Summarise the plot of Hamlet in twelve words please" }] }),
};

const suite: BenchSuite = {
  name: "dev",
  summary: `requests/s and p50/p99 latency through tollgate dev (full sample pipeline) vs a plain Node reverse proxy, ${REQUESTS} requests at concurrency ${CONCURRENCY}, mock-llm on loopback`,
  async run() {
    await build(SHIPPED_FILTERS);
    const mock = await startMockLlm();
    const { stages } = await stagesFromFiles(["samples/pipeline.yaml"]);
    // The sample's 60 tokens a minute per key would refuse a load run (keys share hashed slots):
    // the limit is kept, and checked on every request, but made large enough never to refuse.
    const limiter = stages.find((s) => s.name === "token-limit")!;
    limiter.config = { ...limiter.config, limits: (limiter.config.limits as object[]).map((l) => ({ ...l, tokens: 1_000_000_000 })) };
    const gateway = await startDevGateway({ chain: await loadChain(stages, { clock: "real" }), upstream: mock.url, port: 0 });
    const plain = await plainProxy(mock.url);
    const rows: Cell[][] = [];
    try {
      for (const [kind, body] of Object.entries(BODIES)) {
        const targets: [string, string][] = [["mock-llm directly", mock.url], ["plain Node reverse proxy", plain.url], ["tollgate dev (router, guard, token-limit)", gateway.url]];
        for (const [name, url] of targets) {
          await load(url, body, WARMUP);
          const r = await load(url, body, REQUESTS);
          rows.push([kind, name, r.rps, r.p50, r.p99]);
        }
      }
    } finally {
      await gateway.close();
      await plain.close();
      await mock.close();
    }
    printTable(`one process, loopback, ${REQUESTS} requests, ${CONCURRENCY} in flight`, ["request", "path", "requests/s", "p50 ms", "p99 ms"], rows);
  },
};

export default suite;
