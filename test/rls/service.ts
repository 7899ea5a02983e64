/**
 * @module test/rls/service
 * A rate limit service for tests: `envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit`
 * on @grpc/grpc-js (hand-written protobuf, no proto-loader) with envoyproxy/ratelimit's
 * semantics — fixed windows per unit, counters in a real Redis under
 * `<prefix><domain>_<key>_<value>_…_<window start>` with the window as expiry, `hits_addend`
 * per request or per descriptor (0 checks without spending), OVER_LIMIT once a counter passes
 * its limit, `limit_remaining` and `duration_until_reset`. Switches make it slow (`setLatency`)
 * or down (`setDown`: the port refuses connections) so a filter's timeout and failure mode can
 * be tested. Listens on 127.0.0.1 only.
 *
 * @example
 *   const rls = await startRateLimitService({ redisPort: 6379, limits: [
 *     { entries: [{ key: "api_key" }], requestsPerUnit: 1000, unit: "minute", name: "per-key" }] });
 *   // … point the harness's gRPC cluster at rls.address …
 *   await rls.close();
 */
import * as grpc from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";
import { cacheKey, hitsFor, resolveLimit, statusFor, validateLimits, type AppliedLimit, type DescriptorLimit } from "./limits.ts";
import { Code, decodeRequest, encodeResponse, type DescriptorStatus, type HeaderValue, type RateLimitRequest, type RateLimitResponse } from "./proto/rls.ts";
import { ProtoDecodeError } from "./proto/wire.ts";
import { RedisClient, RedisReplyError } from "./redis.ts";

export const RLS_SERVICE = "envoy.service.ratelimit.v3.RateLimitService";
export const RLS_METHOD = "ShouldRateLimit";
export const RLS_PATH = `/${RLS_SERVICE}/${RLS_METHOD}`;

export interface RateLimitServiceOptions {
  /** Port of the Redis that keeps the counters (on 127.0.0.1, or `redisHost`). */
  redisPort: number;
  redisHost?: string;
  limits: DescriptorLimit[];
  /** The domain the limits belong to (default "tollgate"); other domains are never limited. */
  domain?: string;
  /** Port to listen on (default: any free port). */
  port?: number;
  /** Prefix of every Redis key (default: unique per service, so test runs never share counters). */
  keyPrefix?: string;
  /** Clock in milliseconds (default `Date.now`); tests move it to cross window boundaries. */
  clock?: () => number;
  /** Add envoyproxy/ratelimit's `RateLimit-Limit/-Remaining/-Reset` headers for the tightest descriptor. */
  responseHeaders?: boolean;
  /** Deadline for a Redis answer before the call fails with UNAVAILABLE (default 1000 ms). */
  redisTimeoutMs?: number;
}

export interface RateLimitService {
  /** `127.0.0.1:<port>`: what a gRPC client (or a harness cluster) connects to. */
  address: string;
  port: number;
  keyPrefix: string;
  /** Requests decoded so far, in arrival order (what the filter sent); the latest 10,000 are kept. */
  received: RateLimitRequest[];
  /** Delays every answer by `ms` (the Redis update happens after the delay, as with a slow service). */
  setLatency(ms: number): void;
  /**
   * `true` (or `"refuse"`) closes the port at once: connections in flight are cut, new ones
   * refused, as when the service's pod is gone; gRPC clients then back off before reconnecting.
   * `"unavailable"` keeps the port open and answers every call with UNAVAILABLE, as an overloaded
   * or Redis-less service does; clients see the recovery at once. `false` serves again (on the
   * same port). Resolves when the change is in effect.
   */
  setDown(down: boolean | "refuse" | "unavailable"): Promise<void>;
  /** Stops the server, closes Redis and deletes this service's keys. */
  close(): Promise<void>;
}

const identity = (b: Buffer) => b;
const MAX_RECEIVED = 10_000;

