/**
 * @module controller/dev/mock-llm/server
 * The mock upstream's HTTP server: routes a request to its API by path suffix, applies the
 * `x-mock-*` switches, and writes the reply — JSON, or a stream written frame by frame.
 * Every request is recorded (what arrived, how it ended) so tests can check what a gateway
 * forwarded and whether a stream was still running when the client saw its first event.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Api, ApiReply } from "./apis/api.ts";
import { isObject } from "./apis/api.ts";
import { anthropicMessages } from "./apis/anthropic-messages.ts";
import { gemini } from "./apis/gemini.ts";
import { anthropicCountTokens, geminiCountTokens, responsesInputTokens } from "./apis/count-tokens.ts";
import { chatCompletions, completions } from "./apis/openai-chat.ts";
import { embeddings } from "./apis/openai-embeddings.ts";
import { responses } from "./apis/openai-responses.ts";
import { errorReply, forcedFailureMessage, type ApiError, type Provider } from "./errors.ts";
import { pause, writeStream, type StreamEnd } from "./stream.ts";
import { checkSwitches, SwitchError, switchesFor, type Switches } from "./switches.ts";

/** Most specific first: `/chat/completions` before `/completions`. */
export const APIS: readonly Api[] = [
  chatCompletions, completions, embeddings, responses, anthropicMessages, gemini,
  anthropicCountTokens, responsesInputTokens, geminiCountTokens,
];

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_RECORDED = 1000;

export interface MockLlmOptions {
  /** Listen address; 127.0.0.1 unless given. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Switch defaults for every request (the CLI flags); `x-mock-*` headers override them. */
  defaults?: Partial<Switches>;
  /** Called once per request when its response is over (however it ended). */
  onRequest?(request: RecordedRequest): void;
}

/** One request as the mock saw it, and how its response went. */
export interface RecordedRequest {
  /** Also sent back as `x-request-id` (and Anthropic's `request-id`). */
  id: string;
  method: string;
  /** Path with query, as received. */
  path: string;
  /** The API that served it, or null when no API matched. */
  api: string | null;
  /** Headers as received, names lowercased, in order. */
  headers: [string, string][];
  body: string;
  status: number | null;
  stream: boolean;
  /** Frames handed to the socket so far, and in the planned stream (0 for JSON replies). */
  framesWritten: number;
  framesPlanned: number;
  /** `pending` until the reply is over; a stream then ends `finished`, `failed` (in-stream error),
   *  `cut` (x-mock-disconnect-after) or `aborted` (the client left or the server closed). */
  state: "pending" | StreamEnd;
  /** Milliseconds from arrival to the end of the reply. */
  durationMs: number | null;
}

export interface MockLlm {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  host: string;
  port: number;
  /** The last requests received, oldest first (at most 1000). */
  requests: RecordedRequest[];
  /** Stops listening, ends running streams and closes every connection. */
  close(): Promise<void>;
}

function providerForPath(path: string): Provider {
  const api = APIS.find((a) => a.match(path));
  return api ? api.provider : "openai";
}

function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
  return pairs;
}

async function readBody(req: IncomingMessage, signal: AbortSignal): Promise<Buffer | "too-large" | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return "too-large";
      chunks.push(chunk as Buffer);
      if (signal.aborted) return null;
    }
  } catch {
    return null; // the client went away while sending
  }
  return Buffer.concat(chunks);
}

