/**
 * @module filters/lib/llm/api
 * Recognises which LLM API a request calls from its method and `:path`: OpenAI Chat
 * Completions, legacy Completions, Embeddings and Responses; Anthropic Messages; Gemini
 * `generateContent` / `streamGenerateContent` (model taken from the path, percent-decoded); plus
 * the token-counting endpoints, as kinds of their own so that no filter charges or streams them.
 * OpenAI-compatible servers mount the same API under other prefixes: an `ApiRecognizer` is built
 * once from the configured prefixes (`/openai` accepts `/openai/v1/chat/completions` and
 * `/openai/chat/completions`). The query string is ignored except for Gemini's `alt=sse`, and
 * trailing slashes are tolerated. Also recognised: Azure's dated paths
 * (`/openai/deployments/{deployment}/chat/completions`, model = deployment) and Vertex AI paths
 * (`…/publishers/google/models/{m}:generateContent`, `…/publishers/anthropic/models/{m}:rawPredict`).
 * A path is recognised only under `/v1` or a configured prefix (never by suffix alone), so an
 * unrelated service's `/x/messages` is never taken for an LLM call.
 *
 * @example
 *   const apis = new ApiRecognizer(["/openai"]);          // once, from the plugin configuration
 *   const m = apis.recognize(method, path);               // per request, in on_request_headers
 *   if (m.kind != ApiKind.Unknown) setProperty("tollgate.api", apiName(m.kind));
 */
import { LlmError } from "./errors";
import { percentDecodeSegment } from "../percent";

/** The APIs Tollgate understands. Numbers are stable (they appear in test fixtures). */
export const enum ApiKind {
  Unknown = 0,
  /** `POST /v1/chat/completions`: body `model`, `messages`; streams SSE with `stream: true`. */
  OpenAIChat = 1,
  /** `POST /v1/completions` (legacy): body `model`, `prompt`. */
  OpenAICompletions = 2,
  /** `POST /v1/embeddings`: body `model`, `input`; never streams, no output tokens. */
  OpenAIEmbeddings = 3,
  /** `POST /v1/responses`: body `model`, `input`, `instructions`. */
  OpenAIResponses = 4,
  /** `POST /v1/responses/input_tokens`: counts tokens, generates nothing. */
  OpenAIResponsesInputTokens = 5,
  /** `POST /v1/messages`: body `model`, `system`, `messages`. */
  AnthropicMessages = 6,
  /** `POST /v1/messages/count_tokens`: counts tokens, generates nothing. */
  AnthropicCountTokens = 7,
  /** `POST /v1beta/models/{model}:generateContent`: model in the path. */
  GeminiGenerate = 8,
  /** `POST /v1beta/models/{model}:streamGenerateContent[?alt=sse]`: always streams. */
  GeminiStream = 9,
  /** `POST /v1beta/models/{model}:countTokens`: counts tokens, generates nothing. */
  GeminiCountTokens = 10,
}

/** Whose wire format (request shapes, usage fields, error bodies) a kind uses. */
export const enum Provider { None = 0, OpenAI = 1, Anthropic = 2, Gemini = 3 }

/** How a streamed response of a kind is framed. */
export const enum StreamFormat {
  /** The kind never streams (embeddings, token counting). */
  None = 0,
  /** `text/event-stream`. */
  Sse = 1,
  /** Gemini `streamGenerateContent` without `alt=sse`: one JSON array delivered incrementally. */
  JsonArray = 2,
}

const NAMES: StaticArray<string> = [
  "unknown",
  "openai.chat_completions",
  "openai.completions",
  "openai.embeddings",
  "openai.responses",
  "openai.responses_input_tokens",
  "anthropic.messages",
  "anthropic.count_tokens",
  "gemini.generate_content",
  "gemini.stream_generate_content",
  "gemini.count_tokens",
];

/** The name of a kind, as exposed in the `tollgate.api` property. */
export function apiName(kind: ApiKind): string {
  const i = <i32>kind;
  return <u32>i < <u32>NAMES.length ? unchecked(NAMES[i]) : "unknown";
}

/** The kind named `name` (the inverse of `apiName`), or `Unknown`. */
export function apiKindByName(name: string): ApiKind {
  for (let i = 1; i < NAMES.length; i++) if (unchecked(NAMES[i]) == name) return <ApiKind>i;
  return ApiKind.Unknown;
}

export function apiProvider(kind: ApiKind): Provider {
  if (kind == ApiKind.Unknown) return Provider.None;
  if (kind <= ApiKind.OpenAIResponsesInputTokens) return Provider.OpenAI;
  if (kind <= ApiKind.AnthropicCountTokens) return Provider.Anthropic;
  return Provider.Gemini;
}

/** True for the endpoints that only count tokens: nothing is generated, nothing to charge. */
export function isTokenCount(kind: ApiKind): bool {
  return kind == ApiKind.OpenAIResponsesInputTokens || kind == ApiKind.AnthropicCountTokens ||
    kind == ApiKind.GeminiCountTokens;
}

