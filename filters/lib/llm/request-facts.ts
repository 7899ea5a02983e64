/**
 * @module filters/lib/llm/request-facts
 * `RequestFacts`: what one pass over an LLM request body found — the top-level model (raw span
 * and decoded bytes), the streaming switch, the output cap, `stream_options.include_usage`,
 * images, tools, the prompt's text spans with their kind and role, the last user message, and
 * the estimated prompt tokens — or the first error, with its byte offset and the field it names.
 */
import { ApiKind } from "./api";
import { LlmError, describeError } from "./errors";
import { LibError } from "../errors";
import { TextSpans, TextKind } from "./spans";
import { SpanList } from "../json/spans";

export class RequestFacts {
  kind: ApiKind = ApiKind.Unknown;

  /** `None` when the body was read; otherwise the first problem found (see `describe()`). */
  error: LlmError = LlmError.None;
  /** Byte offset of the error in the body (-1 when it concerns the whole body). */
  errorAt: i32 = -1;
  /** The field the error concerns, e.g. `messages[].content` (empty for JSON errors). */
  errorField: string = "";
  /** What the field should have been, e.g. `a boolean`. */
  expected: string = "";
  /** For `NotJson`: the scanner's reason. */
  detail: LibError = LibError.None;

  /** The effective model: decoded UTF-8 of the body's top-level `model`, or the path's model. */
  model: Uint8Array | null = null;
  /** True when `model` came from the path (Gemini, Vertex AI, Azure deployments). */
  modelFromPath: bool = false;
  /** Raw span of the body's top-level `model` string content (between the quotes), or -1. */
  modelStart: i32 = -1;
  modelEnd: i32 = -1;
  /** Whether that raw span holds escapes (then `model` differs from the raw bytes). */
  modelEscaped: bool = false;

  /** The response will stream: body `stream: true`, or Gemini's stream endpoint. */
  stream: bool = false;
  /** The body had a `stream` field (true or false; `null` counts as absent). */
  streamInBody: bool = false;
  /** Output cap: `max_completion_tokens`, `max_tokens`, `max_output_tokens`, `generationConfig.maxOutputTokens`; -1 when none. */
  maxOutputTokens: i64 = -1;
  /** The field the cap came from (empty when none; legacy Completions' implicit 16 says so). */
  maxOutputField: string = "";
  /** Choices asked for (`n`, Gemini `candidateCount`); the output cap applies to each. */
  choices: i64 = 1;
  /** `stream_options.include_usage`: -1 absent or null, 0 false, 1 true. */
  includeUsage: i32 = -1;
  /** The body had a `stream_options` object. */
  hasStreamOptions: bool = false;
  /**
   * The kind defines `stream_options` and the body has no such member at all (not even `null`):
   * with `appendAt`, lets a caller add it without walking the body again.
   */
  streamOptionsAbsent: bool = false;
  /** The end of the root object's last member (just after its `{` when empty); -1 when the body was not read whole. */
  appendAt: i32 = -1;
  /** Some message carries an image part (OpenAI `image_url`, Responses `input_image`, Anthropic `image`, Gemini image `inlineData`/`fileData`). */
  hasImages: bool = false;
  /** `tools` (or legacy `functions`) is a non-empty array. */
  hasTools: bool = false;
  /**
   * The model will also read context the body only refers to (Responses `previous_response_id`,
   * `conversation` or a stored `prompt`; Gemini `cachedContent`): the prompt estimate undercounts
   * and a guard cannot see that text.
   */
  hasServerContext: bool = false;

  /** Every prompt text, in body order. */
  texts: TextSpans = new TextSpans(32);
  /** Messages (or input items, or Gemini contents) seen. */
  messageCount: i32 = 0;
  /** Index (in `messageCount` order) of the last user message that has text of its own, or -1. */
  lastUserMessage: i32 = -1;
  /** Spans [lastUserFirst, lastUserEnd) of `texts` belong to that message (see `lastUserTexts`). */
  lastUserFirst: i32 = 0;
  lastUserEnd: i32 = 0;

  /** Estimated prompt tokens: texts, per-message overhead, tool definitions, token arrays; -1 when not estimated (`RequestReader.estimateTokens` off). */
  promptTokens: i64 = 0;
  /** Tokens given exactly as token-id arrays (legacy `prompt`, embeddings `input`). */
  tokenIdCount: i64 = 0;
  /** Estimated tokens of the tool definitions (their JSON, read as text); -1 when not estimated. */
  toolTokens: i64 = 0;

  get ok(): bool { return this.error == LlmError.None; }

  /** One line naming the problem, safe to return to a client (no body bytes quoted). */
  describe(): string {
    return describeError(this.error, this.errorField, this.expected, this.detail, this.errorAt);
  }

  /**
   * Appends the user-written text spans of the last user message (not its tool results) to
   * `out`; returns how many.
   */
  lastUserTexts(out: SpanList): i32 {
    let n = 0;
    for (let i = this.lastUserFirst; i < this.lastUserEnd; i++) {
      const k = this.texts.kind(i);
      if (k == TextKind.Message || k == TextKind.Input || k == TextKind.Prompt) {
        out.add(this.texts.start(i), this.texts.end(i), this.texts.escaped(i));
        n++;
      }
    }
    return n;
  }

  clear(kind: ApiKind): void {
    this.kind = kind;
    this.error = LlmError.None;
    this.errorAt = -1;
    this.errorField = "";
    this.expected = "";
    this.detail = LibError.None;
    this.model = null;
    this.modelFromPath = false;
    this.modelStart = -1;
    this.modelEnd = -1;
    this.modelEscaped = false;
    this.stream = false;
    this.streamInBody = false;
    this.maxOutputTokens = -1;
    this.maxOutputField = "";
    this.choices = 1;
    this.includeUsage = -1;
    this.hasStreamOptions = false;
    this.streamOptionsAbsent = false;
    this.appendAt = -1;
    this.hasImages = false;
    this.hasTools = false;
    this.hasServerContext = false;
    this.texts.reset();
    this.messageCount = 0;
    this.lastUserMessage = -1;
    this.lastUserFirst = 0;
    this.lastUserEnd = 0;
    this.promptTokens = 0;
    this.tokenIdCount = 0;
    this.toolTokens = 0;
  }
}
