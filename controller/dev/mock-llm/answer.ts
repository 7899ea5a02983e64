/**
 * @module controller/dev/mock-llm/answer
 * What the mock says and how it counts. Everything is a pure function of the request so
 * that the same request always gets the same answer and the same usage numbers:
 *
 * - prompt tokens = number of words (runs of non-space characters) in the request's text
 *   (system prompts, messages, inputs; a token-id array counts one per id);
 * - the answer is an echo-like sentence naming the model, split into pieces: one word per
 *   piece, or exactly `x-mock-chunks` pieces; completion tokens = number of pieces, streamed
 *   or not, cut to the request's output limit.
 */
import { createHash } from "node:crypto";

/** Words in a text: the mock's deterministic stand-in for a tokenizer. */
export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m ? m.length : 0;
}

/** The prompt as the mock sees it: the texts it counts and the one it echoes. */
export interface Prompt {
  /** Every text of the request that counts toward prompt tokens. */
  texts: string[];
  /** Extra prompt tokens that are not text (token-id arrays). */
  extraTokens: number;
  /** The text the answer echoes: the last user turn, or the last text. */
  echo: string;
}

export function promptTokens(prompt: Prompt): number {
  return prompt.texts.reduce((n, t) => n + countWords(t), 0) + prompt.extraTokens;
}

/** Why the answer stopped: it was complete, or it hit the request's output limit. */
export type Finish = "stop" | "length";

export interface Answer {
  /** The pieces, in order; joined they are the answer text. One streamed content event each. */
  pieces: string[];
  finish: Finish;
}

const ECHO_WORDS = 16;
const FILLER = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"];

/** The default answer text: names the model (so routing is visible) and echoes the prompt. */
export function echoSentence(model: string, echo: string): string {
  const words = echo.match(/\S+/g) ?? [];
  const quoted = words.slice(0, ECHO_WORDS).join(" ") + (words.length > ECHO_WORDS ? " …" : "");
  return words.length ? `Mock answer from ${model}: you said "${quoted}".` : `Mock answer from ${model}.`;
}

/**
 * Splits `text` into pieces: by word (a piece carries the space before its word), or into
 * exactly `chunks` pieces (neighbouring words grouped; filler words added when the text has
 * fewer words than pieces), then cuts to `limit` pieces.
 */
export function answerPieces(text: string, chunks: number | null, limit: number | null): Answer {
  let words = text.match(/\s*\S+/g) ?? [];
  if (words.length === 0) words = [text];
  let pieces: string[];
  if (chunks === null) {
    pieces = words;
  } else if (chunks >= words.length) {
    pieces = [...words];
    for (let i = 0; pieces.length < chunks; i++) pieces.push(" " + FILLER[i % FILLER.length]);
  } else {
    pieces = [];
    for (let i = 0; i < chunks; i++) {
      const from = Math.floor((i * words.length) / chunks);
      const to = Math.floor(((i + 1) * words.length) / chunks);
      pieces.push(words.slice(from, to).join(""));
    }
  }
  if (limit !== null && pieces.length > limit) return { pieces: pieces.slice(0, limit), finish: "length" };
  return { pieces, finish: "stop" };
}

/** A short id that depends only on the request body, so responses are reproducible. */
export function stableId(prefix: string, body: string): string {
  return prefix + createHash("sha256").update(body).digest("hex").slice(0, 24);
}

/** A deterministic unit-length vector for an embedding input. */
export function embeddingVector(input: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = createHash("sha256").update(input).digest();
  for (let i = 0; out.length < dimensions; i++) {
    if (i > 0 && i % 16 === 0) block = createHash("sha256").update(block).digest();
    out.push(block.readInt16LE((i % 16) * 2) / 32768);
  }
  const norm = Math.sqrt(out.reduce((s, v) => s + v * v, 0)) || 1;
  return out.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** A request's positive integer output limit, or null when it has none (or an unusable one). */
export function outputLimit(...candidates: unknown[]): number | null {
  for (const c of candidates) if (typeof c === "number" && Number.isInteger(c) && c > 0) return c;
  return null;
}

/**
 * OpenAI's `obfuscation` padding for a streamed piece: 1 to 16 characters that hide the
 * piece's length on the wire. Random in OpenAI; here derived from `seed` to stay deterministic.
 */
export function obfuscation(seed: string): string {
  const digest = createHash("sha256").update(seed).digest("base64url");
  return digest.slice(0, 1 + (digest.charCodeAt(0) % 16));
}
