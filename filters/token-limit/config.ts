/**
 * @module filters/token-limit/config
 * The token limiter's configuration, read and checked with lib/config in `proxy_on_configure`:
 * an unknown field, a wrong type or an out-of-range value refuses the whole configuration with
 * one log line naming the field (`limits[1].window: expected a duration like "60s"`).
 * `config.schema.json` beside this file accepts exactly the same documents.
 */
import { ConfigObject, ConfigReader } from "../lib/config/reader";

/** How a request is admitted. */
export const enum Admission {
  /** Reject when the estimated prompt + output cap exceeds what remains; hold it while in flight. */
  Reserve = 0,
  /** Reject only once a budget is exhausted; charge the actual usage at the end. */
  Spend = 1,
}

export const enum Scope { Local = 0, Global = 1 }
export const enum FailureMode { FailOpen = 0, FailClosed = 1 }

/** Which tokens a limit counts, with weights. */
export class Cost {
  input: f64 = 1;
  output: f64 = 1;
  cacheRead: f64 = 1;
  cacheWrite: f64 = 1;
}

/** One named limit. */
export class LimitConfig {
  index: i32 = 0;
  name: string = "";
  /** Request headers whose values make the key (lower-case); a request missing one is not limited. */
  keyHeaders: string[] = [];
  keyModel: bool = false;
  keyRoute: bool = false;
  tokens: i64 = 0;
  windowMs: i64 = 60_000;
  cost: Cost = new Cost();
  scope: Scope = Scope.Local;
  /** UTF-8 of `tollgate.token-limit/<name>/`, its slots' shared-data key prefix (built on first use). */
  slotPrefix: ArrayBuffer | null = null;
}

export class RlsConfig {
  cluster: string = "";
  domain: string = "tollgate";
  timeoutMs: i64 = 100;
  failureMode: FailureMode = FailureMode.FailOpen;
}

export class TokenLimitConfig {
  holdHeaders: bool = false;
  maxBodyBytes: i64 = 2 << 20;
  maxResponseBytes: i64 = 16 << 20;
  apiPrefixes: string[] = [];
  injectStreamUsage: bool = true;
  admission: Admission = Admission.Reserve;
  defaultOutputTokens: i64 = 1024;
  /** Model label values for metrics; any other model is counted as `other`. */
  models: string[] = [];
  /** Hashed slots per local limit in shared data (the bound on keys kept). */
  slots: i32 = 8192;
  limits: LimitConfig[] = [];
  rls: RlsConfig | null = null;
  get hasGlobal(): bool {
    for (let i = 0; i < this.limits.length; i++) if (unchecked(this.limits[i]).scope == Scope.Global) return true;
    return false;
  }
}

export class ParsedConfig {
  config: TokenLimitConfig | null = null;
  error: string = "";
}

const ROOT_FIELDS = ["holdHeaders", "maxBodyBytes", "maxResponseBytes", "apiPrefixes", "injectStreamUsage", "admission",
  "defaultOutputTokens", "models", "slots", "limits", "rateLimitService"];
const LIMIT_FIELDS = ["name", "key", "tokens", "window", "cost", "scope"];
const KEY_FIELDS = ["headers", "model", "route"];
const COST_FIELDS = ["input", "output", "cacheRead", "cacheWrite"];
const RLS_FIELDS = ["cluster", "domain", "timeout", "failureMode"];

const MAX_LIMITS: i32 = 32;
const MAX_WEIGHT: f64 = 1000;
/** Windows the rate limit service protocol can express (its units), in milliseconds. */
const GLOBAL_WINDOWS: i64[] = [1000, 60_000, 3_600_000, 86_400_000];
const U32_MAX: i64 = 4294967295;

export function parseConfig(bytes: Uint8Array): ParsedConfig {
  const r = new ConfigReader(bytes);
  const root = r.root();
  root.fields(ROOT_FIELDS);
  const c = new TokenLimitConfig();
  c.holdHeaders = root.bool("holdHeaders", false);
  c.maxBodyBytes = root.int("maxBodyBytes", 2 << 20, 1, 64 << 20);
  c.maxResponseBytes = root.int("maxResponseBytes", 16 << 20, 1, 64 << 20);
  c.apiPrefixes = root.stringArray("apiPrefixes", 256);
  for (let i = 0; i < c.apiPrefixes.length && r.ok; i++) {
    const p = unchecked(c.apiPrefixes[i]);
    if (p.charCodeAt(0) != 0x2f || !isPrintableAscii(p)) r.fail("apiPrefixes[" + i.toString() + "]", "expected a path starting with '/' (printable ASCII)");
  }
  c.injectStreamUsage = root.bool("injectStreamUsage", true);
  c.admission = <Admission>root.enumOf("admission", ["reserve", "spend"], 0);
  c.defaultOutputTokens = root.int("defaultOutputTokens", 1024, 0, 10_000_000);
  c.models = root.stringArray("models", 256);
  for (let i = 0; i < c.models.length && r.ok; i++) {
    if (!isPrintableAscii(unchecked(c.models[i]))) r.fail("models[" + i.toString() + "]", "expected printable ASCII (a metric label value)");
  }
  if (r.ok && c.models.length > 64) r.fail("models", "expected at most 64 model names (each is a metric label value)");
  c.slots = <i32>root.int("slots", 8192, 1, 1 << 20);

  const rls = root.object("rateLimitService");
  if (rls.exists) {
    rls.fields(RLS_FIELDS);
    const g = new RlsConfig();
    if (rls.require("cluster")) g.cluster = rls.nonEmptyString("cluster", "", 512);
    g.domain = rls.nonEmptyString("domain", "tollgate", 256);
    g.timeoutMs = wholeDuration(r, rls, "timeout", 100, true);
    g.failureMode = <FailureMode>rls.enumOf("failureMode", ["FailOpen", "FailClosed"], 0);
    c.rls = g;
  }

  const limits = root.objects("limits");
  if (r.ok && limits.length > MAX_LIMITS) r.fail("limits", "expected at most " + MAX_LIMITS.toString() + " limits");
  const names = new Set<string>();
  for (let i = 0; i < limits.length && r.ok; i++) {
    const l = readLimit(r, unchecked(limits[i]), i);
    if (!r.ok) break;
    if (names.has(l.name)) { r.fail(unchecked(limits[i]).pathOf("name"), "duplicate limit name \"" + l.name + "\""); break; }
    names.add(l.name);
    if (l.scope == Scope.Global && c.rls === null) {
      r.fail(unchecked(limits[i]).pathOf("scope"), "a global limit needs rateLimitService");
      break;
    }
    c.limits.push(l);
  }
  const out = new ParsedConfig();
  if (!r.ok) out.error = r.error;
  else out.config = c;
  return out;
}

