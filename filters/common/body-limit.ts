/**
 * @module filters/common/body-limit
 * The request-size check every body-reading filter makes from the headers, before a byte of the
 * body arrives: a declared `content-length` over the filter's `maxBodyBytes` is answered with a
 * 413 at once instead of buffering up to the limit first.
 */

/**
 * True when a declared content-length exceeds `limit`. A value with more than 18 digits exceeds
 * any i64 limit; a value that is not a plain decimal is left to Envoy, which rejects it itself.
 */
export function declaredTooLarge(value: string, limit: i64): bool {
  if (value.length == 0 || value.length > 18) return value.length > 18;
  let n: i64 = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    n = n * 10 + <i64>(c - 0x30);
  }
  return n > limit;
}
