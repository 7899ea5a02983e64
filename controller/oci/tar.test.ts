/**
 * @module controller/oci/tar.test
 * The compat layer container: deterministic tar+gzip, and reading what GNU tar writes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzip, gzip, readTar, writeTar } from "./tar.ts";
import { sha256Digest } from "./digest.ts";

const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);

test("write then read returns the same entries, any size around block boundaries", () => {
  for (const size of [0, 1, 511, 512, 513, 4096, 70_001]) {
    const entries = readTar(writeTar([{ name: "plugin.wasm", data: data(size) }, { name: "runtime-config.json", data: data(3) }]));
    assert.is(entries.length, 2);
    assert.is(entries[0].name, "plugin.wasm");
    assert.equal(Buffer.from(entries[0].data), Buffer.from(data(size)));
    assert.equal(Buffer.from(entries[1].data), Buffer.from(data(3)));
  }
});

test("writing is deterministic: same input, same tar and gzip bytes", () => {
  const a = gzip(writeTar([{ name: "plugin.wasm", data: data(1000) }]));
  const b = gzip(writeTar([{ name: "plugin.wasm", data: data(1000) }]));
  assert.is(sha256Digest(a), sha256Digest(b));
  // gzip header: no mtime, no file name, OS byte fixed
  assert.equal([...a.subarray(4, 8)], [0, 0, 0, 0]);
  assert.is(a[3] & 0x08, 0);
  assert.is(a[9], 0xff);
});

test("GNU tar reads what we write, with mtime 0 and owner 0", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-tar-"));
  try {
    writeFileSync(join(dir, "layer.tar"), writeTar([{ name: "plugin.wasm", data: data(777) }]));
    const listing = execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", join(dir, "layer.tar")], { env: { ...process.env, TZ: "UTC" } }).toString();
    assert.match(listing, /-rw-r--r-- 0\/0\s+777 1970-01-01 00:00:00 plugin.wasm/);
    mkdirSync(join(dir, "out"));
    execFileSync("tar", ["-xf", join(dir, "layer.tar"), "-C", join(dir, "out")]);
    assert.equal(readFileSync(join(dir, "out/plugin.wasm")), Buffer.from(data(777)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reads GNU tar and pax archives with long paths, prefixes and directories", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-tar-"));
  try {
    const deep = join("src", "a".repeat(60), "b".repeat(60));
    mkdirSync(join(dir, deep), { recursive: true });
    writeFileSync(join(dir, deep, "plugin.wasm"), data(1234));
    for (const format of ["gnu", "pax", "ustar"]) {
      execFileSync("tar", [`--format=${format}`, "-cf", join(dir, `${format}.tar`), "-C", dir, "src"]);
      const files = readTar(readFileSync(join(dir, `${format}.tar`)));
      assert.equal(files.map((f) => f.name), [`${deep}/plugin.wasm`], format);
      assert.equal(Buffer.from(files[0].data), Buffer.from(data(1234)), format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a corrupted header is reported, not misread", () => {
  const tar = writeTar([{ name: "plugin.wasm", data: data(10) }]);
  tar[0] = "X".charCodeAt(0);
  assert.throws(() => readTar(tar), /checksum/);
  assert.throws(() => readTar(writeTar([{ name: "plugin.wasm", data: data(2000) }]).subarray(0, 1024)), /truncated/);
});

test("gunzip refuses what is not gzip", () => {
  assert.throws(() => gunzip(data(100)), /not valid gzip/);
  assert.equal(Buffer.from(gunzip(gzip(data(100)))), Buffer.from(data(100)));
});

test.run();
