/**
 * @module filters/lib/llm/test/json-out
 * Writes small JSON documents into the test module's output buffer, so the uvu side can read a
 * whole result with one `JSON.parse`.
 */
import { output } from "../../test/common";
import { jsonStringLiteral } from "../../json/escape";

export class JsonOut {
  private first: bool = true;

  begin(): JsonOut { output.reset(); output.push(0x7b); this.first = true; return this; }
  end(): i32 { output.push(0x7d); return output.length; }

  private key(name: string): void {
    if (!this.first) output.push(0x2c);
    this.first = false;
    output.push(0x22); output.appendString(name); output.push(0x22); output.push(0x3a);
  }

  int(name: string, v: i64): JsonOut { this.key(name); output.appendString(v.toString()); return this; }
  bool(name: string, v: bool): JsonOut { this.key(name); output.appendString(v ? "true" : "false"); return this; }
  str(name: string, v: string): JsonOut { this.key(name); output.appendBytes(jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(v, false)))); return this; }
  bytes(name: string, v: Uint8Array | null): JsonOut {
    this.key(name);
    if (v === null) output.appendString("null"); else output.appendBytes(jsonStringLiteral(v));
    return this;
  }
  /** Raw JSON text as the value. */
  raw(name: string, json: string): JsonOut { this.key(name); output.appendString(json); return this; }
}

export const out = new JsonOut();