/** True when the body's `stream: true` switches the response to a stream. */
export function hasStreamSwitch(kind: ApiKind): bool {
  return kind == ApiKind.OpenAIChat || kind == ApiKind.OpenAICompletions ||
    kind == ApiKind.OpenAIResponses || kind == ApiKind.AnthropicMessages;
}

/**
 * True where `stream_options.include_usage` exists (Chat and legacy Completions): the only
 * kinds into which it may be injected; Responses rejects it.
 */
export function supportsIncludeUsage(kind: ApiKind): bool {
  return kind == ApiKind.OpenAIChat || kind == ApiKind.OpenAICompletions;
}

/** True when the kind produces output tokens (everything but embeddings and token counting). */
export function generatesOutput(kind: ApiKind): bool {
  return kind != ApiKind.Unknown && kind != ApiKind.OpenAIEmbeddings && !isTokenCount(kind);
}

/** What the path and method said. Reused by `ApiRecognizer.recognize` (one per recognizer). */
export class ApiMatch {
  kind: ApiKind = ApiKind.Unknown;
  /**
   * The model named by the path (Gemini, Vertex AI, Azure deployment), percent-decoded UTF-8;
   * null when the model is in the body.
   */
  pathModel: Uint8Array | null = null;
  /** The query had `alt=sse` (Gemini: the stream is SSE rather than a JSON array). */
  altSse: bool = false;
  /** Index of the configured prefix the path matched under, or -1. */
  prefix: i32 = -1;
  /** `BadPathModel` when the path's model segment is empty or badly percent-encoded. */
  error: LlmError = LlmError.None;

  get provider(): Provider { return apiProvider(this.kind); }
  get name(): string { return apiName(this.kind); }

  /** How a streamed response is framed (Gemini's stream endpoint depends on `alt=sse`). */
  get streamFormat(): StreamFormat {
    const k = this.kind;
    if (k == ApiKind.GeminiStream) return this.altSse ? StreamFormat.Sse : StreamFormat.JsonArray;
    if (hasStreamSwitch(k)) return StreamFormat.Sse;
    return StreamFormat.None;
  }

  clear(): void {
    this.kind = ApiKind.Unknown;
    this.pathModel = null;
    this.altSse = false;
    this.prefix = -1;
    this.error = LlmError.None;
  }
}

/** Endpoint suffixes under a base (`/v1`, a configured prefix), longest first where they nest. */
const SUFFIXES: StaticArray<string> = [
  "/chat/completions", "/completions", "/embeddings", "/responses/input_tokens", "/responses",
  "/messages/count_tokens", "/messages",
];
const SUFFIX_KINDS: StaticArray<ApiKind> = [
  ApiKind.OpenAIChat, ApiKind.OpenAICompletions, ApiKind.OpenAIEmbeddings,
  ApiKind.OpenAIResponsesInputTokens, ApiKind.OpenAIResponses,
  ApiKind.AnthropicCountTokens, ApiKind.AnthropicMessages,
];
const AZURE_DEPLOYMENTS = "/openai/deployments/";

/** Recognises APIs; built once from the configured extra prefixes. */
export class ApiRecognizer {
  private prefixes: string[] = [];
  private match: ApiMatch = new ApiMatch();

  /**
   * `prefixes`: extra bases under which OpenAI-compatible (or Anthropic-compatible) servers
   * mount the API, e.g. `/openai` or `/api/v1`. A prefix must start with `/`; trailing slashes
   * are ignored; `/` alone accepts `/chat/completions` at the root.
   */
  constructor(prefixes: string[] = []) {
    for (let i = 0; i < prefixes.length; i++) {
      let p = unchecked(prefixes[i]);
      while (p.length > 0 && p.charCodeAt(p.length - 1) == 0x2f) p = p.substring(0, p.length - 1);
      this.prefixes.push(p);
    }
  }

  /**
   * Recognises `method` and `path` (the `:method` and `:path` pseudo-headers). Returns this
   * recognizer's `ApiMatch`, overwritten by the next call.
   */
  recognize(method: string, path: string): ApiMatch {
    const m = this.match;
    m.clear();
    if (method != "POST") return m;
    // Split off the query (and a fragment, which a client should not send but may).
    let end = path.length;
    let query = "";
    for (let i = 0; i < path.length; i++) {
      const c = path.charCodeAt(i);
      if (c == 0x3f /* ? */ || c == 0x23 /* # */) {
        end = i;
        if (c == 0x3f) {
          const hash = path.indexOf("#", i + 1);
          query = path.substring(i + 1, hash < 0 ? path.length : hash);
        }
        break;
      }
    }
    while (end > 1 && path.charCodeAt(end - 1) == 0x2f) end--;
    const p = end == path.length ? path : path.substring(0, end);
    if (p.length == 0 || p.charCodeAt(0) != 0x2f) return m;

    if (this.recognizeModelPath(p, m)) {
      if (m.kind == ApiKind.GeminiStream) m.altSse = queryHas(query, "alt", "sse");
      return m;
    }
    // `/v1/<endpoint>`, `<prefix>/v1/<endpoint>` or `<prefix>/<endpoint>`.
    let kind = suffixKind(p, "/v1");
    if (kind == ApiKind.Unknown) {
      for (let i = 0; i < this.prefixes.length; i++) {
        const pre = unchecked(this.prefixes[i]);
        if (!p.startsWith(pre)) continue;
        const rest = p.substring(pre.length);
        kind = suffixKind(rest, "/v1");
        if (kind == ApiKind.Unknown) kind = suffixKind(rest, "");
        if (kind != ApiKind.Unknown) { m.prefix = i; break; }
      }
    }
    if (kind == ApiKind.Unknown) kind = this.recognizeAzureDeployment(p, m);
    m.kind = kind;
    return m;
  }

