/**
 * @module filters/lib/llm/usage-counts
 * `UsageCounts`: one usage report as the provider wrote it (a slot per count, -1 when absent),
 * read from a `usage` / `usageMetadata` object at its anchored place, and the normalised view
 * every filter wants: input including cached tokens (Anthropic reports cache reads and writes
 * apart from `input_tokens`; OpenAI and Gemini include them), output including reasoning
 * (Gemini's `candidatesTokenCount` excludes `thoughtsTokenCount`), and a total. Detail objects
 * are breakdowns and are never added to their parent. A count that is negative, fractional or
 * out of range marks the report invalid instead of being wrapped or clamped.
 */
import { CharCode } from "../charcode";
import { LibError } from "../errors";
import { JsonScanner, JSON_END } from "../json/scanner";
import { JsonKey } from "../json/key";
import { readI64, isNull } from "../json/values";
import { Provider, ApiKind } from "./api";

/** Count slots, in provider-neutral terms. */
export const enum Slot {
  /** OpenAI `prompt_tokens` / Responses and Anthropic `input_tokens` / Gemini `promptTokenCount`. */
  Input = 0,
  /** `completion_tokens` / `output_tokens` / `candidatesTokenCount`. */
  Output = 1,
  /** `total_tokens` / `totalTokenCount` (Anthropic has none). */
  Total = 2,
  /** `cached_tokens` / `cache_read_input_tokens` / `cachedContentTokenCount`. */
  CacheRead = 3,
  /** `cache_write_tokens` / `cache_creation_input_tokens`. */
  CacheWrite = 4,
  /** `reasoning_tokens` / `thinking_tokens` / `thoughtsTokenCount`. */
  Reasoning = 5,
  /** Gemini `toolUsePromptTokenCount`. */
  ToolPrompt = 6,
  Count = 7,
}

/** The dialect of usage objects: OpenAI Chat-style, Responses-style, Anthropic or Gemini. */
export const enum UsageDialect { None = 0, Chat = 1, Responses = 2, Anthropic = 3, Gemini = 4 }

export function usageDialect(kind: ApiKind): UsageDialect {
  if (kind == ApiKind.OpenAIResponses || kind == ApiKind.OpenAIResponsesInputTokens) return UsageDialect.Responses;
  const p: Provider = kind == ApiKind.Unknown ? Provider.None :
    (kind <= ApiKind.OpenAIResponsesInputTokens ? Provider.OpenAI : (kind <= ApiKind.AnthropicCountTokens ? Provider.Anthropic : Provider.Gemini));
  if (p == Provider.OpenAI) return UsageDialect.Chat;
  if (p == Provider.Anthropic) return UsageDialect.Anthropic;
  if (p == Provider.Gemini) return UsageDialect.Gemini;
  return UsageDialect.None;
}

/** A direct member of a usage object, or a member of one of its detail objects (`parent` set). */
class UsageField {
  constructor(readonly parent: JsonKey | null, readonly key: JsonKey, readonly slot: Slot) {}
}

function f(key: string, slot: Slot): UsageField { return new UsageField(null, new JsonKey(key), slot); }
function d(parent: string, key: string, slot: Slot): UsageField { return new UsageField(new JsonKey(parent), new JsonKey(key), slot); }

const CHAT_FIELDS: UsageField[] = [
  f("prompt_tokens", Slot.Input), f("completion_tokens", Slot.Output), f("total_tokens", Slot.Total),
  d("prompt_tokens_details", "cached_tokens", Slot.CacheRead), d("prompt_tokens_details", "cache_write_tokens", Slot.CacheWrite),
  d("completion_tokens_details", "reasoning_tokens", Slot.Reasoning),
];
const RESPONSES_FIELDS: UsageField[] = [
  f("input_tokens", Slot.Input), f("output_tokens", Slot.Output), f("total_tokens", Slot.Total),
  d("input_tokens_details", "cached_tokens", Slot.CacheRead), d("input_tokens_details", "cache_write_tokens", Slot.CacheWrite),
  d("output_tokens_details", "reasoning_tokens", Slot.Reasoning),
];
const ANTHROPIC_FIELDS: UsageField[] = [
  f("input_tokens", Slot.Input), f("output_tokens", Slot.Output), f("cache_read_input_tokens", Slot.CacheRead),
  f("cache_creation_input_tokens", Slot.CacheWrite), d("output_tokens_details", "thinking_tokens", Slot.Reasoning),
];
const GEMINI_FIELDS: UsageField[] = [
  f("promptTokenCount", Slot.Input), f("candidatesTokenCount", Slot.Output), f("totalTokenCount", Slot.Total),
  f("cachedContentTokenCount", Slot.CacheRead), f("thoughtsTokenCount", Slot.Reasoning), f("toolUsePromptTokenCount", Slot.ToolPrompt),
];

function fieldsOf(dialect: UsageDialect): UsageField[] {
  if (dialect == UsageDialect.Responses) return RESPONSES_FIELDS;
  if (dialect == UsageDialect.Anthropic) return ANTHROPIC_FIELDS;
  if (dialect == UsageDialect.Gemini) return GEMINI_FIELDS;
  return CHAT_FIELDS;
}

export class UsageCounts {
  private slots: StaticArray<i64> = new StaticArray<i64>(<i32>Slot.Count);
  /** A count in the report was negative, fractional, not a number or out of range (and ignored). */
  invalid: bool = false;

  constructor() { this.clear(); }

  clear(): void {
    for (let i = 0; i < <i32>Slot.Count; i++) unchecked(this.slots[i] = -1);
    this.invalid = false;
  }

