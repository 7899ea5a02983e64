/**
 * @module controller/dev/mock-llm/apis/gemini
 * Gemini `…/models/<model>:generateContent` and `:streamGenerateContent`. With `?alt=sse`
 * the stream is SSE with `\r\n` line ends and no `[DONE]`; without it, one JSON array whose
 * pretty-printed elements arrive one by one (`[{…}\n,\n{…}\n]`). `usageMetadata` is on every
 * chunk with running totals. Request keys are read in both ProtoJSON spellings.
 */
import { answerPieces, echoSentence, outputLimit, promptTokens, stableId, type Prompt } from "../answer.ts";
import { errorBody } from "../errors.ts";
import { invalid, isObject, sse, type Api, type Frame } from "./api.ts";

const PATH = /\/models\/([^/]+):(generateContent|streamGenerateContent)$/;

/** A field in either spelling: lowerCamelCase or snake_case. */
function field(obj: Record<string, unknown>, camel: string): unknown {
  if (camel in obj) return obj[camel];
  return obj[camel.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())];
}

function partsTexts(content: unknown, out: string[]): string[] {
  if (isObject(content) && Array.isArray(content.parts)) {
    for (const p of content.parts) if (isObject(p) && typeof p.text === "string") out.push(p.text);
  }
  return out;
}

function geminiPrompt(body: Record<string, unknown>): Prompt | string {
  const texts = partsTexts(field(body, "systemInstruction"), []);
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  let echo = "";
  for (const c of contents) {
    const own = partsTexts(c, []);
    texts.push(...own);
    if (!isObject(c) || c.role === undefined || c.role === "user") echo = own.join(" ") || echo;
  }
  return { texts, extraTokens: 0, echo };
}

export const gemini: Api = {
  name: "gemini",
  provider: "gemini",
  match: (path) => PATH.test(path),
  respond({ body, rawBody, url, switches }) {
    const [, rawModel, method] = PATH.exec(url.pathname)!;
    let model: string;
    try {
      model = decodeURIComponent(rawModel);
    } catch {
      return invalid(`Invalid model name in the path: '${rawModel}'.`);
    }
    const prompt = geminiPrompt(body);
    if (typeof prompt === "string") return invalid(prompt, "contents");
    const config = field(body, "generationConfig");
    const limit = isObject(config) ? outputLimit(field(config, "maxOutputTokens")) : null;
    const inputTokens = promptTokens(prompt);
    const { pieces, finish } = answerPieces(switches.answer ?? echoSentence(model, prompt.echo), switches.chunks, limit);
    const responseId = stableId("", rawBody);
    const finishReason = finish === "length" ? "MAX_TOKENS" : "STOP";
    const chunk = (text: string, outputSoFar: number, last: boolean) => {
      const candidate: Record<string, unknown> = { content: { role: "model", parts: [{ text }] }, index: 0 };
      if (last) candidate.finishReason = finishReason;
      const c: Record<string, unknown> = { candidates: [candidate] };
      if (!switches.noUsage) {
        c.usageMetadata = { promptTokenCount: inputTokens, candidatesTokenCount: outputSoFar, totalTokenCount: inputTokens + outputSoFar };
      }
      c.modelVersion = model;
      c.responseId = responseId;
      return c;
    };

    if (method === "generateContent") return { kind: "json", body: chunk(pieces.join(""), pieces.length, true) };

    const frames: Frame[] = [];
    const error = (err: Parameters<typeof errorBody>[1]) => JSON.stringify(errorBody("gemini", err, responseId), null, 2);
    if (url.searchParams.get("alt") === "sse") {
      pieces.forEach((p, i) => frames.push({ data: sse(chunk(p, i + 1, i === pieces.length - 1), undefined, "\r\n"), content: true }));
      // After the first bytes Google sends errors as a bare JSON object, not framed with `data:`.
      return { kind: "stream", contentType: "text/event-stream", frames, inStreamError: (err) => error(err) + "\r\n" };
    }
    pieces.forEach((p, i) => frames.push({ data: (i === 0 ? "[" : "\n,\n") + JSON.stringify(chunk(p, i + 1, i === pieces.length - 1), null, 2), content: true }));
    frames.push({ data: "\n]", content: false });
    return {
      kind: "stream",
      contentType: "application/json; charset=UTF-8",
      frames,
      inStreamError: (err, framesWritten) => (framesWritten > 0 ? "\n,\n" : "[") + error(err) + "\n]",
    };
  },
};
