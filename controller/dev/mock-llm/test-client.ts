/**
 * @module controller/dev/mock-llm/test-client
 * A small HTTP client for the mock's tests: posts JSON over a real socket and hands back
 * the body as it arrives, so tests can look at the server between two stream events.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from "node:http";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

/** Starts a POST and resolves with the response head; the body is left to the caller. */
export function open(base: string, path: string, body: unknown, headers: Record<string, string> = {}, method = "POST"): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const payload = typeof body === "string" ? body : JSON.stringify(body);
    const req = request(url, { method, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers } }, resolve);
    req.on("error", reject);
    req.end(payload);
  });
}

/** Posts and reads the whole reply. */
export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}, method = "POST"): Promise<Reply> {
  const res = await open(base, path, body, headers, method);
  let text = "";
  res.setEncoding("utf8");
  for await (const chunk of res) text += chunk;
  return { status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) };
}

export interface SseEvent {
  event: string | null;
  data: string;
}

/** Splits an SSE body into events (either line ending), skipping comments. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) continue;
      const m = /^([a-z]+): ?(.*)$/.exec(line);
      if (!m) throw new Error(`not an SSE line: ${JSON.stringify(line)}`);
      if (m[1] === "event") event = m[2];
      else if (m[1] === "data") data.push(m[2]);
    }
    events.push({ event, data: data.join("\n") });
  }
  return events;
}

/** The JSON payloads of an SSE body, `[DONE]` kept as the string. */
export function sseJson(text: string): any[] {
  return parseSse(text).map((e) => (e.data === "[DONE]" ? "[DONE]" : JSON.parse(e.data)));
}

/** Resolves when `predicate` holds, polling briefly; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
