/**
 * @module harness/properties.test
 * Properties and foreign functions (§6.2, §6.3, §10.13, §12).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Chain, Host, prop } from "./index.ts";
import { buildFixtures, GET, SCRIPT_WASM, scripted, streamLogs } from "./testdata/helpers.ts";

test("request.* comes from the held request headers; after Continue it is NOT_FOUND; on_log reads the access-log copy", async () => {
  const host = await scripted("request_headers prop request.path\nrequest_headers prop request.url_path\nrequest_headers prop request.method\nrequest_headers prop request.headers.:authority\nresponse_headers prop request.path\nlog prop request.query");
  await host.run({ request: { headers: GET } });
  assert.equal(streamLogs(host).filter((l) => l.startsWith("prop")), [
    "prop request.path=/v1/models?x=1", "prop request.url_path=/v1/models", "prop request.method=GET",
    "prop request.headers.:authority=api.example.com", "prop request.path status=1", "prop request.query=x=1",
  ]);
});

test("encodings: ints are 8 bytes LE, bools 1 byte, maps are pairs; empty path is SERIALIZATION_FAILURE; root has no request", async () => {
  const host = await scripted("response_headers propx response.code\nresponse_headers propx connection.mtls\nresponse_headers propx xds.flags\nresponse_headers prop -\nconfigure prop request.path\nresponse_headers propx xds.empty\nresponse_headers propx xds.list",
    { properties: { "xds.flags": { a: "b" }, xds: { empty: {}, list: ["x", "y"] } } });
  await host.run({ request: { headers: GET }, response: { headers: { ":status": "200" } } });
  const logs = host.logs();
  assert.ok(logs.includes("propx response.code=c800000000000000"));
  assert.ok(logs.includes("propx connection.mtls=00"));
  assert.ok(logs.includes("propx xds.flags=01000000010000000100000061006200"));
  assert.ok(logs.includes("prop - status=3"), "empty path");
  assert.ok(logs.includes("prop request.path status=1"), "no request in a root context");
  assert.ok(logs.includes("propx xds.empty=00000000"), "an empty map is the bare count");
  assert.ok(logs.includes("propx xds.list=0200000001000000000000000100000000000000780000790000"));
});

test("plugin_name, plugin_root_id, plugin_vm_id and static properties from options and per stream", async () => {
  await buildFixtures();
  const host = await Host.load(SCRIPT_WASM, {
    name: "ns.limits", rootId: "limits", vmId: "vm1",
    properties: { "xds.route_name": "chat", upstream: { port: prop.uint(8080) } },
    pluginConfig: "request_headers prop plugin_name\nrequest_headers prop plugin_root_id\nrequest_headers prop plugin_vm_id\nrequest_headers prop xds.route_name\nrequest_headers prop source.address\nrequest_headers propx upstream.port",
  });
  host.stream({ properties: { "source.address": "10.1.2.3:4444" } }).sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).filter((l) => l.startsWith("prop")), [
    "prop plugin_name=ns.limits", "prop plugin_root_id=limits", "prop plugin_vm_id=vm1", "prop xds.route_name=chat",
    "prop source.address=10.1.2.3:4444", "propx upstream.port=901f000000000000",
  ]);
});

test("set_property stores filter state that later filters of the chain read back; a root context cannot set it", async () => {
  await buildFixtures();
  const chain = await Chain.load([
    { wasm: SCRIPT_WASM, options: { name: "first", pluginConfig: "request_headers setprop tenant acme\nconfigure setprop x y" } },
    { wasm: SCRIPT_WASM, options: { name: "second", pluginConfig: "request_headers prop tenant\nrequest_headers prop missing" } },
  ]);
  const s = chain.stream();
  s.sendRequestHeaders(GET, true);
  assert.is(s.property("tenant"), "acme");
  assert.equal(s.logs("info").filter((l) => l.startsWith("prop") || l.startsWith("setprop")), ["setprop tenant status=0", "prop tenant=acme", "prop missing status=1"]);
  const first = chain.plugins[0].host;
  assert.ok(first.logs().includes("setprop x status=1"));
});

test("foreign functions: clear_route_cache on the current context, set_envoy_filter_state parsed, unknown NOT_FOUND", async () => {
  // SetEnvoyFilterStateArguments{path:"envoy.tcp_proxy.cluster", value:"c1", span:1}
  const args = Buffer.concat([Buffer.from([0x0a, 23]), Buffer.from("envoy.tcp_proxy.cluster"), Buffer.from([0x12, 2]), Buffer.from("c1"), Buffer.from([0x18, 1])]).toString("hex");
  const unknownFactory = Buffer.concat([Buffer.from([0x0a, 3]), Buffer.from("foo")]).toString("hex");
  const host = await scripted([
    "request_headers foreign clear_route_cache -",
    `request_headers foreign set_envoy_filter_state ${args}`,
    `request_headers foreign set_envoy_filter_state ${unknownFactory}`,
    "request_headers foreign set_envoy_filter_state ff",
    "request_headers foreign no_such_fn -",
    "request_headers httpcall c / 0",
    "http_call_response resume",
    "http_call_response foreign clear_route_cache -",
    `http_call_response foreign set_envoy_filter_state ${args}`,
  ].join("\n"), { clusters: { c: (_) => ({ headers: { ":status": "200" } }) } });
  const s = host.stream();
  s.sendRequestHeaders(GET, true);
  assert.equal(streamLogs(host).filter((l) => l.startsWith("foreign")), [
    "foreign clear_route_cache status=0", "foreign set_envoy_filter_state status=0", "foreign set_envoy_filter_state status=1",
    "foreign set_envoy_filter_state status=2", "foreign no_such_fn status=1",
    "foreign clear_route_cache status=0", "foreign set_envoy_filter_state status=1",
  ]);
  assert.is(s.routeCacheClears, 1, "the call from the root callback (effective context = stream) does not clear it");
  assert.equal(s.envoyFilterState.get("envoy.tcp_proxy.cluster"), { value: "c1", span: 1 });
});

test("foreign compress/uncompress round-trip with zlib; declare_property readonly makes a property set-once", async () => {
  const { deflateSync } = await import("node:zlib");
  const packed = deflateSync(Buffer.from("hello hello hello")).toString("hex");
  // DeclarePropertyArguments{name:"tier", readonly:true}
  const declare = Buffer.concat([Buffer.from([0x0a, 4]), Buffer.from("tier"), Buffer.from([0x10, 1])]).toString("hex");
  const host = await scripted([
    `request_headers foreign uncompress ${packed} out`,
    "request_headers foreign uncompress 0102 out",
    `configure foreign declare_property ${declare}`,
    `configure foreign declare_property ${declare}`,
    "request_headers setprop tier gold",
    "request_headers setprop tier silver",
    "request_headers prop tier",
  ].join("\n"));
  assert.equal(host.logs().filter((l) => l.startsWith("foreign declare")), ["foreign declare_property status=0", "foreign declare_property status=2"]);
  host.stream().sendRequestHeaders(GET, true);
  const logs = streamLogs(host);
  assert.equal(logs.slice(logs.indexOf("context_create 2 parent=1") + 1), [
    `foreign uncompress status=0 out=${Buffer.from("hello hello hello").toString("hex")}`,
    "foreign uncompress status=3 out=",
    "setprop tier status=0", "setprop tier status=2", "prop tier=gold",
  ]);
});

test("mutating request headers clears the route cache, as Envoy does for ABI 0.2.1 modules", async () => {
  const host = await scripted("request_headers add 0 x-model m\nresponse_headers add 2 x-b 1");
  const s = await host.run({ request: { headers: GET } });
  assert.is(s.routeCacheClears, 1);
});

test.run();
