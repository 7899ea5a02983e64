/**
 * @module bench/baselines/grpc-roundtrip
 * The yardstick the router and token-limit benchmarks compare against: one loopback gRPC unary
 * round trip (@grpc/grpc-js client and server in this process, 127.0.0.1, a 4 KB message echoed
 * back), measured call after call as a filter's callout would wait for its answer. Reports
 * percentiles of the per-call time; every echo is checked, so a broken transport cannot pass
 * for a fast one.
 *
 * @example
 *   const rt = await measureGrpcRoundTrip();
 *   console.log(`gRPC round trip p50 ${rt.p50Us.toFixed(1)} µs`);
 */
import * as grpc from "@grpc/grpc-js";

export interface GrpcRoundTripOptions {
  /** Bytes in each request and echoed response (default 4096). */
  messageBytes?: number;
  /** Measured calls (default 2000, capped at 100,000). */
  iterations?: number;
  /** Calls made first and not measured, so connection set-up and JIT warm-up are left out (default 200). */
  warmup?: number;
}

export interface GrpcRoundTrip {
  messageBytes: number;
  iterations: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
}

const PATH = "/tollgate.bench.Echo/Echo";
const identity = (b: Buffer) => b;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function measureGrpcRoundTrip(options: GrpcRoundTripOptions = {}): Promise<GrpcRoundTrip> {
  const messageBytes = options.messageBytes ?? 4096;
  const iterations = Math.min(Math.max(1, options.iterations ?? 2000), 100_000);
  const warmup = Math.min(Math.max(0, options.warmup ?? 200), 10_000);

  const server = new grpc.Server();
  server.addService(
    { Echo: { path: PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });

  const payload = Buffer.alloc(messageBytes);
  for (let i = 0; i < messageBytes; i++) payload[i] = (i * 31 + 7) & 0xff;
  const call = () =>
    new Promise<void>((resolve, reject) => {
      client.makeUnaryRequest<Buffer, Buffer>(PATH, identity, identity, payload, (err, value) => {
        if (err) reject(err);
        else if (!value || !payload.equals(value)) reject(new Error("echo returned different bytes"));
        else resolve();
      });
    });

  try {
    for (let i = 0; i < warmup; i++) await call();
    const samples: number[] = new Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await call();
      samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const sorted = samples.slice().sort((a, b) => a - b);
    return {
      messageBytes,
      iterations,
      p50Us: percentile(sorted, 50),
      p90Us: percentile(sorted, 90),
      p99Us: percentile(sorted, 99),
      meanUs: samples.reduce((a, b) => a + b, 0) / iterations,
    };
  } finally {
    client.close();
    server.forceShutdown();
  }
}