  /** The raw count in `slot`, or -1 when the report did not have it. */
  get(slot: Slot): i64 { return unchecked(this.slots[<i32>slot]); }
  set(slot: Slot, v: i64): void { unchecked(this.slots[<i32>slot] = v); }

  /** True when at least one count is present. */
  any(): bool {
    for (let i = 0; i < <i32>Slot.Count; i++) if (unchecked(this.slots[i]) >= 0) return true;
    return false;
  }

  /** True when every present count is zero (and one is present). */
  allZero(): bool {
    let seen = false;
    for (let i = 0; i < <i32>Slot.Count; i++) {
      const v = unchecked(this.slots[i]);
      if (v > 0) return false;
      if (v == 0) seen = true;
    }
    return seen;
  }

  copyFrom(o: UsageCounts): void {
    for (let i = 0; i < <i32>Slot.Count; i++) unchecked(this.slots[i] = o.get(<Slot>i));
    if (o.invalid) this.invalid = true;
  }

  /** Each count present in `o` replaces ours (Gemini: per field, last seen). */
  mergeReplace(o: UsageCounts): void {
    for (let i = 0; i < <i32>Slot.Count; i++) { const v = o.get(<Slot>i); if (v >= 0) unchecked(this.slots[i] = v); }
    if (o.invalid) this.invalid = true;
  }

  /** Each count present in `o` replaces ours unless smaller (Anthropic: cumulative, never decreasing). */
  mergeMax(o: UsageCounts): void {
    for (let i = 0; i < <i32>Slot.Count; i++) { const v = o.get(<Slot>i); if (v > unchecked(this.slots[i])) unchecked(this.slots[i] = v); }
    if (o.invalid) this.invalid = true;
  }

  // ---- normalised view (absent counts are 0) --------------------------------------------

  private at(slot: Slot): i64 { const v = this.get(slot); return v > 0 ? v : 0; }

  /** Prompt tokens processed, cached ones included (Anthropic: input + cache read + cache write). */
  inputTokens(dialect: UsageDialect): i64 {
    if (dialect == UsageDialect.Anthropic) return this.at(Slot.Input) + this.at(Slot.CacheRead) + this.at(Slot.CacheWrite);
    if (dialect == UsageDialect.Gemini) return this.at(Slot.Input) + this.at(Slot.ToolPrompt);
    return this.at(Slot.Input);
  }

  /** Generated tokens, reasoning included (Gemini: candidates + thoughts). */
  outputTokens(dialect: UsageDialect): i64 {
    if (dialect == UsageDialect.Gemini) return this.at(Slot.Output) + this.at(Slot.Reasoning);
    return this.at(Slot.Output);
  }

  /** The reported total when there is one, else input + output. */
  totalTokens(dialect: UsageDialect): i64 {
    const t = this.get(Slot.Total);
    if (t >= 0 && dialect != UsageDialect.Anthropic) return t;
    return this.inputTokens(dialect) + this.outputTokens(dialect);
  }

  cacheReadTokens(): i64 { return this.at(Slot.CacheRead); }
  cacheWriteTokens(): i64 { return this.at(Slot.CacheWrite); }
  reasoningTokens(): i64 { return this.at(Slot.Reasoning); }
}

/**
 * Reads the usage object at `pos` (which must be an object) in `dialect` into `out` (cleared
 * first). Unknown members and vendor extras are passed over; returns the offset after the
 * object, or a negative when the JSON is malformed.
 */
export function readUsageObject(sc: JsonScanner, pos: i32, dialect: UsageDialect, out: UsageCounts): i32 {
  out.clear();
  const fields = fieldsOf(dialect);
  let k = sc.firstMember(pos);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) return v;
    const e = sc.skipValue(v);
    if (e < 0) return e;
    for (let i = 0; i < fields.length; i++) {
      const fl = unchecked(fields[i]);
      if (fl.parent === null) {
        if (sc.keyIs(fl.key)) { readCount(sc, v, fl.slot, out); break; }
      } else if (sc.keyIs(fl.parent!)) {
        if (sc.byteAt(v) == CharCode.LBRACE) readDetails(sc, v, fl.parent!, fields, out);
        break;
      }
    }
    k = sc.memberAfter(e);
  }
  return k == JSON_END ? sc.containerEnd : k;
}

/** The members of a detail object (`prompt_tokens_details`) that `fields` maps under `parent`. */
function readDetails(sc: JsonScanner, pos: i32, parent: JsonKey, fields: UsageField[], out: UsageCounts): void {
  const savedEnd = sc.containerEnd;
  let k = sc.firstMember(pos);
  while (k >= 0) {
    const v = sc.memberValue(k);
    if (v < 0) break;
    for (let i = 0; i < fields.length; i++) {
      const fl = unchecked(fields[i]);
      if (fl.parent !== null && fl.parent!.name == parent.name && sc.keyIs(fl.key)) { readCount(sc, v, fl.slot, out); break; }
    }
    k = sc.nextMember(v);
  }
  sc.containerEnd = savedEnd;
}

function readCount(sc: JsonScanner, v: i32, slot: Slot, out: UsageCounts): void {
  if (isNull(sc, v)) return;
  const c = sc.byteAt(v);
  if (c != CharCode.MINUS && c - CharCode._0 >= 10) { out.invalid = true; return; }
  const n = readI64(sc, v);
  if (sc.error != LibError.None || n < 0) { sc.error = LibError.None; out.invalid = true; return; }
  out.set(slot, n);
}
