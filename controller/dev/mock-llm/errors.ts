/**
 * @module controller/dev/mock-llm/errors
 * Error replies in each provider's own shape (reference: llm-wire-formats §4), before a
 * stream starts (status + JSON body + rate-limit headers) and inside a started stream.
 */

export type Provider = "openai" | "anthropic" | "gemini";

/** A failure to report to the client: status, a message, and the request field at fault if any. */
export interface ApiError {
  status: number;
  message: string;
  param?: string | null;
  /** Provider-specific code (OpenAI `code`), when the generic one for the status does not fit. */
  code?: string | null;
}

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function openaiType(status: number): { type: string; code: string | null } {
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found" };
  if (status >= 500) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function anthropicType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

const GEMINI_STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function geminiStatus(status: number): string {
  return GEMINI_STATUSES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
}

/** Seconds a client should wait after a mock 429. */
const RETRY_AFTER_S = 1;

/** The error object as the provider nests it in a body or stream event. */
export function errorBody(provider: Provider, err: ApiError, requestId: string): unknown {
  switch (provider) {
    case "openai": {
      const { type, code } = openaiType(err.status);
      return { error: { message: err.message, type, param: err.param ?? null, code: err.code === undefined ? code : err.code } };
    }
    case "anthropic":
      return { type: "error", error: { type: anthropicType(err.status), message: err.message }, request_id: requestId };
    case "gemini": {
      const error: Record<string, unknown> = { code: err.status, message: err.message, status: geminiStatus(err.status) };
      if (err.status === 429) {
        error.details = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${RETRY_AFTER_S}s` }];
      }
      return { error };
    }
  }
}

/** A complete error reply: status, the provider's rate-limit headers on a 429, and the body. */
export function errorReply(provider: Provider, err: ApiError, requestId: string): ErrorReply {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (err.status === 429) {
    headers["retry-after"] = String(RETRY_AFTER_S);
    if (provider === "openai") {
      headers["x-ratelimit-limit-requests"] = "60";
      headers["x-ratelimit-remaining-requests"] = "0";
      headers["x-ratelimit-reset-requests"] = `${RETRY_AFTER_S}s`;
    } else if (provider === "anthropic") {
      headers["anthropic-ratelimit-requests-limit"] = "60";
      headers["anthropic-ratelimit-requests-remaining"] = "0";
      headers["anthropic-ratelimit-requests-reset"] = new Date(Date.now() + RETRY_AFTER_S * 1000).toISOString();
    }
  }
  return { status: err.status, headers, body: errorBody(provider, err, requestId) };
}

/** The message of a reply forced by `x-mock-fail`. */
export function forcedFailureMessage(status: number): string {
  if (status === 429) return "Rate limit reached (mock-llm: x-mock-fail: 429).";
  if (status === 503 || status === 529) return `The server is overloaded (mock-llm: x-mock-fail: ${status}).`;
  if (status >= 500) return `The server had an error while processing your request (mock-llm: x-mock-fail: ${status}).`;
  return `Request rejected (mock-llm: x-mock-fail: ${status}).`;
}
