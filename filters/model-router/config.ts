/**
 * @module filters/model-router/config
 * The router's plugin configuration: parsed and validated once in `proxy_on_configure`
 * (unknown fields, wrong types and out-of-range values are refused with a message naming the
 * field), and compiled into what the per-request path needs (globs, phrase matchers, the list of
 * request headers to capture). `config.schema.json` accepts exactly the same documents.
 */
import { PhraseMatcher, PhraseMatcherBuilder } from "../lib/matcher";
import { ConfigReader, Elements, Members } from "./config-reader";
import { Glob } from "./glob";

export const DEFAULT_MODEL_HEADER = "x-gateway-model-name";
/** The working group's recommendation for buffered request bodies. */
export const DEFAULT_MAX_BODY_BYTES: i64 = 2 << 20;
export const MAX_MAX_BODY_BYTES: i64 = 64 << 20;
export const MAX_WEIGHT: i64 = 1000000;
export const MAX_TOKENS: i64 = 100000000;

/** A header condition: the (lowercased) name and a pattern for its first value. */
export class HeaderCondition {
  constructor(readonly name: string, readonly value: Glob) {}
}

export class SplitTarget {
  constructor(readonly model: string, readonly weight: u64) {}
}

/** One rule: conditions (all must hold; absent ones always do) and actions. */
export class Rule {
  name: string = "";
  index: i32 = 0;
  model: Glob | null = null;
  headers: HeaderCondition[] = [];
  minPromptTokens: i64 = -1;
  maxPromptTokens: i64 = -1;
  /** -1 = no condition, 0 = must be false, 1 = must be true. */
  hasImages: i32 = -1;
  hasTools: i32 = -1;
  stream: i32 = -1;
  phrases: PhraseMatcher | null = null;

  setModel: string | null = null;
  targets: SplitTarget[] = [];
  totalWeight: u64 = 0;
  /** Header whose value keeps a session on one target; empty: no stickiness. */
  stickyHeader: string = "";
  setHeaders: string[] = []; // name, value, name, value…
}

export class RouterConfig {
  holdHeaders: bool = false;
  modelHeader: string = DEFAULT_MODEL_HEADER;
  maxBodyBytes: i64 = DEFAULT_MAX_BODY_BYTES;
  /** `onParseError: "reject"` (default) answers 400; `"continue"` passes the request unrouted. */
  rejectOnParseError: bool = true;
  apiPrefixes: string[] = [];
  aliases: Map<string, string> = new Map<string, string>();
  rules: Rule[] = [];
  /** Request headers some rule reads (conditions, sticky splits), lowercased, without repeats. */
  capturedHeaders: string[] = [];

  /** True when a request's model may change, so the body (and its length) may be rewritten. */
  get mayRewrite(): bool {
    if (this.aliases.size > 0) return true;
    for (let i = 0; i < this.rules.length; i++) {
      const r = unchecked(this.rules[i]);
      if (r.setModel !== null || r.targets.length > 0) return true;
    }
    return false;
  }

  captureIndex(name: string): i32 { return this.capturedHeaders.indexOf(name); }

  /**
   * True when some rule looks at the prompt (tokens, images, tools, phrases): only then is the
   * whole request read (messages walked, tokens estimated); otherwise the router reads `model`
   * and `stream` alone.
   */
  get needsPromptFacts(): bool {
    for (let i = 0; i < this.rules.length; i++) {
      const r = unchecked(this.rules[i]);
      if (r.minPromptTokens >= 0 || r.maxPromptTokens >= 0 || r.hasImages >= 0 || r.hasTools >= 0 || r.phrases !== null) return true;
    }
    return false;
  }
}

/** The outcome of parsing: a config, or the error naming the field. */
export class ParsedConfig {
  config: RouterConfig | null = null;
  error: string = "";
}

// ---- value checks shared with config.schema.json -------------------------------------------

/** 1–256 characters, none of them a control character (the model travels in a header). */
function isModelName(s: string): bool {
  return s.length > 0 && codePoints(s) <= 256 && !hasControl(s);
}

function codePoints(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate completes a pair already counted
  }
  return n;
}

