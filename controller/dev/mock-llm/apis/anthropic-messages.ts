/**
 * @module controller/dev/mock-llm/apis/anthropic-messages
 * Anthropic Messages (`…/messages`). The stream follows "Streaming Messages": `message_start`
 * carries the input usage (and a provisional output count of 1), one text block of
 * `content_block_delta`s, then `message_delta` with the cumulative usage and `message_stop`.
 */
import { answerPieces, echoSentence, promptTokens, stableId, type Prompt } from "../answer.ts";
import { errorBody } from "../errors.ts";
import { invalid, isObject, partTexts, sse, type Api, type Frame } from "./api.ts";

function messagesPrompt(body: Record<string, unknown>): Prompt | string {
  const texts = partTexts(body.system);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "messages: Field required";
  let echo = "";
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const own = partTexts(m.content);
    if (Array.isArray(m.content)) {
      for (const block of m.content) if (isObject(block) && block.type === "tool_use") own.push(JSON.stringify(block.input ?? {}));
    }
    texts.push(...own);
    if (m.role === "user") echo = own.join(" ") || echo;
  }
  return { texts, extraTokens: 0, echo };
}

export const anthropicMessages: Api = {
  name: "messages",
  provider: "anthropic",
  match: (path) => path.endsWith("/messages"),
  respond({ body, rawBody, switches, requestId }) {
    const model = body.model;
    if (typeof model !== "string" || model === "") return invalid("model: Field required", "model");
    const maxTokens = body.max_tokens;
    if (maxTokens === undefined) return invalid("max_tokens: Field required", "max_tokens");
    if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) {
      return invalid("max_tokens: Input should be a valid integer greater than or equal to 1", "max_tokens");
    }
    const prompt = messagesPrompt(body);
    if (typeof prompt === "string") return invalid(prompt, "messages");
    const inputTokens = promptTokens(prompt);
    const { pieces, finish } = answerPieces(switches.answer ?? echoSentence(model, prompt.echo), switches.chunks, maxTokens);
    const id = stableId("msg_", rawBody);
    const stopReason = finish === "length" ? "max_tokens" : "end_turn";
    const usage = (output: number) => ({
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: output,
    });

    if (body.stream !== true) {
      const reply: Record<string, unknown> = {
        id, type: "message", role: "assistant", model,
        content: [{ type: "text", text: pieces.join("") }],
        stop_reason: stopReason, stop_sequence: null,
      };
      if (!switches.noUsage) reply.usage = usage(pieces.length);
      return { kind: "json", body: reply };
    }

    const frames: Frame[] = [];
    const push = (type: string, fields: Record<string, unknown>, content = false) => frames.push({ data: sse({ type, ...fields }, type), content });
    const start: Record<string, unknown> = { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null };
    if (!switches.noUsage) start.usage = usage(1);
    push("message_start", { message: start });
    push("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    push("ping", {});
    for (const piece of pieces) push("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } }, true);
    push("content_block_stop", { index: 0 });
    const delta: Record<string, unknown> = { delta: { stop_reason: stopReason, stop_sequence: null } };
    if (!switches.noUsage) delta.usage = usage(pieces.length);
    push("message_delta", delta);
    push("message_stop", {});
    return {
      kind: "stream",
      contentType: "text/event-stream; charset=utf-8",
      frames,
      inStreamError: (err) => sse(errorBody("anthropic", err, requestId), "error"),
    };
  },
};
