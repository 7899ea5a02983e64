/**
 * @module filters/lib/errors
 * Every error the library reports: a numeric code carried in result objects (with the byte
 * offset where it was found) and one constant message per code, so that a module carries each
 * string once and a filter can log or return it as is.
 */

export const enum LibError {
  None = 0,
  /** Input ended inside a value (truncated body). */
  UnexpectedEnd = 1,
  /** A byte that cannot start or continue the value at this point. */
  UnexpectedByte = 2,
  /** Bytes that are not well-formed UTF-8. */
  InvalidUtf8 = 3,
  /** A backslash escape JSON does not define, or a malformed `\u` escape. */
  InvalidEscape = 4,
  /** A `\uD800`–`\uDFFF` escape without its partner. */
  UnpairedSurrogate = 5,
  /** A raw control byte (below 0x20) inside a string. */
  ControlCharacter = 6,
  /** A number that does not follow JSON's number grammar. */
  NumberSyntax = 7,
  /** A number that does not fit the requested type (i64 overflow, f64 infinity). */
  NumberOutOfRange = 8,
  /** Nesting deeper than the configured limit. */
  TooDeep = 9,
  /** The same key appears twice in one object. */
  DuplicateKey = 10,
  /** A requested key is absent. */
  NotFound = 11,
  /** A value has another type than the one asked for. */
  TypeMismatch = 12,
  /** Non-whitespace bytes after the end of the document. */
  TrailingData = 13,
  /** A line, event, string or output larger than the configured limit. */
  TooLarge = 14,
  /** A duration that is not a sequence of `<number><unit>` (ns, us, ms, s, m, h, d). */
  InvalidDuration = 15,
  /** A byte span outside its string, or splitting an escape sequence or a character. */
  InvalidSpan = 16,
  /** An empty phrase, or more phrases or states than the matcher supports. */
  InvalidPattern = 17,
  /** A number that is not an integer where one is required. */
  NotAnInteger = 18,
}

const MESSAGES: StaticArray<string> = [
  "no error",
  "unexpected end of input",
  "unexpected byte",
  "invalid UTF-8",
  "invalid escape sequence",
  "unpaired surrogate escape",
  "control character in string",
  "invalid number",
  "number out of range",
  "nesting too deep",
  "duplicate key",
  "key not found",
  "unexpected value type",
  "unexpected data after the document",
  "input too large",
  "invalid duration (expected e.g. 500ms, 1m, 24h)",
  "span outside the string or splitting an escape",
  "invalid pattern",
  "number is not an integer",
];

/** The constant message for `code` ("unknown error" for a code this build does not know). */
export function errorMessage(code: LibError): string {
  const i = <i32>code;
  if (<u32>i >= <u32>MESSAGES.length) return "unknown error";
  return unchecked(MESSAGES[i]);
}
