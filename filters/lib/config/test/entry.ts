/**
 * @module filters/lib/config/test/entry
 * The `lib-config-tests` wasm module: `readExample` reads a realistic nested configuration the
 * way a filter's `proxy_on_configure` would (typed classes filled from `ConfigReader` getters)
 * and `readEveryGetter` exercises each getter on one object; both write JSON (or the error) to
 * the output buffer. Imports the SDK's abort replacement only because asconfig.json wires it.
 */
import "../../../sdk/runtime/abort";
export { alloc, free, outputPtr, outputLen, collect } from "../../test/exports-common";
export { readExample } from "./example";
import { ConfigReader } from "../reader";
import { output } from "../../test/common";
import { jsonStringLiteral } from "../../json/escape";

function quote(s: string): string {
  const b = jsonStringLiteral(Uint8Array.wrap(String.UTF8.encode(s, false)));
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length, false);
}

function configOf(ptr: usize, len: i32): ConfigReader {
  const bytes = new Uint8Array(len);
  memory.copy(bytes.dataStart, ptr, <usize>len);
  return new ConfigReader(bytes);
}

/** Writes `{"ok":true,...}` or `{"ok":false,"error":"..."}`. */
export function finish(r: ConfigReader, body: string): i32 {
  output.reset();
  if (r.ok) output.appendString("{\"ok\":true," + body + "}");
  else output.appendString("{\"ok\":false,\"error\":" + quote(r.error) + "}");
  return output.length;
}

export function readEveryGetter(ptr: usize, len: i32): i32 {
  const r = configOf(ptr, len);
  const root = r.root();
  root.fields(["s", "b", "i", "n", "d", "e", "arr", "map", "obj", "list", "name"]);
  const s = root.string("s", "dflt");
  const name = root.nonEmptyString("name", "anon", 16);
  const b = root.bool("b", true);
  const i = root.int("i", 7, 1, 100);
  const n = root.number("n", 0.5, 0, 1);
  const d = root.durationMs("d", 60_000, 1, 86_400_000);
  const e = root.enumOf("e", ["reject", "continue"], 0);
  const arr = root.stringArray("arr", 8);
  const map = root.stringMap("map");
  const obj = root.object("obj");
  obj.fields(["x"]);
  const x = obj.int("x", -1, 0, 10);
  const list = root.objects("list");
  let listJson = "[";
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    item.fields(["y", "z"]);
    item.require("y");
    if (k > 0) listJson += ",";
    listJson += "{\"y\":" + quote(item.string("y")) + ",\"z\":" + item.durationMs("z", 0).toString() + "}";
  }
  listJson += "]";
  let arrJson = "[";
  for (let k = 0; k < arr.length; k++) arrJson += (k > 0 ? "," : "") + quote(arr[k]);
  arrJson += "]";
  let mapJson = "[";
  const keys = map.keys();
  for (let k = 0; k < keys.length; k++) mapJson += (k > 0 ? "," : "") + "[" + quote(keys[k]) + "," + quote(map.get(keys[k])) + "]";
  mapJson += "]";
  return finish(r, "\"s\":" + quote(s) + ",\"name\":" + quote(name) + ",\"b\":" + (b ? "true" : "false") + ",\"i\":" + i.toString() +
    ",\"n\":" + n.toString() + ",\"d\":" + d.toString() + ",\"e\":" + e.toString() + ",\"arr\":" + arrJson +
    ",\"map\":" + mapJson + ",\"x\":" + x.toString() + ",\"objExists\":" + (obj.exists ? "true" : "false") + ",\"list\":" + listJson);
}
