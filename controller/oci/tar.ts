/**
 * @module controller/oci/tar
 * The compat layer's container: a ustar archive, gzip-compressed. Writing is
 * deterministic (mtime 0, owner 0:0, mode 0644, no gzip name or time, fixed OS byte)
 * so that the same module always yields the same layer digest. Reading accepts what
 * other tools write: ustar prefixes, GNU long names and pax `path` records.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { OciError } from "./errors.ts";
import { MAX_MODULE_BYTES } from "./media-types.ts";

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number): Uint8Array {
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) throw new OciError("bad-input", `tar entry name too long: ${name}`);
  const h = new Uint8Array(BLOCK);
  h.set(nameBytes, 0);
  h.set(encoder.encode(octal(0o644, 8)), 100);
  h.set(encoder.encode(octal(0, 8)), 108);
  h.set(encoder.encode(octal(0, 8)), 116);
  h.set(encoder.encode(octal(size, 12)), 124);
  h.set(encoder.encode(octal(0, 12)), 136);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = 0x30; // '0': regular file
  h.set(encoder.encode("ustar\u000000"), 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return h;
}

export function writeTar(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.data.length), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return Buffer.concat(parts);
}

function field(block: Uint8Array, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return decoder.decode(end >= 0 ? raw.subarray(0, end) : raw);
}

function parseOctal(block: Uint8Array, offset: number, length: number): number {
  const text = field(block, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function paxPath(data: Uint8Array): string | undefined {
  // Records are "<len> key=value\n".
  for (const line of decoder.decode(data).split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Regular files of a tar archive, in order. Throws bad-input on a malformed archive. */
export function readTar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const block = bytes.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
    if (sum !== parseOctal(block, 148, 8)) throw new OciError("bad-input", "layer is not a valid tar archive (header checksum mismatch)");
    const size = parseOctal(block, 124, 12);
    const type = String.fromCharCode(block[156] || 0x30);
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    const start = offset + BLOCK;
    if (start + size > bytes.length) throw new OciError("bad-input", "layer is not a valid tar archive (truncated entry)");
    const data = bytes.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    longName = undefined;
    if (type === "L") longName = field(data, 0, data.length);
    else if (type === "x") longName = paxPath(data);
    else if (type === "0" || type === "7") entries.push({ name, data });
  }
  return entries;
}

export function gzip(bytes: Uint8Array): Uint8Array {
  const out = gzipSync(bytes, { level: 9 });
  out[9] = 0xff; // OS byte: "unknown" on every platform, so digests do not depend on where we ran
  return out;
}

export function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_MODULE_BYTES + 1024 * 1024 });
  } catch (err) {
    const why = err instanceof Error && /maxOutputLength|buffer/i.test(err.message) ? "larger than 256 MiB once uncompressed" : "not valid gzip";
    throw new OciError("bad-input", `layer is ${why}`);
  }
}
