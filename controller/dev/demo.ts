/**
 * @module controller/dev/demo
 * What `npm start` runs and shows: mock-llm and the dev gateway with samples/pipeline.yaml in
 * one process, on 127.0.0.1:8080 / 8081 when free (any free port otherwise), and three curl
 * commands whose answers show the pipeline at work: a routed request, a redacted prompt, and
 * token-limit's 429 once a key's budget is spent.
 */
import { formatRequestLog, METRICS_PATH, startDevGateway, type DevGateway, type RequestLogEntry } from "./gateway.ts";
import { startMockLlm, type MockLlm } from "./mock-llm/index.ts";
import { loadChain, stagesFromFiles, shippedWasmPath } from "./pipeline.ts";

export const DEMO_PIPELINE = "samples/pipeline.yaml";

export interface DemoStep {
  title: string;
  /** What the command prints when the pipeline works. */
  expect: string;
  /** A shell command line (curl). */
  command: string;
}

const json = (model: string, content: string, extra = "") =>
  `'{"model":"${model}",${extra}"messages":[{"role":"user","content":"${content}"}]}'`;

/** The three commands, for a gateway at `url`. */
export function demoSteps(url: string): DemoStep[] {
  const chat = `${url}/v1/chat/completions`;
  return [
    {
      title: 'A routed request: the router turns the alias "fast" into gpt-4o-mini and tags the route',
      expect: 'the answer comes from gpt-4o-mini ("model":"gpt-4o-mini", "Mock answer from gpt-4o-mini: ...")',
      command: `curl -s ${chat} -H 'x-api-key: demo' -d ${json("fast", "Hello, Tollgate!")}`,
    },
    {
      title: "A redacted prompt: the guard masks the e-mail address before the upstream sees it",
      expect: 'the mock echoes what it received: you said "Write to [REDACTED:email] today"',
      command: `curl -s ${chat} -H 'x-api-key: demo' -d ${json("gpt-4o-mini", "Write to jane.doe@example.com today")}`,
    },
    {
      title: "A 429 after the budget runs out: token-limit allows 60 tokens a minute per x-api-key",
      expect: "200, 200, then 429 (retry-after and x-ratelimit-* headers say when the budget is back)",
      command: `for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\\n' ${chat} -H 'x-api-key: budget' -d ${json("gpt-4o-mini", "Tell me a story", '"max_tokens":32,')}; done`,
    },
  ];
}

export interface Demo {
  gateway: DevGateway;
  mock: MockLlm;
  steps: DemoStep[];
  close(): Promise<void>;
}

async function onPreferredPort<T>(start: (port: number) => Promise<T>, preferred: number): Promise<T> {
  try { return await start(preferred); } catch (err) {
    if (preferred !== 0 && (err as NodeJS.ErrnoException).code === "EADDRINUSE") return start(0);
    throw err;
  }
}

/** Starts mock-llm and the gateway (ports: preferred, else any free one). */
export async function startDemo(options: { port?: number; mockPort?: number; onRequest?: (e: RequestLogEntry) => void } = {}): Promise<Demo> {
  const mock = await onPreferredPort((port) => startMockLlm({ port }), options.mockPort ?? 8081);
  try {
    const { stages } = await stagesFromFiles([DEMO_PIPELINE]);
    const chain = await loadChain(stages, { clock: "real" });
    const gateway = await onPreferredPort((port) => startDevGateway({ chain, upstream: mock.url, port, onRequest: options.onRequest }), options.port ?? 8080);
    return { gateway, mock, steps: demoSteps(gateway.url), async close() { await gateway.close(); await mock.close(); } };
  } catch (err) {
    await mock.close();
    throw err;
  }
}

/** The banner `npm start` prints. */
export function banner(demo: Demo): string {
  const lines = [
    "",
    `Tollgate dev gateway  ${demo.gateway.url}   (${DEMO_PIPELINE}: router -> guard -> token-limit, from ${shippedWasmPath("*").replace(/.*(dist\/)/, "$1")})`,
    `mock LLM upstream     ${demo.mock.url}   (tollgate mock-llm)`,
    `metrics               ${demo.gateway.url}${METRICS_PATH}`,
    "",
    "Try it from another terminal:",
  ];
  demo.steps.forEach((s, i) => lines.push("", `${i + 1}. ${s.title}`, `   ${s.command}`, `   -> ${s.expect}`));
  lines.push("", "One log line per request follows. Ctrl-C stops both servers.", "");
  return lines.join("\n");
}

export { formatRequestLog };
