/**
 * @module controller/provider/reconciler.test
 * The reconciler's small rules: containment for change detection, ownership, discovery of the gateway, key-order-free JSON.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../api/types.ts";
import { canonicalJson } from "./canonical.ts";
import { detectGateway } from "./controller.ts";
import { containedIn, ownedByTollgate } from "./reconciler.ts";

test("containedIn: fields the server added do not count, changed or missing ones do", () => {
  assert.ok(containedIn({ spec: { a: 1, b: [1, { c: 2 }] } }, { spec: { a: 1, b: [1, { c: 2, d: 3 }], extra: true }, status: {} }));
  assert.not.ok(containedIn({ spec: { a: 1 } }, { spec: { a: 2 } }));
  assert.not.ok(containedIn({ spec: { b: [1, 2] } }, { spec: { b: [1] } }));
  assert.not.ok(containedIn({ spec: { a: 1 } }, { spec: {} }));
});

test("owned means Tollgate's label and a controller owner reference to a PayloadProcessor", () => {
  const obj = (labels?: Record<string, string>, refs?: KubeObject["metadata"]["ownerReferences"]): KubeObject =>
    ({ apiVersion: "v", kind: "WasmPlugin", metadata: { name: "x", labels, ownerReferences: refs } });
  const ref = { apiVersion: "tollgate.dev/v1alpha1", kind: "PayloadProcessor", name: "p", uid: "u", controller: true };
  assert.ok(ownedByTollgate(obj({ "app.kubernetes.io/managed-by": "tollgate" }, [ref])));
  assert.not.ok(ownedByTollgate(obj(undefined, [ref])), "no label");
  assert.not.ok(ownedByTollgate(obj({ "app.kubernetes.io/managed-by": "tollgate" })), "no owner");
  assert.not.ok(ownedByTollgate(obj({ "app.kubernetes.io/managed-by": "tollgate" }, [{ ...ref, kind: "Deployment" }])), "someone else's owner");
});

test("discovery decides Auto only when exactly one gateway is served", () => {
  assert.equal(detectGateway(new Set(["extensions.istio.io", "networking.istio.io"])), { gateway: "Istio" });
  assert.equal(detectGateway(new Set(["gateway.envoyproxy.io"])), { gateway: "EnvoyGateway" });
  assert.match(detectGateway(new Set(["extensions.istio.io", "gateway.envoyproxy.io"])).unavailable!, "both");
  assert.match(detectGateway(new Set(["apps"])).unavailable!, "neither");
});

test("canonical JSON ignores key order (API servers sort keys)", () => {
  assert.is(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: 3 } }), canonicalJson({ a: { c: 3, d: [{ x: 2, y: 1 }] }, b: 1 }));
  assert.is.not(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
});

test.run();
