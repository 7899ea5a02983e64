/**
 * @module controller/oci/reference.test
 * Image references as users and gateway resources write them, and the mistakes refused.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatReference, manifestRef, parseReference } from "./reference.ts";
import { OciError } from "./errors.ts";

const HEX = "a".repeat(64);

test("host:port, nested repository and tag", () => {
  assert.equal(parseReference("127.0.0.1:5000/tollgate/token-limit:0.1.0"), { registry: "127.0.0.1:5000", repository: "tollgate/token-limit", tag: "0.1.0", digest: undefined });
});

test("oci:// prefix as Istio writes it, and a digest pin", () => {
  const ref = parseReference(`oci://registry.example:443/team/filter@sha256:${HEX}`);
  assert.is(ref.registry, "registry.example:443");
  assert.is(ref.repository, "team/filter");
  assert.is(ref.tag, undefined);
  assert.is(ref.digest, `sha256:${HEX}`);
  assert.is(manifestRef(ref), `sha256:${HEX}`);
});

test("tag and digest together: the digest is what gets fetched", () => {
  const ref = parseReference(`localhost/f:1.0@sha256:${HEX}`);
  assert.is(ref.tag, "1.0");
  assert.is(manifestRef(ref), `sha256:${HEX}`);
  assert.is(formatReference(ref), `localhost/f:1.0@sha256:${HEX}`);
});

test("no tag means latest, as the gateways assume", () => {
  assert.is(parseReference("localhost:5000/f").tag, "latest");
});

test("IPv6 literal hosts", () => {
  assert.is(parseReference("[::1]:5000/f:v1").registry, "[::1]:5000");
});

for (const [input, fragment] of [
  ["tollgate/filter:1.0", "must start with the registry host"],
  ["filter", "must start with the registry host"],
  ["localhost:5000/Upper/case:1", "not a valid repository"],
  ["localhost:5000/f:-bad", "not a valid tag"],
  ["localhost:5000/f@sha256:abc", "not a sha256"],
  ["https://localhost:5000/f:1", "only oci://"],
  ["localhost:5000/", "not a valid repository"],
] as const) {
  test(`rejects ${input}`, () => {
    try {
      parseReference(input);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, OciError);
      assert.is((err as OciError).kind, "bad-reference");
      assert.ok((err as Error).message.includes(fragment), (err as Error).message);
      assert.not.ok((err as Error).message.includes("\n"));
    }
  });
}

test.run();
