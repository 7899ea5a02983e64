/**
 * @module test/rls/redis
 * A tiny Redis client over `node:net` speaking RESP2: pipelined commands answered in order,
 * `MULTI`/`EXEC` transactions, and the few helpers the test rate limit service and its tests
 * need (INCRBY, EXPIRE, GET, TTL, EVAL, DEL by prefix). A command that gets no answer within
 * `timeoutMs` fails and drops the connection, so a hung Redis cannot hang a caller; after a
 * connection error every pending and later command fails until the caller reconnects.
 */
import { connect as netConnect, type Socket } from "node:net";

/** An error reply from Redis (`-ERR ...`), as opposed to a connection failure. */
export class RedisReplyError extends Error {}

/** A connection-level failure (refused, reset, closed, timed out). */
export class RedisConnectionError extends Error {}

export type RespValue = string | number | null | RedisReplyError | RespValue[];
type Arg = string | number | bigint | Uint8Array;

interface Pending {
  resolve(v: RespValue): void;
  reject(e: Error): void;
}

const CRLF = Buffer.from("\r\n");

/** Encodes a command as a RESP array of bulk strings. */
function encodeCommand(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = a instanceof Uint8Array ? Buffer.from(a) : Buffer.from(String(a), "utf8");
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

/** Parses one RESP2 value at `pos`; undefined when the buffer does not hold all of it yet. */
function parseValue(buf: Buffer, pos: number): { value: RespValue; next: number } | undefined {
  if (pos >= buf.length) return undefined;
  const lineEnd = buf.indexOf(CRLF, pos);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString("utf8", pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+": return { value: line, next };
    case "-": return { value: new RedisReplyError(line), next };
    case ":": return { value: Number(line), next };
    case "$": {
      const n = Number(line);
      if (n < 0) return { value: null, next };
      if (buf.length < next + n + 2) return undefined;
      return { value: buf.toString("utf8", next, next + n), next: next + n + 2 };
    }
    case "*": {
      const n = Number(line);
      if (n < 0) return { value: null, next };
      const items: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const item = parseValue(buf, p);
        if (!item) return undefined;
        items.push(item.value);
        p = item.next;
      }
      return { value: items, next: p };
    }
    default:
      throw new RedisConnectionError(`unexpected RESP type byte 0x${buf[pos].toString(16)}`);
  }
}

export interface RedisOptions {
  host?: string;
  port: number;
  /** Per-command answer deadline in milliseconds (default 2000). */
  timeoutMs?: number;
}

export class RedisClient {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending[] = [];
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(private socket: Socket, private timeoutMs: number) {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (e) => this.fail(new RedisConnectionError(`redis connection error: ${e.message}`)));
    socket.on("close", () => this.fail(new RedisConnectionError("redis connection closed")));
  }

  /** Connects to 127.0.0.1:`port` (or `host`); rejects if nothing answers. */
  static connect(options: RedisOptions): Promise<RedisClient> {
    const timeoutMs = options.timeoutMs ?? 2000;
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host ?? "127.0.0.1", port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RedisConnectionError(`redis at port ${options.port} did not accept a connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RedisClient(socket, timeoutMs));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(new RedisConnectionError(`cannot connect to redis at port ${options.port}: ${e.message}`));
      });
    });
  }

  /** True until the connection failed or was closed. */
  get usable(): boolean {
    return this.failure === null;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    try {
      for (;;) {
        const item = parseValue(this.buffer, pos);
        if (!item) break;
        pos = item.next;
        this.pending.shift()?.resolve(item.value);
      }
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.buffer = this.buffer.subarray(pos);
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || this.failure) return;
    this.timer = setTimeout(() => {
      this.fail(new RedisConnectionError(`redis did not answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  /** Sends several commands in one write; resolves to their replies in order (error replies included, not thrown). */
  pipeline(commands: Arg[][]): Promise<RespValue[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(() => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })));
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    this.armTimer();
    return Promise.all(replies);
  }

  /** One command; an error reply rejects with `RedisReplyError`. */
  async command(...args: Arg[]): Promise<RespValue> {
    const [reply] = await this.pipeline([args]);
    if (reply instanceof RedisReplyError) throw reply;
    return reply;
  }

  /**
   * Runs `commands` atomically (MULTI … EXEC) and resolves to their results; a command Redis
   * refused to queue aborts the whole transaction with its error.
   */
  async transaction(commands: Arg[][]): Promise<RespValue[]> {
    const replies = await this.pipeline([["MULTI"], ...commands, ["EXEC"]]);
    const queued = replies.slice(1, -1).find((r) => r instanceof RedisReplyError);
    if (queued) throw queued;
    const exec = replies[replies.length - 1];
    if (exec instanceof RedisReplyError) throw exec;
    if (!Array.isArray(exec)) throw new RedisReplyError("transaction discarded");
    return exec;
  }

  ping(): Promise<RespValue> { return this.command("PING"); }
  async get(key: string): Promise<string | null> { return (await this.command("GET", key)) as string | null; }
  async incrBy(key: string, n: number): Promise<number> { return (await this.command("INCRBY", key, n)) as number; }
  async expire(key: string, seconds: number): Promise<number> { return (await this.command("EXPIRE", key, seconds)) as number; }
  async pexpire(key: string, ms: number): Promise<number> { return (await this.command("PEXPIRE", key, ms)) as number; }
  async ttl(key: string): Promise<number> { return (await this.command("TTL", key)) as number; }
  async pttl(key: string): Promise<number> { return (await this.command("PTTL", key)) as number; }
  eval(script: string, keys: string[], args: Arg[] = []): Promise<RespValue> {
    return this.command("EVAL", script, keys.length, ...keys, ...args);
  }

  /** Keys starting with `prefix` (SCAN, so Redis is never blocked by KEYS). */
  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    const pattern = prefix.replace(/[*?[\]\\]/g, "\\$&") + "*";
    let cursor = "0";
    // Bounded: a SCAN over the test database ends long before this many rounds.
    for (let round = 0; round < 100_000; round++) {
      const [next, batch] = (await this.command("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)) as [string, string[]];
      found.push(...batch);
      cursor = next;
      if (cursor === "0") break;
    }
    return found;
  }

  /** Deletes every key starting with `prefix`; resolves to how many were deleted. */
  async deleteByPrefix(prefix: string): Promise<number> {
    const keys = await this.keys(prefix);
    let deleted = 0;
    for (let i = 0; i < keys.length; i += 500) deleted += (await this.command("DEL", ...keys.slice(i, i + 500))) as number;
    return deleted;
  }

  /** Closes the connection; pending commands fail. */
  close(): void {
    this.fail(new RedisConnectionError("redis client closed"));
  }
}

/** The Redis port tests use: `TOLLGATE_REDIS_PORT`, else 6379 (what `bash test/services.sh start` runs). */
export function redisPort(): number {
  return Number(process.env.TOLLGATE_REDIS_PORT ?? 6379);
}
