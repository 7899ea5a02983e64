/**
 * @module test/rls/proto/wire
 * A small protobuf wire codec in TypeScript for the test rate limit service. It is written
 * independently of the AssemblyScript one (filters/lib/proto): it builds messages bottom-up by
 * concatenating encoded children instead of sizing first, and parses with exceptions, so the
 * two can check each other.
 */

export const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  Fixed32 = 5,
}

export class ProtoDecodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
  }
}

/** Encodes an unsigned (or two's-complement 64-bit, for negative values) varint. */
export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** Accumulates the fields of one message. */
export class MessageWriter {
  private parts: Uint8Array[] = [];

  varint(field: number, v: number | bigint, keepZero = false): this {
    if (!keepZero && BigInt(v) === 0n) return this;
    this.parts.push(Uint8Array.from([...varint((field << 3) | Wire.Varint), ...varint(v)]));
    return this;
  }

  bytes(field: number, payload: Uint8Array, keepEmpty = false): this {
    if (!keepEmpty && payload.length === 0) return this;
    this.parts.push(Uint8Array.from([...varint((field << 3) | Wire.Len), ...varint(payload.length)]), payload.slice());
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, "utf8"));
  }

  /** An embedded message: present even when empty (presence is the point of a wrapper). */
  message(field: number, m: MessageWriter): this {
    return this.bytes(field, m.finish(), true);
  }

  finish(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

export interface Field {
  field: number;
  wire: number;
  /** Varint value (as bigint, full 64 bits). */
  int: bigint;
  /** Payload of a length-delimited field. */
  bytes: Uint8Array;
  /** Offset of the payload in the outermost buffer, for error messages. */
  offset: number;
}

/** Splits one message into fields, rejecting anything malformed. */
export function readFields(buf: Uint8Array, base = 0): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoDecodeError("truncated varint", base + pos);
      const b = buf[pos++];
      if (i === 9 && b > 1) throw new ProtoDecodeError("varint overflows 64 bits", base + pos - 1);
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return result;
    }
    throw new ProtoDecodeError("varint longer than 10 bytes", base + pos);
  };
  while (pos < buf.length) {
    const tagAt = pos;
    const tag = readVarint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0 || tag > 0xffffffffn) throw new ProtoDecodeError("invalid field number", base + tagAt);
    const f: Field = { field, wire, int: 0n, bytes: new Uint8Array(0), offset: base + pos };
    switch (wire) {
      case Wire.Varint: f.int = readVarint(); break;
      case Wire.Fixed64:
      case Wire.Fixed32: {
        const n = wire === Wire.Fixed64 ? 8 : 4;
        if (pos + n > buf.length) throw new ProtoDecodeError("truncated fixed field", base + pos);
        pos += n;
        break;
      }
      case Wire.Len: {
        const n = readVarint();
        if (n > BigInt(buf.length - pos)) throw new ProtoDecodeError("length past the end", base + pos);
        f.offset = base + pos;
        f.bytes = buf.subarray(pos, pos + Number(n));
        pos += Number(n);
        break;
      }
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wire}`, base + tagAt);
    }
    fields.push(f);
  }
  return fields;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function fieldString(f: Field): string {
  try {
    return utf8.decode(f.bytes);
  } catch {
    throw new ProtoDecodeError("invalid UTF-8 in string field", f.offset);
  }
}

export const u32 = (f: Field): number => Number(BigInt.asUintN(32, f.int));
export const i32 = (f: Field): number => Number(BigInt.asIntN(32, f.int));
export const i64 = (f: Field): number => Number(BigInt.asIntN(64, f.int));
export const u64 = (f: Field): number => Number(BigInt.asUintN(64, f.int));
