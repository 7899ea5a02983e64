/**
 * @module controller/cli/commands/mock-llm
 * `tollgate mock-llm`: runs the mock OpenAI/Anthropic/Gemini upstream until Ctrl-C, logging
 * one line per request. Flags set the switch defaults; `x-mock-*` headers override them.
 */
import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { startMockLlm, SwitchError, parseSwitch, type RecordedRequest, type Switches } from "../../dev/mock-llm/index.ts";

const HELP = `usage: tollgate mock-llm [--listen 127.0.0.1:8081] [options]

An OpenAI-, Anthropic- and Gemini-compatible upstream with deterministic answers and usage:
  POST /v1/chat/completions  /v1/completions  /v1/embeddings  /v1/responses   (OpenAI; any path prefix)
  POST /v1/messages                                                            (Anthropic)
  POST /v1beta/models/<model>:generateContent  :streamGenerateContent[?alt=sse] (Gemini)
  GET  /_mock/requests       the requests received (last 1000)

Options (defaults for every request; the x-mock-* header of the same name overrides per request):
  --listen HOST:PORT         address to listen on (default 127.0.0.1:8081; port 0 picks one)
  --latency-ms N             x-mock-latency-ms: wait N ms before the response headers
  --chunk-delay-ms N         x-mock-chunk-delay-ms: wait N ms between stream events
  --chunks N                 x-mock-chunks: answer in N pieces (= N completion tokens)
  --fail STATUS              x-mock-fail: answer STATUS (400-599) with the provider's error body
  --fail-after N             x-mock-fail-after: end streams with an in-stream error after N pieces
  --disconnect-after N       x-mock-disconnect-after: cut stream connections after N pieces
  --no-usage                 x-mock-no-usage: true: never report usage
  --answer TEXT              x-mock-answer: answer TEXT instead of the echo sentence
  --quiet                    no per-request log lines`;

/** Flag → switch it sets by default. */
const SWITCH_FLAGS: Record<string, keyof Switches> = {
  "latency-ms": "latencyMs",
  "chunk-delay-ms": "chunkDelayMs",
  chunks: "chunks",
  fail: "failStatus",
  "fail-after": "failAfter",
  "disconnect-after": "disconnectAfter",
  answer: "answer",
};

/** Parses `host:port`, `[v6]:port`, `:port` or `port`. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new CliError(`--listen: expected HOST:PORT (e.g. 127.0.0.1:8081), got '${text}'`, 2);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, "") : "127.0.0.1";
  return { host, port };
}

function logLine(r: RecordedRequest): string {
  const how = r.stream ? ` stream ${r.state}` : r.state === "aborted" ? " aborted" : "";
  return `${r.method} ${r.path} ${r.status ?? "-"}${how} ${r.durationMs}ms`;
}

export const command: Command = {
  summary: "run an OpenAI/Anthropic/Gemini-compatible mock upstream for demos and tests",
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          listen: { type: "string", default: "127.0.0.1:8081" },
          ...Object.fromEntries(Object.keys(SWITCH_FLAGS).map((f) => [f, { type: "string" as const }])),
          "no-usage": { type: "boolean" },
          quiet: { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate mock-llm --help)`, 2);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const { host, port } = parseListen(values.listen as string);
    const defaults: Partial<Switches> = { noUsage: values["no-usage"] === true };
    for (const [flag, key] of Object.entries(SWITCH_FLAGS)) {
      const raw = values[flag];
      if (typeof raw !== "string") continue;
      try {
        (defaults as Record<string, unknown>)[key] = parseSwitch(key, `--${flag}`, raw);
      } catch (err) {
        if (err instanceof SwitchError) throw new CliError(err.message, 2);
        throw err;
      }
    }

    let mock;
    try {
      mock = await startMockLlm({ host, port, defaults, onRequest: values.quiet ? undefined : (r) => console.log(logLine(r)) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "EADDRINUSE" ? "address already in use" : code === "EADDRNOTAVAIL" ? "address not available" : (err as Error).message;
      throw new CliError(`cannot listen on ${host}:${port}: ${why}`);
    }
    console.log(`mock-llm listening on ${mock.url} (OpenAI, Anthropic, Gemini; x-mock-* headers switch behaviour)`);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (s: NodeJS.Signals) => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve(s);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await mock.close();
    console.log(`mock-llm stopped (${signal})`);
    return 0;
  },
};