/** Starts the mock upstream. Resolves once it listens. */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const defaults = checkSwitches(options.defaults ?? {});
  const host = options.host ?? "127.0.0.1";
  const requests: RecordedRequest[] = [];
  const running = new Set<AbortController>();
  let counter = 0;

  const server = createServer({ noDelay: true }, (req, res) => {
    const started = Date.now();
    const record: RecordedRequest = {
      id: `req_mock_${(++counter).toString().padStart(6, "0")}`,
      method: req.method ?? "GET",
      path: req.url ?? "/",
      api: null,
      headers: headerPairs(req),
      body: "",
      status: null,
      stream: false,
      framesWritten: 0,
      framesPlanned: 0,
      state: "pending",
      durationMs: null,
    };
    requests.push(record);
    if (requests.length > MAX_RECORDED) requests.shift();
    const abort = new AbortController();
    running.add(abort);
    // `close` on the response fires when the reply is over or the connection is gone.
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    handle(req, res, record, abort.signal)
      .catch((err) => {
        // A bug in the mock must not take the server down: answer 500 if still possible.
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`mock-llm internal error: ${err instanceof Error ? err.message : String(err)}\n`);
        } else res.destroy();
      })
      .finally(() => {
        running.delete(abort);
        if (record.state === "pending") record.state = abort.signal.aborted ? "aborted" : "finished";
        record.durationMs = Date.now() - started;
        options.onRequest?.(record);
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, signal: AbortSignal): Promise<void> {
    // Concatenated, not resolved: a path such as `//x` must stay a path, not become a host.
    const url = new URL("http://mock-llm.invalid" + (record.path.startsWith("/") ? record.path : "/" + record.path));
    const provider = providerForPath(url.pathname);
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (signal.aborted) return;
      const text = JSON.stringify(body);
      record.status = status;
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(text)),
        "x-request-id": record.id,
        ...(provider === "anthropic" ? { "request-id": record.id } : {}),
        ...headers,
      });
      res.end(text);
    };
    const sendError = (err: ApiError) => {
      const reply = errorReply(provider, err, record.id);
      sendJson(reply.status, reply.body, reply.headers);
    };

    const body = await readBody(req, signal);
    if (body === null) return;
    if (body === "too-large") return sendError({ status: 413, message: `Request body larger than ${MAX_BODY_BYTES} bytes.` });
    record.body = body.toString("utf8");

    if (req.method === "GET" && url.pathname === "/_mock/requests") return sendJson(200, { requests: requests.filter((r) => r !== record) });
    const api = APIS.find((a) => a.match(url.pathname));
    if (!api) return sendError({ status: 404, message: `Invalid URL (${record.method} ${url.pathname}): mock-llm serves ${APIS.map((a) => a.name).join(", ")}.`, code: null });
    record.api = api.name;
    if (req.method !== "POST") return sendError({ status: 405, message: `Method ${record.method} not allowed on ${url.pathname}; use POST.`, code: null });

    let switches: Switches;
    try {
      switches = switchesFor(req.headers, defaults);
    } catch (err) {
      if (err instanceof SwitchError) return sendError({ status: 400, message: `mock-llm switch ${err.message}`, param: null, code: null });
      throw err;
    }
    if (!(await pause(switches.latencyMs, signal))) return;
    const forced: ApiError | null = switches.failStatus === null ? null : { status: switches.failStatus, message: forcedFailureMessage(switches.failStatus) };
    // With x-mock-fail-after, x-mock-fail only picks the status of the in-stream error.
    if (forced && switches.failAfter === null) return sendError(forced);

    let parsed: unknown;
    try {
      parsed = JSON.parse(record.body);
    } catch {
      return sendError({ status: 400, message: "We could not parse the JSON body of your request: expected a JSON object.", code: null });
    }
    if (!isObject(parsed)) return sendError({ status: 400, message: "The request body must be a JSON object.", code: null });

    const reply: ApiReply = api.respond({ body: parsed, rawBody: record.body, url, switches, requestId: record.id, now: Math.floor(Date.now() / 1000) });
    if (reply.kind === "error") return sendError(reply.error);
    if (reply.kind === "json") return forced ? sendError(forced) : sendJson(200, reply.body);

    record.stream = true;
    record.status = 200;
    record.framesPlanned = reply.frames.length;
    res.writeHead(200, {
      "content-type": reply.contentType,
      "cache-control": "no-cache",
      "x-request-id": record.id,
      ...(provider === "anthropic" ? { "request-id": record.id } : {}),
    });
    // Headers leave now, as a real upstream's do, before the first event is ready.
    res.flushHeaders();
    record.state = await writeStream(res, {
      frames: reply.frames,
      delayMs: switches.chunkDelayMs,
      failAfter: switches.failAfter,
      disconnectAfter: switches.disconnectAfter,
      errorFrame: (written) => reply.inStreamError(forced ?? { status: 500, message: "The server had an error while streaming (mock-llm: x-mock-fail-after)." }, written),
      signal,
      onFrame: (n) => (record.framesWritten = n),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const abort of running) abort.abort();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
