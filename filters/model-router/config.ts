/**
 * @module filters/model-router/config
 * The router's plugin configuration: parsed and validated once in `proxy_on_configure`
 * (unknown fields, wrong types and out-of-range values are refused with a message naming the
 * field), and compiled into what the per-request path needs (globs, phrase matchers, the list of
 * request headers to capture). `config.schema.json` accepts exactly the same documents.
 */
import { ConfigObject, ConfigReader } from "../lib/config/reader";
import { PhraseMatcher, PhraseMatcherBuilder } from "../lib/matcher";
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

// ---- the parser (on lib/config's reader) -------------------------------------------------------

/** Parses the plugin configuration (empty means all defaults). */
export function parseConfig(bytes: Uint8Array): ParsedConfig {
  const out = new ParsedConfig();
  const c = new RouterConfig();
  const r = new ConfigReader(bytes);
  const root = r.root();
  if (r.ok) readTop(r, root, c);
  if (!r.ok) { out.error = r.error; return out; }
  out.config = c;
  return out;
}

const MODEL_RULE = "a model name of 1-256 characters without control characters";

function readTop(r: ConfigReader, root: ConfigObject, c: RouterConfig): void {
  if (!root.fields(["holdHeaders", "modelHeader", "maxBodyBytes", "onParseError", "apiPrefixes", "aliases", "rules"])) return;
  c.holdHeaders = root.bool("holdHeaders", false);
  const header = root.string("modelHeader", DEFAULT_MODEL_HEADER);
  if (r.ok && !isHeaderName(header)) r.fail("modelHeader", "expected an HTTP header name");
  c.modelHeader = header.toLowerCase();
  c.maxBodyBytes = root.int("maxBodyBytes", DEFAULT_MAX_BODY_BYTES, 1, MAX_MAX_BODY_BYTES);
  c.rejectOnParseError = root.enumOf("onParseError", ["reject", "continue"], 0) == 0;
  const prefixes = root.stringArray("apiPrefixes", 1024);
  for (let i = 0; r.ok && i < prefixes.length; i++) {
    if (!isPathPrefix(prefixes[i])) r.fail("apiPrefixes[" + i.toString() + "]", "expected a path starting with \"/\" (no query, fragment or spaces)");
  }
  c.apiPrefixes = prefixes;
  const aliases = root.stringMap("aliases");
  const keys = aliases.keys();
  for (let i = 0; r.ok && i < keys.length; i++) {
    const k = keys[i];
    if (!isModelName(k) || !isModelName(aliases.get(k))) r.fail(root.pathOf("aliases") + "." + k, "alias and model: " + MODEL_RULE);
  }
  c.aliases = aliases;
  const rules = root.objects("rules");
  for (let i = 0; r.ok && i < rules.length; i++) {
    const rule = readRule(r, rules[i], c);
    rule.index = i;
    c.rules.push(rule);
  }
}

function readRule(r: ConfigReader, o: ConfigObject, c: RouterConfig): Rule {
  const rule = new Rule();
  if (!o.fields(["name", "when", "setModel", "split", "setHeaders"]) || !o.require("name")) return rule;
  rule.name = o.string("name");
  if (r.ok && !isRuleName(rule.name)) r.fail(o.pathOf("name"), "expected 1-64 letters, digits, '_' or '-'");
  const when = o.object("when");
  if (when.exists) readWhen(r, when, rule, c);
  if (o.has("setModel")) {
    const m = o.string("setModel");
    if (r.ok && !isModelName(m)) r.fail(o.pathOf("setModel"), "expected " + MODEL_RULE);
    rule.setModel = m;
  }
  const split = o.object("split");
  if (split.exists) readSplit(r, split, rule, c);
  if (r.ok && rule.setModel !== null && split.exists) r.fail(o.path, "\"setModel\" and \"split\" exclude each other");
  const set = o.stringMap("setHeaders");
  const names = set.keys();
  for (let i = 0; r.ok && i < names.length; i++) {
    const n = names[i];
    const path = o.pathOf("setHeaders") + "." + n;
    if (!isHeaderName(n)) r.fail(path, "expected an HTTP header name");
    else if (!isHeaderValue(set.get(n))) r.fail(path, "expected a header value of at most 4096 characters without control characters");
    rule.setHeaders.push(n.toLowerCase());
    rule.setHeaders.push(set.get(n));
  }
  return rule;
}

