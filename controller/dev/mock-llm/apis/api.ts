/**
 * @module controller/dev/mock-llm/apis/api
 * The contract between the server and one API family (chat completions, messages, …):
 * an API matches a path and turns a parsed request into a reply — a JSON body, a stream
 * as a list of pre-rendered frames, or a client error. Pure: no sockets, no clock waits.
 */
import type { Switches } from "../switches.ts";
import type { ApiError, Provider } from "../errors.ts";

export interface ApiInput {
  /** The request body, parsed as a JSON object. */
  body: Record<string, unknown>;
  /** The body as received, for stable ids. */
  rawBody: string;
  url: URL;
  switches: Switches;
  requestId: string;
  /** Seconds since the epoch, for `created` fields. */
  now: number;
}

/** One stream event as written to the socket; `content` marks an answer piece. */
export interface Frame {
  data: string;
  content: boolean;
}

export type ApiReply =
  | { kind: "error"; error: ApiError }
  | { kind: "json"; body: unknown }
  | {
      kind: "stream";
      contentType: string;
      frames: Frame[];
      /** The provider's error event for a stream that has already started, after `framesWritten` frames. */
      inStreamError(err: ApiError, framesWritten: number): string;
    };

export interface Api {
  /** Short name used in logs and the request record, e.g. `chat.completions`. */
  name: string;
  provider: Provider;
  /** True if this API serves `path` (the URL path without query). */
  match(path: string): boolean;
  respond(input: ApiInput): ApiReply;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A 400 for a bad request field. */
export function invalid(message: string, param: string | null = null, code: string | null = null): ApiReply {
  return { kind: "error", error: { status: 400, message, param, code } };
}

/** An SSE event (`event:` line only when named), terminated by a blank line. */
export function sse(data: unknown, event?: string, eol = "\n"): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return (event ? `event: ${event}${eol}` : "") + `data: ${payload}${eol}${eol}`;
}

/** The texts of a content value that is a string or a list of parts with `text` (OpenAI, Anthropic). */
export function partTexts(content: unknown, out: string[] = []): string[] {
  if (typeof content === "string") out.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === "string") out.push(part);
      else if (isObject(part)) {
        if (typeof part.text === "string") out.push(part.text);
        // Anthropic tool results nest their own content.
        if (part.type === "tool_result") partTexts(part.content, out);
      }
    }
  }
  return out;
}
