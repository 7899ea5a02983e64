/**
 * @module filters/model-router/decide
 * The routing decision for one request: alias resolution, then the rules in order (first match
 * wins), then the rule's action (a fixed model, or a weighted split that is sticky by a header
 * value). Pure given its inputs (request facts, captured header values), except the random draw of
 * a split that has no sticky value.
 */
import { ByteBuffer } from "../lib/bytes";
import { xxh64 } from "../lib/hash";
import { JsonScanner, decodeStringContent } from "../lib/json/scanner";
import { SpanList } from "../lib/json/spans";
import { RequestFacts } from "../lib/llm/request-facts";
import { MatchList } from "../lib/matcher";
import { RouterConfig, Rule } from "./config";

/** What the router decided: the model to serve and the rule that chose it (or null). */
export class Decision {
  requested: string = "";
  served: string = "";
  rule: Rule | null = null;
}

/** Request data the rules look at besides the body. */
export class RequestView {
  /** Values of `RouterConfig.capturedHeaders`, same order; null when absent. */
  headers: Array<string | null> = [];
  facts: RequestFacts | null = null;
  /** The body the facts' spans point into. */
  body: Uint8Array = new Uint8Array(0);
  /** A uniform 64-bit draw, for splits without a sticky value (drawn only when one needs it). */
  draw(): u64 {
    return (<u64>(Math.random() * 4294967296.0) << 32) | <u64>(Math.random() * 4294967296.0);
  }
}

export class Decider {
  private spans: SpanList = new SpanList(8);
  private hits: MatchList = new MatchList(1);
  private text: ByteBuffer = new ByteBuffer(256);
  private sc: JsonScanner = new JsonScanner(4);
  readonly decision: Decision = new Decision();

  constructor(readonly config: RouterConfig) {}

  /** Decides for `requested` (the body's or the path's model, already checked header-safe). */
  decide(requested: string, view: RequestView): Decision {
    const d = this.decision;
    const cfg = this.config;
    d.requested = requested;
    d.served = cfg.aliases.has(requested) ? cfg.aliases.get(requested) : requested;
    d.rule = null;
    const rules = cfg.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = unchecked(rules[i]);
      if (!this.matches(rule, d.served, view)) continue;
      d.rule = rule;
      if (rule.setModel !== null) d.served = rule.setModel!;
      else if (rule.targets.length > 0) d.served = pickTarget(rule, cfg, view);
      break;
    }
    return d;
  }

  private matches(rule: Rule, model: string, view: RequestView): bool {
    if (rule.model !== null && !rule.model!.matches(model)) return false;
    const f = view.facts!;
    if (rule.minPromptTokens >= 0 && f.promptTokens < rule.minPromptTokens) return false;
    if (rule.maxPromptTokens >= 0 && f.promptTokens > rule.maxPromptTokens) return false;
    if (rule.hasImages >= 0 && (rule.hasImages == 1) != f.hasImages) return false;
    if (rule.hasTools >= 0 && (rule.hasTools == 1) != f.hasTools) return false;
    if (rule.stream >= 0 && (rule.stream == 1) != f.stream) return false;
    for (let i = 0; i < rule.headers.length; i++) {
      const h = unchecked(rule.headers[i]);
      const at = this.config.captureIndex(h.name);
      const value = at >= 0 ? unchecked(view.headers[at]) : null;
      if (value === null || !h.value.matches(value)) return false;
    }
    if (rule.phrases !== null && !this.lastUserMessageHas(rule, view)) return false;
    return true;
  }

  /** True when some phrase of the rule occurs in a text of the last user message. */
  private lastUserMessageHas(rule: Rule, view: RequestView): bool {
    const spans = this.spans, f = view.facts!, m = rule.phrases!;
    spans.reset();
    f.lastUserTexts(spans);
    const base = view.body.dataStart;
    for (let i = 0; i < spans.length; i++) {
      const s = spans.start(i), e = spans.end(i);
      if (!spans.escaped(i)) {
        if (m.matchesAny(base + <usize>s, e - s)) return true;
        continue;
      }
      // Escaped text (\n, \u00e9, \") is decoded first so phrases match what the user wrote.
      const t = this.text;
      t.reset();
      this.sc.resetBytes(view.body);
      if (decodeStringContent(this.sc, s, e, t) < 0) continue;
      if (m.matchesAny(t.dataStart, t.length)) return true;
    }
    return false;
  }
}

/**
 * A split's target: by the sticky header's value when the request has one (the same value always
 * gets the same target while the targets and weights stay the same), else by the random draw.
 */
function pickTarget(rule: Rule, cfg: RouterConfig, view: RequestView): string {
  if (rule.stickyHeader.length > 0) {
    const at = cfg.captureIndex(rule.stickyHeader);
    const value = at >= 0 ? unchecked(view.headers[at]) : null;
    if (value !== null && value.length > 0) return targetFor(rule, stickyHash(rule.name, value));
  }
  return targetFor(rule, view.draw());
}

/** XXH64 of the value, seeded by the rule's name so two splits do not pair up the same sessions. */
export function stickyHash(ruleName: string, value: string): u64 {
  const n = String.UTF8.encode(ruleName, false);
  const seed = xxh64(changetype<usize>(n), <usize>n.byteLength);
  const v = String.UTF8.encode(value, false);
  return xxh64(changetype<usize>(v), <usize>v.byteLength, seed);
}

export function targetFor(rule: Rule, h: u64): string {
  let point = h % rule.totalWeight;
  const t = rule.targets;
  for (let i = 0; i < t.length; i++) {
    const w = unchecked(t[i]).weight;
    if (point < w) return unchecked(t[i]).model;
    point -= w;
  }
  return unchecked(t[t.length - 1]).model;
}