function readWhen(r: ConfigReader, w: ConfigObject, rule: Rule, c: RouterConfig): void {
  if (!w.fields(["model", "headers", "minPromptTokens", "maxPromptTokens", "hasImages", "hasTools", "stream", "lastUserMessageContains"])) return;
  if (w.has("model")) {
    const m = w.string("model");
    if (r.ok && !isModelName(m)) r.fail(w.pathOf("model"), "expected a pattern of 1-256 characters without control characters");
    rule.model = new Glob(m);
  }
  const headers = w.stringMap("headers");
  const names = headers.keys();
  for (let i = 0; r.ok && i < names.length; i++) {
    const n = names[i];
    const path = w.pathOf("headers") + "." + n;
    if (!isHeaderName(n)) r.fail(path, "expected an HTTP header name");
    else if (!isHeaderValue(headers.get(n))) r.fail(path, "expected a value pattern of at most 4096 characters without control characters");
    const name = n.toLowerCase();
    rule.headers.push(new HeaderCondition(name, new Glob(headers.get(n))));
    capture(c, name);
  }
  rule.minPromptTokens = w.int("minPromptTokens", -1, 0, MAX_TOKENS);
  rule.maxPromptTokens = w.int("maxPromptTokens", -1, 0, MAX_TOKENS);
  if (w.has("hasImages")) rule.hasImages = w.bool("hasImages") ? 1 : 0;
  if (w.has("hasTools")) rule.hasTools = w.bool("hasTools") ? 1 : 0;
  if (w.has("stream")) rule.stream = w.bool("stream") ? 1 : 0;
  if (w.has("lastUserMessageContains")) {
    const path = w.pathOf("lastUserMessageContains");
    const phrases = w.stringArray("lastUserMessageContains", 4096);
    if (!r.ok) return;
    if (phrases.length == 0) { r.fail(path, "expected at least one phrase"); return; }
    const b = new PhraseMatcherBuilder();
    for (let i = 0; i < phrases.length; i++) {
      if (codePoints(phrases[i]) > 1024) { r.fail(path + "[" + i.toString() + "]", "expected a phrase of at most 1024 characters"); return; }
      b.add(phrases[i]);
    }
    const matcher = b.build();
    if (matcher === null) { r.fail(path, "too many or too long phrases"); return; }
    rule.phrases = matcher;
  }
}

function readSplit(r: ConfigReader, o: ConfigObject, rule: Rule, c: RouterConfig): void {
  if (!o.fields(["stickyHeader", "targets"]) || !o.require("targets")) return;
  if (o.has("stickyHeader")) {
    const h = o.string("stickyHeader");
    if (r.ok && !isHeaderName(h)) r.fail(o.pathOf("stickyHeader"), "expected an HTTP header name");
    rule.stickyHeader = h.toLowerCase();
    capture(c, rule.stickyHeader);
  }
  const targets = o.objects("targets");
  if (r.ok && targets.length == 0) { r.fail(o.pathOf("targets"), "expected at least one target"); return; }
  for (let i = 0; r.ok && i < targets.length; i++) {
    const t = targets[i];
    if (!t.fields(["model", "weight"]) || !t.require("model") || !t.require("weight")) return;
    const model = t.string("model");
    if (r.ok && !isModelName(model)) { r.fail(t.pathOf("model"), "expected " + MODEL_RULE); return; }
    const weight = t.int("weight", 1, 1, MAX_WEIGHT);
    rule.targets.push(new SplitTarget(model, <u64>weight));
    rule.totalWeight += <u64>weight;
  }
}

function capture(c: RouterConfig, name: string): void {
  if (!c.capturedHeaders.includes(name)) c.capturedHeaders.push(name);
}
