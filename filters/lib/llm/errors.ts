/**
 * @module filters/lib/llm/errors
 * Errors found while reading an LLM request: a code, the byte offset, the field it concerns and,
 * for malformed JSON, the scanner's `LibError`. Messages are built only when an error is
 * reported (they name the field and never quote the body's bytes, so they are safe to send back
 * to a client in an OpenAI-style error).
 */
import { LibError, errorMessage } from "../errors";

export const enum LlmError {
  None = 0,
  /** The body is not well-formed JSON (`detail` says why). */
  NotJson = 1,
  /** The body is JSON but not an object. */
  NotObject = 2,
  /** The API needs a `model` and the body has none (or `null`). */
  MissingModel = 3,
  /** `model` is an empty string. */
  EmptyModel = 4,
  /** A field the API defines has another JSON type than the API allows. */
  WrongType = 5,
  /** A field the gateway reads appears twice in one object: which copy would the backend use? */
  DuplicateField = 6,
  /** The path's model segment is empty or badly percent-encoded. */
  BadPathModel = 7,
  /** An integer field is negative or too large. */
  OutOfRange = 8,
}

const MESSAGES: StaticArray<string> = [
  "no error",
  "request body is not valid JSON",
  "request body must be a JSON object",
  "you must provide a model parameter",
  "model must not be empty",
  "wrong type",
  "duplicate field",
  "the model named in the path is empty or badly percent-encoded",
  "value out of range",
];

export function llmErrorMessage(code: LlmError): string {
  const i = <i32>code;
  return <u32>i < <u32>MESSAGES.length ? unchecked(MESSAGES[i]) : "unknown error";
}

/**
 * One-line description for logs and client errors, e.g.
 * "request body is not valid JSON: unexpected end of input at byte 57" or
 * "`messages[].content` has the wrong type at byte 40: expected a string, an array or null".
 */
export function describeError(code: LlmError, field: string, expected: string, detail: LibError, at: i32): string {
  if (code == LlmError.None) return "no error";
  let s: string;
  if (code == LlmError.NotJson) {
    s = llmErrorMessage(code) + ": " + errorMessage(detail);
  } else if (code == LlmError.WrongType) {
    s = "`" + field + "` has the wrong type";
  } else if (code == LlmError.DuplicateField || code == LlmError.OutOfRange) {
    s = "`" + field + "`: " + llmErrorMessage(code);
  } else {
    s = llmErrorMessage(code);
  }
  if (at >= 0) s += " at byte " + at.toString();
  if (expected.length > 0) s += ": expected " + expected;
  return s;
}
