/**
 * @module controller/provider/health-server
 * `/healthz` (the process and its loop are alive), `/readyz` (caches synced) and
 * `/metrics` (Prometheus text) on one small HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { Metrics } from "./metrics.ts";

export interface HealthSource {
  healthy(): boolean;
  ready(): boolean;
}

export async function startHealthServer(host: string, port: number, source: HealthSource, metrics: Metrics): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" || path === "/readyz") {
      const ok = path === "/healthz" ? source.healthy() : source.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(ok ? "ok\n" : path === "/healthz" ? "unhealthy\n" : "not ready\n");
      return;
    }
    if (path === "/metrics") {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(text);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as { port: number }).port };
}