function hasControl(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

/** An HTTP field name (RFC 9110 token), 1–256 characters. */
function isHeaderName(s: string): bool {
  if (s.length == 0 || s.length > 256) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

function isHeaderValue(s: string): bool { return codePoints(s) <= 4096 && !hasControl(s); }

/** A path prefix: `/` then URI path characters (no query, fragment or space), ≤ 256. */
function isPathPrefix(s: string): bool {
  if (s.length == 0 || s.length > 256 || s.charCodeAt(0) != 0x2f) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && "-._~!$&'()*+,;=:@%/".indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

/** A rule name: used in a metric name and the `tollgate.rule` property. */
function isRuleName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

// ---- the parser ------------------------------------------------------------------------------

/** Parses the plugin configuration (empty means all defaults). */
export function parseConfig(bytes: Uint8Array): ParsedConfig {
  const out = new ParsedConfig();
  const c = new RouterConfig();
  if (isBlank(bytes)) { out.config = c; return out; }
  const r = new ConfigReader(bytes);
  const root = r.root();
  if (root >= 0) readTop(r, root, c);
  if (!r.ok) { out.error = r.error; return out; }
  out.config = c;
  return out;
}

function isBlank(b: Uint8Array): bool {
  for (let i = 0; i < b.length; i++) {
    const c = unchecked(b[i]);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return false;
  }
  return true;
}

function readTop(r: ConfigReader, root: i32, c: RouterConfig): void {
  const m = new Members(r, root, "");
  while (m.next()) {
    const k = m.key, v = m.value;
    if (k == "holdHeaders") c.holdHeaders = r.bool(v, k) == 1;
    else if (k == "modelHeader") {
      const s = r.string(v, k);
      if (s !== null && !isHeaderName(s)) r.fail(k, "must be an HTTP header name");
      else if (s !== null) c.modelHeader = s.toLowerCase();
    } else if (k == "maxBodyBytes") c.maxBodyBytes = r.int(v, k, 1, MAX_MAX_BODY_BYTES);
    else if (k == "onParseError") {
      const s = r.string(v, k);
      if (s !== null && s != "reject" && s != "continue") r.fail(k, "must be \"reject\" or \"continue\"");
      else if (s !== null) c.rejectOnParseError = s == "reject";
    } else if (k == "apiPrefixes") readPrefixes(r, v, c);
    else if (k == "aliases") readAliases(r, v, c);
    else if (k == "rules") readRules(r, v, c);
    else m.unknown();
  }
}

function readPrefixes(r: ConfigReader, v: i32, c: RouterConfig): void {
  if (!r.isArray(v, "apiPrefixes")) return;
  const e = new Elements(r, v);
  while (e.next()) {
    const path = "apiPrefixes[" + e.index.toString() + "]";
    const s = r.string(e.value, path);
    if (s === null) return;
    if (!isPathPrefix(s)) { r.fail(path, "must be a path starting with \"/\" (no query, fragment or spaces)"); return; }
    c.apiPrefixes.push(s);
  }
}

function readAliases(r: ConfigReader, v: i32, c: RouterConfig): void {
  if (!r.isObject(v, "aliases")) return;
  const m = new Members(r, v, "aliases");
  while (m.next()) {
    const path = "aliases[\"" + m.key + "\"]";
    if (!isModelName(m.key)) { r.fail(path, "an alias must be 1-256 characters without control characters"); return; }
    const s = r.string(m.value, path);
    if (s === null) return;
    if (!isModelName(s)) { r.fail(path, "a model must be 1-256 characters without control characters"); return; }
    c.aliases.set(m.key, s);
  }
}

function readRules(r: ConfigReader, v: i32, c: RouterConfig): void {
  if (!r.isArray(v, "rules")) return;
  const e = new Elements(r, v);
  while (e.next()) {
    const path = "rules[" + e.index.toString() + "]";
    if (!r.isObject(e.value, path)) return;
    const rule = new Rule();
    rule.index = e.index;
    const m = new Members(r, e.value, path);
    let named = false;
    while (m.next()) {
      const k = m.key, fv = m.value, fp = path + "." + k;
      if (k == "name") {
        const s = r.string(fv, fp);
        if (s !== null && !isRuleName(s)) r.fail(fp, "must be 1-64 letters, digits, '_' or '-'");
        else if (s !== null) { rule.name = s; named = true; }
      } else if (k == "when") readWhen(r, fv, fp, rule, c);
      else if (k == "setModel") {
        const s = r.string(fv, fp);
        if (s !== null && !isModelName(s)) r.fail(fp, "a model must be 1-256 characters without control characters");
        else rule.setModel = s;
      } else if (k == "split") readSplit(r, fv, fp, rule, c);
      else if (k == "setHeaders") readSetHeaders(r, fv, fp, rule);
      else m.unknown();
    }
    if (!r.ok) return;
    if (!named) { r.fail(path, "missing required field \"name\""); return; }
    if (rule.setModel !== null && rule.targets.length > 0) { r.fail(path, "\"setModel\" and \"split\" exclude each other"); return; }
    c.rules.push(rule);
  }
}

function readWhen(r: ConfigReader, v: i32, path: string, rule: Rule, c: RouterConfig): void {
  if (!r.isObject(v, path)) return;
  const m = new Members(r, v, path);
  while (m.next()) {
    const k = m.key, fv = m.value, fp = path + "." + k;
    if (k == "model") {
      const s = r.string(fv, fp);
      if (s !== null && !isModelName(s)) r.fail(fp, "a model pattern must be 1-256 characters without control characters");
      else if (s !== null) rule.model = new Glob(s);
    } else if (k == "headers") {
      if (!r.isObject(fv, fp)) return;
      const h = new Members(r, fv, fp);
      while (h.next()) {
        const hp = fp + "[\"" + h.key + "\"]";
        if (!isHeaderName(h.key)) { r.fail(hp, "must be an HTTP header name"); return; }
        const s = r.string(h.value, hp);
        if (s === null) return;
        if (!isHeaderValue(s)) { r.fail(hp, "a header value pattern must be at most 4096 characters without control characters"); return; }
        const name = h.key.toLowerCase();
        rule.headers.push(new HeaderCondition(name, new Glob(s)));
        capture(c, name);
      }
    } else if (k == "minPromptTokens") rule.minPromptTokens = r.int(fv, fp, 0, MAX_TOKENS);
    else if (k == "maxPromptTokens") rule.maxPromptTokens = r.int(fv, fp, 0, MAX_TOKENS);
    else if (k == "hasImages") rule.hasImages = r.bool(fv, fp);
    else if (k == "hasTools") rule.hasTools = r.bool(fv, fp);
    else if (k == "stream") rule.stream = r.bool(fv, fp);
    else if (k == "lastUserMessageContains") readPhrases(r, fv, fp, rule);
    else m.unknown();
  }
}

function readPhrases(r: ConfigReader, v: i32, path: string, rule: Rule): void {
  if (!r.isArray(v, path)) return;
  const b = new PhraseMatcherBuilder();
  const e = new Elements(r, v);
  while (e.next()) {
    const ep = path + "[" + e.index.toString() + "]";
    const s = r.string(e.value, ep);
    if (s === null) return;
    if (s.length == 0 || codePoints(s) > 1024) { r.fail(ep, "a phrase must be 1-1024 characters"); return; }
    b.add(s);
  }
  if (!r.ok) return;
  if (b.count == 0) { r.fail(path, "must list at least one phrase"); return; }
  const matcher = b.build();
  if (matcher === null) { r.fail(path, "too many or too long phrases"); return; }
  rule.phrases = matcher;
}

function readSplit(r: ConfigReader, v: i32, path: string, rule: Rule, c: RouterConfig): void {
  if (!r.isObject(v, path)) return;
  const m = new Members(r, v, path);
  let hasTargets = false;
  while (m.next()) {
    const k = m.key, fv = m.value, fp = path + "." + k;
    if (k == "stickyHeader") {
      const s = r.string(fv, fp);
      if (s !== null && !isHeaderName(s)) r.fail(fp, "must be an HTTP header name");
      else if (s !== null) { rule.stickyHeader = s.toLowerCase(); capture(c, rule.stickyHeader); }
    } else if (k == "targets") {
      hasTargets = true;
      if (!r.isArray(fv, fp)) return;
      const e = new Elements(r, fv);
      while (e.next()) {
        const tp = fp + "[" + e.index.toString() + "]";
        readTarget(r, e.value, tp, rule);
      }
      if (r.ok && rule.targets.length == 0) r.fail(fp, "must list at least one target");
    } else m.unknown();
  }
  if (r.ok && !hasTargets) r.fail(path, "missing required field \"targets\"");
}

function readTarget(r: ConfigReader, v: i32, path: string, rule: Rule): void {
  if (!r.isObject(v, path)) return;
  const m = new Members(r, v, path);
  let model: string | null = null;
  let weight: i64 = -1;
  while (m.next()) {
    const k = m.key, fv = m.value, fp = path + "." + k;
    if (k == "model") {
      model = r.string(fv, fp);
      if (model !== null && !isModelName(model)) r.fail(fp, "a model must be 1-256 characters without control characters");
    } else if (k == "weight") weight = r.int(fv, fp, 1, MAX_WEIGHT);
    else m.unknown();
  }
  if (!r.ok) return;
  if (model === null) { r.fail(path, "missing required field \"model\""); return; }
  if (weight < 0) { r.fail(path, "missing required field \"weight\""); return; }
  rule.targets.push(new SplitTarget(model, <u64>weight));
  rule.totalWeight += <u64>weight;
}

function readSetHeaders(r: ConfigReader, v: i32, path: string, rule: Rule): void {
  if (!r.isObject(v, path)) return;
  const m = new Members(r, v, path);
  while (m.next()) {
    const hp = path + "[\"" + m.key + "\"]";
    if (!isHeaderName(m.key)) { r.fail(hp, "must be an HTTP header name"); return; }
    const s = r.string(m.value, hp);
    if (s === null) return;
    if (!isHeaderValue(s)) { r.fail(hp, "a header value must be at most 4096 characters without control characters"); return; }
    rule.setHeaders.push(m.key.toLowerCase());
    rule.setHeaders.push(s);
  }
}

function capture(c: RouterConfig, name: string): void {
  if (!c.capturedHeaders.includes(name)) c.capturedHeaders.push(name);
}
