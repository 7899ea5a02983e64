/**
 * @module bench/corpus/chat
 * Generated OpenAI Chat Completions request bodies of a target size, with `model` and
 * `stream` either first or last, and content of one kind: English, code, CJK, or English
 * plus a large `tools` array whose JSON Schemas contain decoy `model`/`stream` keys.
 */
import { Rng } from "./random.ts";
import { code, cjk, english } from "./text.ts";

export type BodyKind = "english" | "code" | "cjk" | "tools";
export const BODY_KINDS: readonly BodyKind[] = ["english", "code", "cjk", "tools"];
export const BODY_SIZES: readonly number[] = [1 << 10, 16 << 10, 256 << 10, 2 << 20];

export interface ChatBody {
  kind: BodyKind;
  modelFirst: boolean;
  text: string;
  bytes: Uint8Array;
}

function tool(rng: Rng, i: number) {
  return {
    type: "function",
    function: {
      name: `tool_${i}`,
      description: english(rng, 120),
      parameters: {
        type: "object",
        properties: {
          model: { type: "string", description: "decoy: a nested key named like the routing key" },
          stream: { type: "boolean" },
          query: { type: "string", description: english(rng, 80) },
          limit: { type: "integer", minimum: 1, maximum: 100 },
        },
        required: ["query"],
      },
    },
  };
}

/** A body of about `size` bytes (within a few hundred bytes; exact size is `bytes.length`). */
export function chatBody(kind: BodyKind, size: number, modelFirst: boolean, seed = 1): ChatBody {
  const rng = new Rng(seed * 7919 + size + kind.length);
  const messages: unknown[] = [{ role: "system", content: "You are a helpful assistant. Answer briefly." }];
  const tools: unknown[] = [];
  const head = { model: "gpt-4o-mini", stream: true };
  const tail = { max_completion_tokens: 512, temperature: 0.2 };
  const encoder = new TextEncoder();
  const build = () => {
    const rest: Record<string, unknown> = { messages, ...(tools.length ? { tools } : {}), ...tail };
    return JSON.stringify(modelFirst ? { ...head, ...rest } : { ...rest, ...head });
  };
  // Content per message scales with the target so 2 MB bodies do not need thousands of messages.
  const chunk = Math.max(200, Math.min(8000, size / 8));
  let text = build();
  while (encoder.encode(text).length < size) {
    const n = messages.length;
    if (kind === "tools" && tools.length * 4 < n) { tools.push(tool(rng, tools.length)); text = build(); continue; }
    const role = n % 2 === 1 ? "user" : "assistant";
    const body = kind === "code" ? code(rng, chunk) : kind === "cjk" ? cjk(rng, chunk / 3) : english(rng, chunk);
    // Every third user message uses the array-of-parts form.
    messages.push(role === "user" && n % 3 === 0
      ? { role, content: [{ type: "text", text: body }, { type: "image_url", image_url: { url: "https://img.example/x.png" } }] }
      : { role, content: body });
    text = build();
  }
  return { kind, modelFirst, text, bytes: encoder.encode(text) };
}
