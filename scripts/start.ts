/**
 * @module scripts/start
 * `npm start`: builds the filter modules if needed, then runs the local demo — mock-llm and
 * `tollgate dev` with samples/pipeline.yaml in this process — prints three curl commands that
 * show it working, and logs each request until Ctrl-C. `TOLLGATE_PORT` / `TOLLGATE_MOCK_PORT`
 * choose the ports (default 8080 / 8081, or any free port when those are taken).
 */
import { build } from "./build.ts";
import { banner, formatRequestLog, startDemo } from "../controller/dev/demo.ts";
import { SHIPPED_FILTERS } from "../controller/dev/pipeline.ts";

function port(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, not '${v}'`);
  return n;
}

async function main(): Promise<number> {
  const rebuilt = await build(SHIPPED_FILTERS);
  for (const out of rebuilt) console.log(`built ${out}`);
  const demo = await startDemo({ port: port("TOLLGATE_PORT"), mockPort: port("TOLLGATE_MOCK_PORT"), onRequest: (e) => console.log(formatRequestLog(e)) });
  console.log(banner(demo));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(s); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await demo.close();
  console.log(`stopped (${signal})`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`npm start: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
  process.exitCode = 1;
});