function readLimit(r: ConfigReader, o: ConfigObject, index: i32): LimitConfig {
  o.fields(LIMIT_FIELDS);
  const l = new LimitConfig();
  l.index = index;
  if (o.require("name")) l.name = o.nonEmptyString("name", "", 64);
  if (r.ok && !isName(l.name)) { r.fail(o.pathOf("name"), "expected letters, digits, '_' or '-'"); return l; }
  const key = o.object("key");
  if (key.exists) {
    key.fields(KEY_FIELDS);
    const hs = key.stringArray("headers", 256);
    for (let i = 0; i < hs.length; i++) {
      const h = unchecked(hs[i]);
      if (!isHeaderName(h)) { r.fail(key.pathOf("headers") + "[" + i.toString() + "]", "expected a header name"); return l; }
      l.keyHeaders.push(h.toLowerCase());
    }
    l.keyModel = key.bool("model", false);
    l.keyRoute = key.bool("route", false);
  }
  if (o.require("tokens")) l.tokens = o.int("tokens", 0, 1, 1_000_000_000_000_000);
  if (o.require("window")) l.windowMs = wholeDuration(r, o, "window", 60_000, false);
  const cost = o.object("cost");
  if (cost.exists) {
    cost.fields(COST_FIELDS);
    l.cost.input = cost.number("input", 1, 0, MAX_WEIGHT);
    l.cost.output = cost.number("output", 1, 0, MAX_WEIGHT);
    l.cost.cacheRead = cost.number("cacheRead", l.cost.input, 0, MAX_WEIGHT);
    l.cost.cacheWrite = cost.number("cacheWrite", l.cost.input, 0, MAX_WEIGHT);
  }
  l.scope = <Scope>o.enumOf("scope", ["local", "global"], 0);
  if (r.ok && l.scope == Scope.Global) {
    if (!GLOBAL_WINDOWS.includes(l.windowMs)) r.fail(o.pathOf("window"), "a global limit's window must be 1s, 1m, 1h or 24h (the rate limit service's units)");
    else if (l.tokens > U32_MAX) r.fail(o.pathOf("tokens"), "a global limit allows at most 4294967295 tokens (the protocol's uint32)");
  }
  return l;
}

/**
 * A whole number and one unit, the grammar the JSON Schema can state exactly: windows
 * `[1-9][0-9]{0,6}` then `s`, `m`, `h` or `d` ("60s", "1h", "24h", "30d"); timeouts
 * `[1-9][0-9]{0,4}ms` or `[1-9][0-9]?s`.
 */
function wholeDuration(r: ConfigReader, o: ConfigObject, name: string, defMs: i64, timeout: bool): i64 {
  if (!o.has(name)) return defMs;
  const s = o.string(name, "");
  if (!r.ok) return defMs;
  let digits = 0;
  while (digits < s.length && s.charCodeAt(digits) >= 0x30 && s.charCodeAt(digits) <= 0x39) digits++;
  const unit = s.substring(digits);
  let ms: i64 = 0;
  let ok = digits > 0 && s.charCodeAt(0) != 0x30;
  if (ok) {
    const n = I64.parseInt(s.substring(0, digits));
    if (timeout) {
      if (unit == "ms" && digits <= 5) ms = n;
      else if (unit == "s" && digits <= 2) ms = n * 1000;
      else ok = false;
    } else if (digits <= 7) {
      if (unit == "s") ms = n * 1000;
      else if (unit == "m") ms = n * 60_000;
      else if (unit == "h") ms = n * 3_600_000;
      else if (unit == "d") ms = n * 86_400_000;
      else ok = false;
    } else ok = false;
  }
  if (!ok) {
    r.fail(o.pathOf(name), timeout ? "expected a timeout like \"100ms\" or \"2s\" (1-99999ms or 1-99s)"
      : "expected a window like \"60s\", \"1h\" or \"24h\" (a whole number of s, m, h or d)");
    return defMs;
  }
  return ms;
}

function isPrintableAscii(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return s.length > 0;
}

function isName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d)) return false;
  }
  return true;
}

/** RFC 9110 token characters. */
function isHeaderName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f ||
      c == 0x60 || c == 0x7c || c == 0x7e;
    if (!ok) return false;
  }
  return true;
}