  /** Gemini / Vertex AI: `…/models/{model}:{method}`. */
  private recognizeModelPath(p: string, m: ApiMatch): bool {
    const slash = p.lastIndexOf("/");
    const colon = p.lastIndexOf(":");
    if (colon <= slash) return false;
    const action = p.substring(colon + 1);
    const before = p.substring(0, slash); // everything up to "/models"
    if (!before.endsWith("/models")) return false;
    const base = before.substring(0, before.length - 7);
    const anthropicVertex = base.endsWith("/publishers/anthropic");
    let kind = ApiKind.Unknown;
    if (anthropicVertex) {
      if (action == "rawPredict" || action == "streamRawPredict") kind = ApiKind.AnthropicMessages;
    } else if (action == "generateContent") kind = ApiKind.GeminiGenerate;
    else if (action == "streamGenerateContent") kind = ApiKind.GeminiStream;
    else if (action == "countTokens") kind = ApiKind.GeminiCountTokens;
    if (kind == ApiKind.Unknown || !this.isModelBase(base)) return false;
    const model = percentDecodeSegment(p.substring(slash + 1, colon));
    // Claude on Vertex counts tokens at the pseudo-model `count-tokens`: it is no model name.
    if (anthropicVertex && model !== null && model.length == 12 && String.UTF8.decode(model.buffer) == "count-tokens") {
      m.kind = ApiKind.AnthropicCountTokens;
      return true;
    }
    m.kind = kind;
    if (model === null || model.length == 0) m.error = LlmError.BadPathModel;
    else m.pathModel = model;
    return true;
  }

  /** `/v1beta`, `/v1`, `/v1alpha`, Vertex `/v1/projects/{p}/locations/{l}/publishers/{pub}`, or a prefix before them. */
  private isModelBase(base: string): bool {
    if (isVersionBase(base)) return true;
    for (let i = 0; i < this.prefixes.length; i++) {
      const pre = unchecked(this.prefixes[i]);
      if (base.startsWith(pre) && isVersionBase(base.substring(pre.length))) return true;
    }
    return false;
  }

  /** Azure OpenAI dated API: `/openai/deployments/{deployment}/{chat/completions|completions|embeddings}`. */
  private recognizeAzureDeployment(p: string, m: ApiMatch): ApiKind {
    if (!p.startsWith(AZURE_DEPLOYMENTS)) return ApiKind.Unknown;
    const slash = p.indexOf("/", AZURE_DEPLOYMENTS.length);
    if (slash < 0) return ApiKind.Unknown;
    const kind = suffixKind(p.substring(slash), "");
    if (kind != ApiKind.OpenAIChat && kind != ApiKind.OpenAICompletions && kind != ApiKind.OpenAIEmbeddings) return ApiKind.Unknown;
    const model = percentDecodeSegment(p.substring(AZURE_DEPLOYMENTS.length, slash));
    if (model === null || model.length == 0) m.error = LlmError.BadPathModel;
    else m.pathModel = model;
    return kind;
  }
}

/** The kind whose suffix follows `base` exactly in `p`, or `Unknown`. */
function suffixKind(p: string, base: string): ApiKind {
  if (!p.startsWith(base)) return ApiKind.Unknown;
  const rest = p.length == base.length ? "" : p.substring(base.length);
  for (let i = 0; i < SUFFIXES.length; i++) {
    if (rest == unchecked(SUFFIXES[i])) return unchecked(SUFFIX_KINDS[i]);
  }
  return ApiKind.Unknown;
}

/** A version segment (`/v1`, `/v1beta`, `/v1alpha`, `/v1beta1`), optionally followed by a Vertex publisher path. */
function isVersionBase(base: string): bool {
  if (!base.startsWith("/v1")) return false;
  let i = 3;
  while (i < base.length && base.charCodeAt(i) != 0x2f) {
    const c = base.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
    i++;
  }
  if (i == base.length) return true;
  // /projects/{p}/locations/{l}/publishers/{publisher}
  const parts = base.substring(i + 1).split("/");
  return parts.length == 6 && parts[0] == "projects" && parts[1].length > 0 && parts[2] == "locations" &&
    parts[3].length > 0 && parts[4] == "publishers" && parts[5].length > 0;
}

/** True when the query has `name=value` among its `&`-separated parameters. */
function queryHas(query: string, name: string, value: string): bool {
  if (query.length == 0) return false;
  const params = query.split("&");
  const want = name + "=" + value;
  for (let i = 0; i < params.length; i++) if (unchecked(params[i]) == want) return true;
  return false;
}
