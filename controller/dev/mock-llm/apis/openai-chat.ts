/**
 * @module controller/dev/mock-llm/apis/openai-chat
 * OpenAI Chat Completions (`…/chat/completions`) and legacy Completions (`…/completions`).
 * Both stream `data:` chunks ended by `data: [DONE]`; usage appears in a stream only when
 * the request asks with `stream_options.include_usage`, as one extra chunk with `choices: []`
 * just before `[DONE]` (every other chunk then carries `"usage": null`), exactly as OpenAI does.
 */
import { answerPieces, echoSentence, obfuscation, outputLimit, promptTokens, stableId, type Prompt } from "../answer.ts";
import { errorBody } from "../errors.ts";
import { invalid, isObject, partTexts, sse, type Api, type ApiInput, type ApiReply, type Frame } from "./api.ts";

/** The parts that differ between chat and legacy completions. */
interface Flavour {
  object: string;
  chunkObject: string;
  idPrefix: string;
  /** Chat content chunks carry OpenAI's `obfuscation` padding unless `stream_options.include_obfuscation` is false. */
  obfuscates: boolean;
  /** Reads the prompt, or returns a client error. */
  prompt(body: Record<string, unknown>): Prompt | ApiReply;
  /** Output limit when the request names none (legacy completions default to 16). */
  defaultLimit: number | null;
  limit(body: Record<string, unknown>): number | null;
  choice(text: string, finish: string | null): Record<string, unknown>;
  /** The `choices[0]` of the stream chunk carrying one piece (or the role preamble). */
  delta(piece: string | null, finish: string | null, first: boolean): Record<string, unknown>;
}

function respond(flavour: Flavour, { body, rawBody, switches, now }: ApiInput): ApiReply {
  const model = body.model;
  if (typeof model !== "string" || model === "") return invalid("you must provide a model parameter", "model");
  const prompt = flavour.prompt(body);
  if ("kind" in prompt) return prompt;
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !stream) {
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
  }
  const includeUsage = stream && isObject(streamOptions) && streamOptions.include_usage === true;
  const obfuscate = flavour.obfuscates && !(isObject(streamOptions) && streamOptions.include_obfuscation === false);

  const inputTokens = promptTokens(prompt);
  const { pieces, finish } = answerPieces(
    switches.answer ?? echoSentence(model, prompt.echo),
    switches.chunks,
    flavour.limit(body) ?? flavour.defaultLimit,
  );
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: pieces.length,
    total_tokens: inputTokens + pieces.length,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const id = stableId(flavour.idPrefix, rawBody);

  if (!stream) {
    const reply: Record<string, unknown> = {
      id, object: flavour.object, created: now, model,
      choices: [flavour.choice(pieces.join(""), finish)],
    };
    if (!switches.noUsage) reply.usage = usage;
    return { kind: "json", body: reply };
  }

  // With include_usage every chunk carries `usage: null`; without it the key is absent.
  const withUsageKey = includeUsage && !switches.noUsage;
  const chunk = (choices: unknown[], usageValue: unknown = null, padSeed: string | null = null): string => {
    const c: Record<string, unknown> = { id, object: flavour.chunkObject, created: now, model, choices };
    if (withUsageKey) c.usage = usageValue;
    if (padSeed !== null && obfuscate) c.obfuscation = obfuscation(padSeed);
    return sse(c);
  };
  const frames: Frame[] = [];
  const preamble = flavour.delta(null, null, true);
  if (Object.keys(preamble).length) frames.push({ data: chunk([preamble]), content: false });
  pieces.forEach((piece, i) => frames.push({ data: chunk([flavour.delta(piece, null, false)], null, `${id}:${i}`), content: true }));
  frames.push({ data: chunk([flavour.delta(null, finish, false)]), content: false });
  if (withUsageKey) frames.push({ data: chunk([], usage), content: false });
  frames.push({ data: sse("[DONE]"), content: false });
  return {
    kind: "stream",
    contentType: "text/event-stream; charset=utf-8",
    frames,
    inStreamError: (err) => sse(errorBody("openai", err, id)),
  };
}

function chatPrompt(body: Record<string, unknown>): Prompt | ApiReply {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  }
  const texts: string[] = [];
  let echo = "";
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || typeof m.role !== "string") {
      return invalid(`Invalid value for 'messages[${i}]': expected an object with a 'role'.`, `messages[${i}]`);
    }
    const own = partTexts(m.content);
    if (Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) {
        if (isObject(call) && isObject(call.function) && typeof call.function.arguments === "string") own.push(call.function.arguments);
      }
    }
    texts.push(...own);
    if (m.role === "user" || echo === "") echo = own.join(" ") || echo;
  }
  return { texts, extraTokens: 0, echo };
}

function completionPrompt(body: Record<string, unknown>): Prompt | ApiReply {
  const p = body.prompt ?? "";
  const texts: string[] = [];
  let extraTokens = 0;
  const add = (item: unknown): boolean => {
    if (typeof item === "string") texts.push(item);
    else if (typeof item === "number" && Number.isInteger(item)) extraTokens += 1;
    else if (Array.isArray(item) && item.every((t) => typeof t === "number" && Number.isInteger(t))) extraTokens += item.length;
    else return false;
    return true;
  };
  const ok = Array.isArray(p) ? p.every(add) : add(p);
  if (!ok) return invalid("Invalid value for 'prompt': expected a string, a list of strings, or token ids.", "prompt");
  return { texts, extraTokens, echo: texts[texts.length - 1] ?? "" };
}

export const chatCompletions: Api = {
  name: "chat.completions",
  provider: "openai",
  match: (path) => path.endsWith("/chat/completions"),
  respond: (input) => respond({
    object: "chat.completion",
    chunkObject: "chat.completion.chunk",
    idPrefix: "chatcmpl-",
    obfuscates: true,
    prompt: chatPrompt,
    defaultLimit: null,
    limit: (b) => outputLimit(b.max_completion_tokens, b.max_tokens),
    choice: (text, finish) => ({ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: finish }),
    delta: (piece, finish, first) => ({
      index: 0,
      delta: first ? { role: "assistant", content: "" } : piece === null ? {} : { content: piece },
      logprobs: null,
      finish_reason: finish,
    }),
  }, input),
};

export const completions: Api = {
  name: "completions",
  provider: "openai",
  match: (path) => path.endsWith("/completions") && !path.endsWith("/chat/completions"),
  respond: (input) => respond({
    object: "text_completion",
    chunkObject: "text_completion",
    idPrefix: "cmpl-",
    obfuscates: false,
    prompt: completionPrompt,
    defaultLimit: 16,
    limit: (b) => outputLimit(b.max_tokens),
    choice: (text, finish) => ({ text, index: 0, logprobs: null, finish_reason: finish }),
    // Legacy completions have no role preamble: every chunk carries text.
    delta: (piece, finish, first) => (first ? {} : { text: piece ?? "", index: 0, logprobs: null, finish_reason: finish }),
  }, input),
};
