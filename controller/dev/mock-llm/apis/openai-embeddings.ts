/**
 * @module controller/dev/mock-llm/apis/openai-embeddings
 * OpenAI Embeddings (`…/embeddings`): never streamed, no output tokens. Vectors are
 * deterministic per input; `dimensions` defaults to 8 to keep bodies small.
 */
import { countWords, embeddingVector } from "../answer.ts";
import { invalid, type Api } from "./api.ts";

const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

export const embeddings: Api = {
  name: "embeddings",
  provider: "openai",
  match: (path) => path.endsWith("/embeddings"),
  respond({ body, switches }) {
    const model = body.model;
    if (typeof model !== "string" || model === "") return invalid("you must provide a model parameter", "model");
    const raw = body.input;
    if (raw === undefined) return invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
    const isTokens = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === "number" && Number.isInteger(t));
    // One input, or a list of inputs; a flat list of numbers is one token-id input.
    const inputs: unknown[] = Array.isArray(raw) && !isTokens(raw) ? raw : [raw];
    if (inputs.length === 0 || !inputs.every((i) => (typeof i === "string" && i !== "") || isTokens(i))) {
      return invalid("'$.input' is invalid: expected a non-empty string, a list of them, or token ids.", "input");
    }
    const dims = body.dimensions ?? DEFAULT_DIMENSIONS;
    if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
      return invalid(`Invalid value for 'dimensions': expected an integer from 1 to ${MAX_DIMENSIONS}.`, "dimensions");
    }
    const format = body.encoding_format ?? "float";
    if (format !== "float" && format !== "base64") {
      return invalid("Invalid value for 'encoding_format': expected 'float' or 'base64'.", "encoding_format");
    }
    let tokens = 0;
    const data = inputs.map((input, index) => {
      const key = typeof input === "string" ? input : JSON.stringify(input);
      tokens += typeof input === "string" ? countWords(input) : (input as number[]).length;
      const vector = embeddingVector(key, dims);
      const embedding = format === "float" ? vector : Buffer.from(new Float32Array(vector).buffer).toString("base64");
      return { object: "embedding", index, embedding };
    });
    const reply: Record<string, unknown> = { object: "list", data, model };
    if (!switches.noUsage) reply.usage = { prompt_tokens: tokens, total_tokens: tokens };
    return { kind: "json", body: reply };
  },
};
