/**
 * @module filters/lib/proto
 * Hand-written protobuf for the global rate limit callout: encode a `RateLimitRequest`, decode
 * a `RateLimitResponse` (Envoy's `envoy.service.ratelimit.v3` messages), on top of a minimal,
 * bounds-checked wire reader and writer. Pure: no SDK, no host calls.
 */
export * from "./wire";
export * from "./rls-types";
export * from "./rls-request";
export * from "./rls-response";