function bind(server: grpc.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

/** Starts the service; rejects if the configuration is invalid or Redis does not answer. */
export async function startRateLimitService(options: RateLimitServiceOptions): Promise<RateLimitService> {
  validateLimits(options.limits);
  const domain = options.domain ?? "tollgate";
  const keyPrefix = options.keyPrefix ?? `tollgate-rls-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const clock = options.clock ?? Date.now;
  const redisOptions = { host: options.redisHost, port: options.redisPort, timeoutMs: options.redisTimeoutMs ?? 1000 };
  let redis = await RedisClient.connect(redisOptions);
  await redis.ping();
  let latencyMs = 0;
  let unavailable = false;
  const received: RateLimitRequest[] = [];

  let closed = false;

  /**
   * The Redis connection, reopened after a failure so a restarted Redis is picked up again, but
   * never after `close()`: an answer delayed by `setLatency` that lands afterwards must not open a
   * socket that keeps the test process alive.
   */
  async function connection(): Promise<RedisClient> {
    if (closed) throw new RedisReplyError("rate limit service is closed");
    if (!redis.usable) redis = await RedisClient.connect(redisOptions);
    return redis;
  }

  async function shouldRateLimit(req: RateLimitRequest): Promise<RateLimitResponse> {
    const nowSeconds = clock() / 1000;
    const applied: (AppliedLimit | null)[] = req.domain === domain ? req.descriptors.map((d) => resolveLimit(options.limits, d)) : req.descriptors.map(() => null);
    const commands: (string | number)[][] = [];
    const slots: number[] = [];
    req.descriptors.forEach((d, i) => {
      const limit = applied[i];
      if (!limit) return;
      const key = cacheKey(keyPrefix, req.domain, d, limit, nowSeconds);
      slots[i] = commands.length;
      commands.push(["INCRBY", key, hitsFor(req, d)], ["EXPIRE", key, limit.unitSeconds]);
    });
    const results = commands.length ? await (await connection()).transaction(commands) : [];
    const statuses: DescriptorStatus[] = req.descriptors.map((_, i) => {
      const limit = applied[i];
      if (!limit) return { code: Code.OK, limitRemaining: 0 };
      const after = results[slots[i]];
      if (typeof after !== "number") throw after instanceof RedisReplyError ? after : new RedisReplyError(`unexpected INCRBY reply ${String(after)}`);
      return statusFor(limit, after, nowSeconds);
    });
    const overallCode = statuses.some((s) => s.code === Code.OVER_LIMIT) ? Code.OVER_LIMIT : Code.OK;
    const headers: HeaderValue[] = [];
    if (options.responseHeaders) {
      const limited = statuses.filter((s) => s.currentLimit);
      if (limited.length) {
        const tightest = limited.reduce((a, b) => (b.limitRemaining < a.limitRemaining ? b : a));
        headers.push(
          { key: "RateLimit-Limit", value: String(tightest.currentLimit!.requestsPerUnit) },
          { key: "RateLimit-Remaining", value: String(tightest.limitRemaining) },
          { key: "RateLimit-Reset", value: String(tightest.durationUntilReset!.seconds) },
        );
      }
    }
    return { overallCode, statuses, responseHeadersToAdd: headers, requestHeadersToAdd: [] };
  }

  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const answer = async (): Promise<Buffer> => {
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (unavailable) throw Object.assign(new Error("rate limit service is down"), { code: grpc.status.UNAVAILABLE });
      const req = decodeRequest(call.request);
      received.push(req);
      if (received.length > MAX_RECEIVED) received.splice(0, received.length - MAX_RECEIVED);
      if (!req.domain) throw Object.assign(new Error("rate limit domain must not be empty"), { code: grpc.status.INVALID_ARGUMENT });
      if (req.descriptors.length === 0) throw Object.assign(new Error("rate limit descriptor list must not be empty"), { code: grpc.status.INVALID_ARGUMENT });
      return Buffer.from(encodeResponse(await shouldRateLimit(req)));
    };
    answer().then(
      (bytes) => callback(null, bytes),
      (e: any) => {
        // Our own refusals carry a gRPC code; anything else came from Redis (or reaching it).
        const own = typeof e.code === "number";
        const code = e instanceof ProtoDecodeError ? grpc.status.INVALID_ARGUMENT : own ? (e.code as number) : grpc.status.UNAVAILABLE;
        const details = e instanceof ProtoDecodeError ? `malformed RateLimitRequest: ${e.message}` : own ? e.message : `redis error: ${e.message}`;
        callback({ code, details } as grpc.ServiceError, null);
      },
    );
  };

  const definition: grpc.ServiceDefinition = {
    [RLS_METHOD]: {
      path: RLS_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  const newServer = () => {
    const s = new grpc.Server();
    s.addService(definition, { [RLS_METHOD]: handler });
    return s;
  };

  let server: grpc.Server | null = newServer();
  const port = await bind(server, options.port ?? 0);

  return {
    address: `127.0.0.1:${port}`,
    port,
    keyPrefix,
    received,
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    async setDown(down) {
      unavailable = down === "unavailable";
      if (down === true || down === "refuse") {
        server?.forceShutdown();
        server = null;
      } else if (!server) {
        const s = newServer();
        await bind(s, port);
        server = s;
      }
    },
    async close() {
      server?.forceShutdown();
      server = null;
      try {
        const r = await connection();
        closed = true;
        await r.deleteByPrefix(keyPrefix);
        r.close();
      } catch {
        // Redis already gone: nothing left to clean.
      } finally {
        closed = true;
      }
    },
  };
}
