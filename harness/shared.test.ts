/**
 * @module harness/shared.test
 * Shared data, queues, ticks and metrics (§10.10, §10.12), including what several worker
 * VMs share and what each keeps to itself.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GET, scripted, streamLogs } from "./testdata/helpers.ts";
import { SharedStore } from "./shared-store.ts";
import { Status } from "./abi.ts";
import { bytes } from "./memory.ts";

test("shared data: CAS from one global counter from 1; mismatch rejected; a missing key is set whatever the cas", async () => {
  const host = await scripted([
    "request_headers shared get k",
    "request_headers shared set k v1 77",
    "request_headers shared get k",
    "request_headers shared set k v2 5",
    "request_headers shared set k v2 1",
    "request_headers shared get k",
    "request_headers shared set e - 0",
    "request_headers shared get e",
  ].join("\n"));
  host.stream().sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).slice(1), [
    "shared get k status=1", "shared set k status=0", "shared get k=v1 cas=1", "shared set k status=8", "shared set k status=0",
    "shared get k=v2 cas=2", "shared set e status=0", "shared get e=(ptr0) cas=3",
  ]);
  assert.is(host.sharedData.get("k")?.value, "v2");
});

test("shared data: the store keeps its own copy, updated in place; snapshots keep their bytes; CAS as before", () => {
  const store = new SharedStore(), text = (b?: Uint8Array) => b && Buffer.from(b).toString();
  const module = bytes("aaaa");
  assert.is(store.set("", "k", module, 0), Status.OK);
  module.set(bytes("zzzz"));
  assert.equal([text(store.get("", "k")?.value), store.get("", "k")?.cas], ["aaaa", 1], "the value was copied");
  const snapshot = store.entries();
  assert.is(store.set("", "k", bytes("bbbb"), 7), Status.CAS_MISMATCH);
  assert.is(store.set("", "k", bytes("bbbb"), 1), Status.OK);
  assert.equal([text(store.get("", "k")?.value), store.get("", "k")?.cas], ["bbbb", 2]);
  assert.equal([text(snapshot.get("k")?.value), snapshot.get("k")?.cas], ["aaaa", 1], "a snapshot is not changed by a later set");
  assert.is(store.set("", "k", bytes("cc"), 0), Status.OK);
  assert.equal([text(store.get("", "k")?.value), store.get("", "k")?.cas], ["cc", 3], "another length");
  assert.is(store.set("", "other", bytes("x"), 99), Status.OK, "a missing key is set whatever the cas");
  assert.equal(store.get("", "other")?.cas, 4);
});

test("workers are separate VMs (own context ids and metric ids) that share data and stats", async () => {
  const host = await scripted("configure metric define 0 reqs\nrequest_headers metric inc reqs 1\nrequest_headers shared get k\nrequest_headers shared set k w 0", { workers: 2 });
  assert.is(host.vms.length, 2);
  const a = host.stream(), b = host.stream();
  assert.equal([a.worker, b.worker, a.contextIds[0], b.contextIds[0]], [0, 1, 2, 2]);
  a.sendRequestHeaders(GET, true);
  b.sendRequestHeaders(GET, true);
  assert.ok(b.logs().includes("shared get k=w cas=1"), "worker 1 sees what worker 0 stored");
  assert.is(host.metric("reqs")?.value, 2);
  assert.equal(host.logs().filter((l) => l.startsWith("metric define")), ["metric define reqs id=4 status=0", "metric define reqs id=4 status=0"]);
});

test("queues: ids from 1; re-register keeps the id and items; notification goes to the latest registrant; EMPTY and NOT_FOUND", async () => {
  const host = await scripted([
    "configure queue register jobs",
    "request_headers queue enqueue 1 a",
    "request_headers queue enqueue 2 x",
    "queue_ready queue dequeue 1",
    "queue_ready queue dequeue 1",
    "request_headers queue resolve - jobs",
    "request_headers queue resolve other jobs",
  ].join("\n"), { workers: 2 });
  assert.equal(host.logs().filter((l) => l.startsWith("queue register")), ["queue register jobs id=1 status=0", "queue register jobs id=1 status=0"]);
  host.stream({ worker: 0 }).sendRequestHeaders(GET, true);
  const ready = host.logEntries.filter((e) => e.message.startsWith("queue_ready"));
  assert.equal(ready.map((e) => e.worker), [1], "worker 1 registered last, so it is notified");
  assert.equal(host.logEntries.filter((e) => e.worker === 1 && e.message.startsWith("queue dequeue")).map((e) => e.message), ["queue dequeue=a", "queue dequeue status=7"]);
  assert.ok(host.logs().includes("queue enqueue status=1"));
  assert.ok(host.logs().includes("queue resolve jobs id=1 status=0"));
  assert.ok(host.logs().includes("queue resolve jobs id=0 status=1") || host.logs().some((l) => l.startsWith("queue resolve jobs") && l.endsWith("status=1")));
});

test("ticks are keyed by the root, re-armed after each tick, stopped by 0; a stream sets its root's period", async () => {
  const host = await scripted("request_headers tick 100\ntick#3 tick 0");
  host.stream().sendRequestHeaders(GET, true);
  host.advance(99);
  assert.is(host.logs().filter((l) => l.startsWith("tick 1")).length, 0);
  host.advance(1);
  host.advance(250);
  assert.equal(host.logs().filter((l) => l === "tick 1").length, 3, "ticks at 100, 200, 300, then stopped");
  host.advance(1000);
  assert.equal(host.logs().filter((l) => l === "tick 1").length, 3);
});

test("metrics: ids carry the type; define twice = two ids, one stat; counter delta ≤ 0 and histogram increments are BAD_ARGUMENT", async () => {
  const host = await scripted([
    "configure metric define 0 c",
    "configure metric define 1 g",
    "configure metric define 2 h",
    "configure metric define 0 c",
    "configure metric define 3 bad",
    "request_headers metric inc c 5",
    "request_headers metric inc 4 2",
    "request_headers metric inc c 0",
    "request_headers metric inc c -1",
    "request_headers metric get c",
    "request_headers metric inc g -3",
    "request_headers metric rec g 10",
    "request_headers metric inc g -3",
    "request_headers metric get g",
    "request_headers metric rec h 42",
    "request_headers metric inc h 1",
    "request_headers metric get h",
    "request_headers metric rec c 3",
    "request_headers metric get 100",
    "request_headers metric inc 100 1",
  ].join("\n"));
  assert.equal(host.logs().filter((l) => l.startsWith("metric define")), [
    "metric define c id=4 status=0", "metric define g id=5 status=0", "metric define h id=6 status=0", "metric define c id=8 status=0", "metric define bad id=8 status=2",
  ]);
  host.stream().sendRequestHeaders(GET, true);
  const logs = streamLogs(host);
  assert.equal(logs.slice(logs.indexOf("context_create 2 parent=1") + 1), [
    "metric inc c status=0", "metric inc 4 status=0", "metric inc c status=2", "metric inc c status=2", "metric get c=7",
    "metric inc g status=0", "metric rec g status=0", "metric inc g status=0", "metric get g=7",
    "metric rec h status=0", "metric inc h status=2", "metric get h status=2", "metric rec c status=0",
    "metric get 100 status=1", "metric inc 100 status=1",
  ]);
  assert.equal(host.metric("c"), { name: "c", type: "counter", value: 10, samples: [] });
  assert.equal(host.metric("h")?.samples, [42]);
});

test.run();
