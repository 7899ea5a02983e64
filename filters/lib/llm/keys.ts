/**
 * @module filters/lib/llm/keys
 * The JSON keys and string values of the LLM wire formats, encoded once as module globals so
 * that comparing them with raw body bytes allocates nothing. Gemini keys come in both spellings
 * its server accepts (lowerCamelCase and snake_case).
 */
import { JsonKey } from "../json/key";

export const K_MODEL = new JsonKey("model");
export const K_MESSAGES = new JsonKey("messages");
export const K_STREAM = new JsonKey("stream");
export const K_STREAM_OPTIONS = new JsonKey("stream_options");
export const K_INCLUDE_USAGE = new JsonKey("include_usage");
export const K_MAX_TOKENS = new JsonKey("max_tokens");
export const K_MAX_COMPLETION_TOKENS = new JsonKey("max_completion_tokens");
export const K_MAX_OUTPUT_TOKENS = new JsonKey("max_output_tokens");
export const K_TOOLS = new JsonKey("tools");
export const K_FUNCTIONS = new JsonKey("functions");
export const K_N = new JsonKey("n");
export const K_PROMPT = new JsonKey("prompt");
export const K_INPUT = new JsonKey("input");
export const K_INSTRUCTIONS = new JsonKey("instructions");
export const K_SYSTEM = new JsonKey("system");
export const K_CONTENTS = new JsonKey("contents");
export const K_SYSTEM_INSTRUCTION = new JsonKey("systemInstruction");
export const K_SYSTEM_INSTRUCTION_SNAKE = new JsonKey("system_instruction");
export const K_GENERATION_CONFIG = new JsonKey("generationConfig");
export const K_GENERATION_CONFIG_SNAKE = new JsonKey("generation_config");
export const K_MAX_OUTPUT_TOKENS_CAMEL = new JsonKey("maxOutputTokens");
export const K_CANDIDATE_COUNT = new JsonKey("candidateCount");
export const K_CANDIDATE_COUNT_SNAKE = new JsonKey("candidate_count");
export const K_PREVIOUS_RESPONSE_ID = new JsonKey("previous_response_id");
export const K_CONVERSATION = new JsonKey("conversation");
export const K_CACHED_CONTENT = new JsonKey("cachedContent");
export const K_CACHED_CONTENT_SNAKE = new JsonKey("cached_content");

export const K_ROLE = new JsonKey("role");
export const K_CONTENT = new JsonKey("content");
export const K_PARTS = new JsonKey("parts");
export const K_TYPE = new JsonKey("type");
export const K_TEXT = new JsonKey("text");
export const K_TOOL_CALLS = new JsonKey("tool_calls");
export const K_FUNCTION = new JsonKey("function");
export const K_CUSTOM = new JsonKey("custom");
export const K_ARGUMENTS = new JsonKey("arguments");
export const K_OUTPUT = new JsonKey("output");
export const K_INLINE_DATA = new JsonKey("inlineData");
export const K_INLINE_DATA_SNAKE = new JsonKey("inline_data");
export const K_FILE_DATA = new JsonKey("fileData");
export const K_FILE_DATA_SNAKE = new JsonKey("file_data");
export const K_MIME_TYPE = new JsonKey("mimeType");
export const K_MIME_TYPE_SNAKE = new JsonKey("mime_type");

// Values of `type` in content parts and blocks.
export const V_TEXT = new JsonKey("text");
export const V_INPUT_TEXT = new JsonKey("input_text");
export const V_OUTPUT_TEXT = new JsonKey("output_text");
export const V_IMAGE_URL = new JsonKey("image_url");
export const V_INPUT_IMAGE = new JsonKey("input_image");
export const V_IMAGE = new JsonKey("image");
export const V_TOOL_RESULT = new JsonKey("tool_result");
export const V_IMAGE_MIME_PREFIX = new JsonKey("image/");

// Values of `role`.
export const V_SYSTEM = new JsonKey("system");
export const V_DEVELOPER = new JsonKey("developer");
export const V_USER = new JsonKey("user");
export const V_ASSISTANT = new JsonKey("assistant");
export const V_MODEL = new JsonKey("model");
export const V_TOOL = new JsonKey("tool");
export const V_FUNCTION = new JsonKey("function");
