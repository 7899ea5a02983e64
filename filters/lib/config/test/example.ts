/**
 * @module filters/lib/config/test/example
 * The intended use of `ConfigReader`, on a realistic nested configuration shaped like the
 * token-limit filter's: typed classes filled field by field in `proxy_on_configure`, each
 * object declaring its fields, the first problem reported with its full path.
 */
import { ConfigReader, ConfigObject } from "../reader";
import { output } from "../../test/common";

const ADMISSION = ["none", "reserve"];
const FAILURE_MODES = ["FailOpen", "FailClosed"];

class Cost {
  input: f64 = 1;
  output: f64 = 1;
  cacheRead: f64 = 1;
  cacheWrite: f64 = 1;
}

class Limit {
  name: string = "";
  keyHeaders: string[] = [];
  keyModel: bool = false;
  tokens: i64 = 0;
  windowMs: i64 = 0;
  cost: Cost = new Cost();
}

class Rls {
  cluster: string = "";
  timeoutMs: i64 = 0;
  failureMode: i32 = 0;
}

class ExampleConfig {
  admission: i32 = 0;
  injectStreamUsage: bool = true;
  maxBodyBytes: i64 = 0;
  models: string[] = [];
  aliases: Map<string, string> = new Map();
  limits: Limit[] = [];
  rls: Rls | null = null;
}

function readCost(o: ConfigObject, c: Cost): void {
  o.fields(["input", "output", "cacheRead", "cacheWrite"]);
  c.input = o.number("input", 1, 0, 1000);
  c.output = o.number("output", 1, 0, 1000);
  c.cacheRead = o.number("cacheRead", c.input, 0, 1000);
  c.cacheWrite = o.number("cacheWrite", c.input, 0, 1000);
}

function readLimit(o: ConfigObject): Limit {
  const l = new Limit();
  o.fields(["name", "key", "tokens", "window", "cost"]);
  o.require("name");
  o.require("tokens");
  l.name = o.nonEmptyString("name", "", 64);
  const key = o.object("key");
  key.fields(["headers", "model"]);
  l.keyHeaders = key.stringArray("headers", 128);
  l.keyModel = key.bool("model", false);
  l.tokens = o.int("tokens", 0, 1, 1_000_000_000_000);
  l.windowMs = o.durationMs("window", 60_000, 1000, 30 * 86_400_000);
  readCost(o.object("cost"), l.cost);
  return l;
}

/** What a filter's `proxy_on_configure` does: returns null (and the reader's error) on a bad config. */
export function parseExample(r: ConfigReader): ExampleConfig | null {
  const c = new ExampleConfig();
  const root = r.root();
  root.fields(["admission", "injectStreamUsage", "maxBodyBytes", "models", "aliases", "limits", "rls"]);
  c.admission = root.enumOf("admission", ADMISSION, 0);
  c.injectStreamUsage = root.bool("injectStreamUsage", true);
  c.maxBodyBytes = root.int("maxBodyBytes", 2 << 20, 1, 64 << 20);
  c.models = root.stringArray("models", 256);
  c.aliases = root.stringMap("aliases");
  const limits = root.objects("limits");
  for (let i = 0; i < limits.length; i++) c.limits.push(readLimit(limits[i]));
  if (root.has("rls")) {
    const o = root.object("rls");
    o.fields(["cluster", "timeout", "failureMode"]);
    o.require("cluster");
    const rls = new Rls();
    rls.cluster = o.nonEmptyString("cluster", "", 256);
    rls.timeoutMs = o.durationMs("timeout", 200, 1, 60_000);
    rls.failureMode = o.enumOf("failureMode", FAILURE_MODES, 0);
    c.rls = rls;
  }
  return r.ok ? c : null;
}

/** Reads the example and writes a compact summary (or the error) to the output buffer. */
export function readExample(ptr: usize, len: i32): i32 {
  const bytes = new Uint8Array(len);
  memory.copy(bytes.dataStart, ptr, <usize>len);
  const r = new ConfigReader(bytes);
  const c = parseExample(r);
  output.reset();
  if (c === null) { output.appendString("ERR " + r.error); return output.length; }
  let s = "OK admission=" + c.admission.toString() + " inject=" + (c.injectStreamUsage ? "1" : "0") +
    " maxBody=" + c.maxBodyBytes.toString() + " models=" + c.models.join(",") + " aliases=";
  const keys = c.aliases.keys();
  for (let i = 0; i < keys.length; i++) s += (i > 0 ? "," : "") + keys[i] + ">" + c.aliases.get(keys[i]);
  for (let i = 0; i < c.limits.length; i++) {
    const l = c.limits[i];
    s += " | " + l.name + " key=" + l.keyHeaders.join("+") + (l.keyModel ? "+model" : "") + " tokens=" + l.tokens.toString() +
      " window=" + l.windowMs.toString() + "ms cost=" + l.cost.input.toString() + "/" + l.cost.output.toString() + "/" +
      l.cost.cacheRead.toString() + "/" + l.cost.cacheWrite.toString();
  }
  if (c.rls !== null) {
    const rls = c.rls!;
    s += " | rls=" + rls.cluster + " timeout=" + rls.timeoutMs.toString() + "ms mode=" + rls.failureMode.toString();
  }
  output.appendString(s);
  return output.length;
}
