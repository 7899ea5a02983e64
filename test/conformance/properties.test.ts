/**
 * @module test/conformance/properties.test
 * Reference §10.13 with §6.2/§6.3 and §12: property lookup and encodings, set_property as
 * filter state, header-derived properties only while the headers are held, and Envoy's
 * foreign functions (acting on the current, not the effective, context).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Status, facts, loadProbe, probeRequest, streamFacts, valueAndStatus } from "./probe.ts";

test("§10.13 §6.2 get_property: plugin properties, request attributes by NUL-joined path, one header by three segments, a map as pairs; empty path SERIALIZATION_FAILURE; absent NOT_FOUND", async () => {
  const host = await loadProbe({ rootId: "probe-root", name: "probe-plugin", vmId: "probe-vm", properties: { "xds.route_name": "r1" } });
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("properties", { "x-dup": "a", "x-probe-arg": "xds.route_name" }), true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("prop_root_id")), ["probe-root", Status.OK]);
  assert.equal(valueAndStatus(f.get("prop_plugin_name")), ["probe-plugin", Status.OK]);
  assert.equal(valueAndStatus(f.get("prop_vm_id")), ["probe-vm", Status.OK]);
  assert.equal(valueAndStatus(f.get("prop_path")), ["/probe?q=1", Status.OK]);
  assert.equal(valueAndStatus(f.get("prop_method")), ["GET", Status.OK]);
  assert.equal(valueAndStatus(f.get("prop_header")), ["a", Status.OK]);
  const [map, mapStatus] = valueAndStatus(f.get("prop_headers_map"));
  assert.is(mapStatus, Status.OK);
  assert.ok(map.split("|").includes("x-probe:properties"), map);
  assert.equal(valueAndStatus(f.get("prop_empty_path")), ["null", Status.SERIALIZATION_FAILURE]);
  assert.equal(valueAndStatus(f.get("prop_missing")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("prop_arg")), ["r1", Status.OK]);
});

test("§10.13 set_property stores filter state readable back (and by other filters) as raw bytes", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("properties"), true);
  const f = streamFacts(s);
  assert.is(f.get("prop_set"), String(Status.OK));
  assert.equal(valueAndStatus(f.get("prop_get_set")), ["v1", Status.OK]);
  assert.is(s.property("probe_state"), "v1");
});

test("§12 §6.3 header-derived request.* properties are NOT_FOUND once the headers continued, readable again in proxy_on_log; response.code is an 8-byte int", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("properties_late"), true);
  s.sendResponseHeaders({ ":status": "200" }, true);
  const f = streamFacts(s);
  assert.equal(valueAndStatus(f.get("response_headers_prop_path")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("response_headers_prop_code")), ["200", Status.OK]);
  assert.equal(valueAndStatus(f.get("response_headers_prop_state")), ["kept", Status.OK]);
  assert.equal(valueAndStatus(f.get("log_prop_path")), ["/probe?q=1", Status.OK]);
  assert.equal(valueAndStatus(f.get("log_prop_code")), ["200", Status.OK]);
});

test("§10.13 in a root context: stream properties and connection_id NOT_FOUND, set_property NOT_FOUND, plugin_root_id readable", async () => {
  const host = await loadProbe({ rootId: "r", pluginConfig: "root=context" });
  const f = facts(host.logs());
  assert.equal(valueAndStatus(f.get("root_prop_root_id")), ["r", Status.OK]);
  assert.equal(valueAndStatus(f.get("root_prop_path")), ["null", Status.NOT_FOUND]);
  assert.equal(valueAndStatus(f.get("root_prop_connection_id")), ["null", Status.NOT_FOUND]);
  assert.is(f.get("root_set_property"), String(Status.NOT_FOUND));
});

test("§10.13 foreign functions from a stream: clear_route_cache OK; set_envoy_filter_state with a known factory OK, unknown NOT_FOUND, unparsable BAD_ARGUMENT; unknown function NOT_FOUND", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("foreign"), true);
  const f = streamFacts(s);
  assert.is(f.get("clear_route_cache"), String(Status.OK));
  assert.ok(s.routeCacheClears >= 1);
  assert.is(f.get("filter_state_known"), String(Status.OK));
  assert.equal(s.envoyFilterState.get("envoy.tcp_proxy.cluster"), { value: "probe-cluster", span: 0 });
  assert.is(f.get("filter_state_unknown"), String(Status.NOT_FOUND));
  assert.is(f.get("filter_state_garbage"), String(Status.BAD_ARGUMENT));
  assert.is(f.get("foreign_unknown"), String(Status.NOT_FOUND));
});

test("§10.13 foreign functions ignore the effective context: from a callout answer they act on the root (route cache untouched, filter state NOT_FOUND)", async () => {
  const host = await loadProbe();
  const s = host.stream();
  s.sendRequestHeaders(probeRequest("callout", { "x-probe-ret": "rh=1", "x-probe-then": "foreign" }), true);
  host.pendingCallouts()[0].respond({ headers: { ":status": "200" } });
  const f = streamFacts(s);
  assert.is(f.get("then_clear_route_cache"), String(Status.OK));
  assert.is(s.routeCacheClears, 0);
  assert.is(f.get("then_filter_state_known"), String(Status.NOT_FOUND));
  assert.is(s.envoyFilterState.size, 0);
});

test("§10.13 foreign functions from a root callback: clear_route_cache OK and does nothing, set_envoy_filter_state NOT_FOUND", async () => {
  const host = await loadProbe({ pluginConfig: "root=foreign" });
  const f = facts(host.logs());
  assert.is(f.get("root_clear_route_cache"), String(Status.OK));
  assert.is(f.get("root_filter_state"), String(Status.NOT_FOUND));
});

test.run();
