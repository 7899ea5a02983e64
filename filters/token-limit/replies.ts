/**
 * @module filters/token-limit/replies
 * What clients see of the limits: `x-ratelimit-limit-tokens`, `x-ratelimit-remaining-tokens`
 * and `x-ratelimit-reset-tokens` (OpenAI's names and reset format, e.g. `6m0s`) for the
 * tightest limit on every limited response, and the 429 refusal with `retry-after` and an
 * OpenAI-style error naming the limit.
 */
import { HeaderPair, MapType, addHeaderMapValueAt, sendLocalResponse } from "../sdk/index";
import { ByteBuffer } from "../lib/bytes";
import { appendDuration } from "../lib/duration";
import { appendI64 } from "../lib/decimal";
import { openAIErrorBody } from "../common/openai-error";
import { AppliedLimit } from "./limits";

function resetText(ms: i64): string {
  const b = new ByteBuffer(16);
  appendDuration(b, ms);
  return b.toString();
}

// Names encoded once and one buffer for the values: these headers go on every limited response.
const LIMIT_TOKENS = String.UTF8.encode("x-ratelimit-limit-tokens");
const REMAINING_TOKENS = String.UTF8.encode("x-ratelimit-remaining-tokens");
const RESET_TOKENS = String.UTF8.encode("x-ratelimit-reset-tokens");
const value = new ByteBuffer(32);

function addHeader(name: ArrayBuffer, v: ByteBuffer): void {
  addHeaderMapValueAt(MapType.HttpResponseHeaders, name, v.dataStart, <usize>v.length);
}

export function addLimitHeaders(a: AppliedLimit): void {
  value.reset();
  appendI64(value, a.limit.tokens);
  addHeader(LIMIT_TOKENS, value);
  value.reset();
  appendI64(value, a.remaining);
  addHeader(REMAINING_TOKENS, value);
  value.reset();
  appendDuration(value, a.resetMs);
  addHeader(RESET_TOKENS, value);
}

/** Whole seconds to wait, at least 1. */
export function retryAfterSeconds(ms: i64): i64 {
  const s = (ms + 999) / 1000;
  return s < 1 ? 1 : s;
}

/** Answers 429 for the limit `by`; the caller returns a Stop status. */
export function sendLimitExceeded(by: AppliedLimit, retryMs: i64): void {
  const wait = retryAfterSeconds(retryMs);
  const message = "token rate limit \"" + by.limit.name + "\" exceeded: " + by.remaining.toString() + " of " +
    by.limit.tokens.toString() + " tokens left in the window, not enough for this request; try again in " + wait.toString() + "s";
  const headers: HeaderPair[] = [
    HeaderPair.of("content-type", "application/json"),
    HeaderPair.of("retry-after", wait.toString()),
    HeaderPair.of("x-ratelimit-limit-tokens", by.limit.tokens.toString()),
    HeaderPair.of("x-ratelimit-remaining-tokens", by.remaining.toString()),
    HeaderPair.of("x-ratelimit-reset-tokens", resetText(by.resetMs)),
  ];
  sendLocalResponse(429, "token_limit_exceeded", openAIErrorBody("tokens", "rate_limit_exceeded", message), headers);
}
