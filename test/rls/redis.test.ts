/**
 * @module test/rls/redis.test
 * The RESP client against the real Redis of `bash test/services.sh start` (port 6379 or
 * `TOLLGATE_REDIS_PORT`), under a key prefix unique to this run; plus its failure paths
 * against sockets that refuse, never answer, or hang up.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { RedisClient, RedisConnectionError, RedisReplyError, redisPort } from "./redis.ts";

const prefix = `tollgate-redis-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const redis = await RedisClient.connect({ port: redisPort() });

function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as any).port }));
  });
}

test("PING, INCRBY, GET, EXPIRE, TTL and PTTL against the real Redis", async () => {
  assert.is(await redis.ping(), "PONG");
  const key = prefix + "counter";
  assert.is(await redis.get(key), null);
  assert.is(await redis.incrBy(key, 5), 5);
  assert.is(await redis.incrBy(key, 0), 5);
  assert.is(await redis.incrBy(key, 37), 42);
  assert.is(await redis.get(key), "42");
  assert.is(await redis.ttl(key), -1); // no expiry yet
  assert.is(await redis.expire(key, 60), 1);
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  assert.is(await redis.pexpire(key, 1500), 1);
  const pttl = await redis.pttl(key);
  assert.ok(pttl > 0 && pttl <= 1500, `pttl ${pttl}`);
  assert.is(await redis.ttl(prefix + "missing"), -2);
});

test("pipelined commands are answered in order; error replies are values in a pipeline and thrown by command()", async () => {
  const key = prefix + "pipe";
  const replies = await redis.pipeline([["SET", key, "x"], ["INCRBY", key, 1], ["GET", key], ["ECHO", "héllo €"]]);
  assert.is(replies[0], "OK");
  assert.instance(replies[1], RedisReplyError);
  assert.match((replies[1] as Error).message, /not an integer/);
  assert.is(replies[2], "x");
  assert.is(replies[3], "héllo €");
  try {
    await redis.command("INCRBY", key, 1);
    assert.unreachable("INCRBY on a string must fail");
  } catch (e) {
    assert.instance(e, RedisReplyError);
  }
  assert.is(await redis.ping(), "PONG", "the connection survives an error reply");
});

test("MULTI/EXEC returns each command's result; a command Redis cannot queue aborts the transaction", async () => {
  const key = prefix + "tx";
  const results = await redis.transaction([["INCRBY", key, 3], ["EXPIRE", key, 30], ["INCRBY", key, 4]]);
  assert.equal(results, [3, 1, 7]);
  try {
    await redis.transaction([["INCRBY", key, 1], ["NOSUCHCOMMAND"]]);
    assert.unreachable("the transaction must be refused");
  } catch (e) {
    assert.instance(e, RedisReplyError);
  }
  assert.is(await redis.get(key), "7", "nothing of the aborted transaction ran");
});

test("EVAL runs an atomic increment-with-expiry script", async () => {
  const key = prefix + "lua";
  const script = "local v = redis.call('INCRBY', KEYS[1], ARGV[1]); redis.call('EXPIRE', KEYS[1], ARGV[2]); return v";
  assert.is(await redis.eval(script, [key], [10, 60]), 10);
  assert.is(await redis.eval(script, [key], [5, 60]), 15);
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= 60);
});

test("a large value arriving in many chunks is reassembled", async () => {
  const key = prefix + "big";
  const value = "ab€".repeat(400_000);
  await redis.command("SET", key, value);
  assert.is(await redis.get(key), value);
  const many = await redis.pipeline(Array.from({ length: 2000 }, (_, i) => ["ECHO", `m${i}`]));
  assert.equal(many, Array.from({ length: 2000 }, (_, i) => `m${i}`));
});

test("keys and deleteByPrefix see only this prefix, even with glob characters in it", async () => {
  const p = prefix + "scan*[x]?:";
  for (let i = 0; i < 25; i++) await redis.incrBy(p + i, 1);
  await redis.incrBy(prefix + "scanother", 1);
  assert.is((await redis.keys(p)).length, 25);
  assert.is(await redis.deleteByPrefix(p), 25);
  assert.is((await redis.keys(p)).length, 0);
  assert.is(await redis.get(prefix + "scanother"), "1");
});

test("a refused connection, a silent server and a hang-up fail with connection errors", async () => {
  const closed = await listen(() => {});
  const port = (closed.server.address() as any).port;
  await new Promise((r) => closed.server.close(r));
  try {
    await RedisClient.connect({ port });
    assert.unreachable("connect must fail");
  } catch (e) {
    assert.instance(e, RedisConnectionError);
  }

  const silent = await listen(() => {});
  const c1 = await RedisClient.connect({ port: silent.port, timeoutMs: 150 });
  const t0 = Date.now();
  try {
    await c1.ping();
    assert.unreachable("no answer must time out");
  } catch (e) {
    assert.instance(e, RedisConnectionError);
    assert.match((e as Error).message, /did not answer within 150 ms/);
  }
  assert.ok(Date.now() - t0 < 2000);
  assert.not.ok(c1.usable);
  try {
    await c1.ping();
    assert.unreachable("a failed connection stays failed");
  } catch (e) {
    assert.instance(e, RedisConnectionError);
  }
  silent.server.close();

  const hangup = await listen((s) => s.once("data", () => s.destroy()));
  const c2 = await RedisClient.connect({ port: hangup.port });
  try {
    await c2.ping();
    assert.unreachable("a hang-up must fail the pending command");
  } catch (e) {
    assert.instance(e, RedisConnectionError);
  }
  hangup.server.close();
});

test.after(async () => {
  await redis.deleteByPrefix(prefix);
  redis.close();
});

test.run();
