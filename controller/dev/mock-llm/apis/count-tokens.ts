/**
 * @module controller/dev/mock-llm/apis/count-tokens
 * The token-count helpers gateways should pass through untouched (they generate nothing):
 * Anthropic `…/messages/count_tokens`, OpenAI `…/responses/input_tokens`, Gemini
 * `…/models/<model>:countTokens`. Each counts exactly as the matching generate call does.
 */
import { anthropicMessages } from "./anthropic-messages.ts";
import { gemini } from "./gemini.ts";
import { responses } from "./openai-responses.ts";
import type { Api, ApiInput, ApiReply } from "./api.ts";

/** Runs the generate API on the same body and keeps only its input count. */
function inputCount(api: Api, input: ApiInput, read: (body: any) => number | undefined): number | ApiReply {
  const reply = api.respond({ ...input, body: { ...input.body, stream: false }, switches: { ...input.switches, noUsage: false, answer: "", chunks: null } });
  if (reply.kind !== "json") return reply;
  return read(reply.body) ?? 0;
}

export const anthropicCountTokens: Api = {
  name: "messages.count_tokens",
  provider: "anthropic",
  match: (path) => path.endsWith("/messages/count_tokens"),
  respond(input) {
    // count_tokens takes no max_tokens; the generate call needs one.
    const n = inputCount(anthropicMessages, { ...input, body: { max_tokens: 1, ...input.body } }, (b) => b.usage?.input_tokens);
    return typeof n === "number" ? { kind: "json", body: { input_tokens: n } } : n;
  },
};

export const responsesInputTokens: Api = {
  name: "responses.input_tokens",
  provider: "openai",
  match: (path) => path.endsWith("/responses/input_tokens"),
  respond(input) {
    const n = inputCount(responses, input, (b) => b.usage?.input_tokens);
    return typeof n === "number" ? { kind: "json", body: { object: "response.input_tokens", input_tokens: n } } : n;
  },
};

const GEMINI_COUNT = /\/models\/([^/]+):countTokens$/;

export const geminiCountTokens: Api = {
  name: "gemini.countTokens",
  provider: "gemini",
  match: (path) => GEMINI_COUNT.test(path),
  respond(input) {
    const url = new URL(input.url.href.replace(/:countTokens(?=$|\?)/, ":generateContent"));
    const n = inputCount(gemini, { ...input, url }, (b) => b.usageMetadata?.promptTokenCount);
    return typeof n === "number" ? { kind: "json", body: { totalTokens: n } } : n;
  },
};
