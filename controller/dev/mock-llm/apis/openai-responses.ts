/**
 * @module controller/dev/mock-llm/apis/openai-responses
 * OpenAI Responses (`…/responses`): named SSE events with increasing `sequence_number`,
 * no `[DONE]`; usage travels only in the terminal `response.completed` (or
 * `response.incomplete` when `max_output_tokens` cut the answer).
 */
import { answerPieces, echoSentence, obfuscation, outputLimit, promptTokens, stableId, type Prompt } from "../answer.ts";
import { errorBody } from "../errors.ts";
import { invalid, isObject, partTexts, sse, type Api, type Frame } from "./api.ts";

function responsesPrompt(body: Record<string, unknown>): Prompt | null {
  const texts: string[] = [];
  if (typeof body.instructions === "string") texts.push(body.instructions);
  const input = body.input;
  let echo = "";
  if (typeof input === "string") {
    texts.push(input);
    echo = input;
  } else if (Array.isArray(input)) {
    for (const item of input) {
      if (!isObject(item)) return null;
      const own = partTexts(item.content);
      if (typeof item.arguments === "string") own.push(item.arguments);
      if (typeof item.output === "string") own.push(item.output);
      texts.push(...own);
      if (item.role === "user" || echo === "") echo = own.join(" ") || echo;
    }
  } else if (input !== undefined) {
    return null;
  }
  return { texts, extraTokens: 0, echo };
}

export const responses: Api = {
  name: "responses",
  provider: "openai",
  match: (path) => path.endsWith("/responses"),
  respond({ body, rawBody, switches, now }) {
    const model = body.model;
    if (typeof model !== "string" || model === "") return invalid("you must provide a model parameter", "model");
    const prompt = responsesPrompt(body);
    if (!prompt) return invalid("Invalid value for 'input': expected a string or a list of input items.", "input");
    const inputTokens = promptTokens(prompt);
    const { pieces, finish } = answerPieces(
      switches.answer ?? echoSentence(model, prompt.echo),
      switches.chunks,
      outputLimit(body.max_output_tokens),
    );
    const id = stableId("resp_", rawBody);
    const itemId = stableId("msg_", rawBody);
    const text = pieces.join("");
    const status = finish === "length" ? "incomplete" : "completed";
    const usage = switches.noUsage ? null : {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: pieces.length,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + pieces.length,
    };
    const part = (t: string) => ({ type: "output_text", text: t, annotations: [] });
    const item = (t: string, itemStatus: string) => ({ type: "message", id: itemId, status: itemStatus, role: "assistant", content: [part(t)] });
    const response = (st: string, out: unknown[], u: unknown) => ({
      id, object: "response", created_at: now, status: st,
      incomplete_details: st === "incomplete" ? { reason: "max_output_tokens" } : null,
      error: null, model, output: out, usage: u,
    });

    if (body.stream !== true) return { kind: "json", body: response(status, [item(text, status)], usage) };

    let seq = 0;
    const ev = (type: string, fields: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...fields }, type);
    const frames: Frame[] = [];
    const push = (data: string, content = false) => frames.push({ data, content });
    push(ev("response.created", { response: response("in_progress", [], null) }));
    push(ev("response.in_progress", { response: response("in_progress", [], null) }));
    push(ev("response.output_item.added", { output_index: 0, item: { type: "message", id: itemId, status: "in_progress", role: "assistant", content: [] } }));
    push(ev("response.content_part.added", { item_id: itemId, output_index: 0, content_index: 0, part: part("") }));
    const so = body.stream_options;
    const obfuscate = !(isObject(so) && so.include_obfuscation === false);
    pieces.forEach((piece, i) => {
      const pad = obfuscate ? { obfuscation: obfuscation(`${id}:${i}`) } : {};
      push(ev("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, delta: piece, ...pad }), true);
    });
    push(ev("response.output_text.done", { item_id: itemId, output_index: 0, content_index: 0, text }));
    push(ev("response.content_part.done", { item_id: itemId, output_index: 0, content_index: 0, part: part(text) }));
    push(ev("response.output_item.done", { output_index: 0, item: item(text, status) }));
    push(ev(`response.${status}`, { response: response(status, [item(text, status)], usage) }));
    return {
      kind: "stream",
      contentType: "text/event-stream; charset=utf-8",
      frames,
      inStreamError: (err) => {
        const { error } = errorBody("openai", err, id) as { error: Record<string, unknown> };
        return ev("error", { code: error.code, message: error.message, param: error.param });
      },
    };
  },
};
