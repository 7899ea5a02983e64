/**
 * @module filters/lib/proto/rls-types
 * The enums shared by Envoy's rate limit service messages, with the protocol's own numbers
 * (`envoy.service.ratelimit.v3.RateLimitResponse.Code`, `RateLimitResponse.RateLimit.Unit`,
 * which equals `envoy.type.v3.RateLimitUnit`). Decoded values are kept as plain numbers since
 * proto3 enums are open: a newer service may send a value this build does not name.
 */

export const enum RateLimitCode {
  Unknown = 0,
  Ok = 1,
  OverLimit = 2,
}

export const enum RateLimitUnit {
  Unknown = 0,
  Second = 1,
  Minute = 2,
  Hour = 3,
  Day = 4,
  Month = 5,
  Year = 6,
}

/** Seconds in one window of `unit` as envoyproxy/ratelimit counts them (0 for Unknown or an unnamed value). */
export function unitSeconds(unit: u32): i64 {
  switch (unit) {
    case RateLimitUnit.Second: return 1;
    case RateLimitUnit.Minute: return 60;
    case RateLimitUnit.Hour: return 3600;
    case RateLimitUnit.Day: return 86400;
    case RateLimitUnit.Month: return 86400 * 30;
    case RateLimitUnit.Year: return 86400 * 365;
    default: return 0;
  }
}

/** The gRPC service and method a filter names in `proxy_grpc_call` for a rate limit check. */
export const RLS_SERVICE_NAME = "envoy.service.ratelimit.v3.RateLimitService";
export const RLS_METHOD_NAME = "ShouldRateLimit";
