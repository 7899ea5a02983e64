/**
 * @module filters/payload-guard/array-frames
 * Framing of Gemini's `streamGenerateContent` response without `alt=sse`: one JSON array whose
 * elements (each a `GenerateContentResponse` object, as in the SSE form's `data:`) arrive in
 * pieces. The stream holdback treats each element, with the separators before it (`[`, `,`,
 * whitespace), as one event, so untouched elements pass byte for byte and the array stays valid.
 */

/** Length of the separators (`[`, `,`, whitespace, a BOM) at `from`: where an element would start. */
export function elementStart(p: usize, from: i32, n: i32): i32 {
  let i = from;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 0x5b || c == 0x2c || c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 || c == 0xef || c == 0xbb || c == 0xbf) { i++; continue; }
    break;
  }
  return i;
}

/**
 * End (exclusive) of the separators and element starting at `from`: just after the element's
 * closing brace, or -1 when it is not complete yet or what follows is no object (the closing
 * `]`, or bytes that are not Gemini's; the caller frames those at the end of the stream).
 */
export function elementEnd(p: usize, from: i32, n: i32): i32 {
  let i = elementStart(p, from, n);
  if (i >= n || <u32>load<u8>(p + <usize>i) != 0x7b) return -1;
  let depth = 0;
  let inString = false;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    i++;
    if (inString) {
      if (c == 0x5c) i++;
      else if (c == 0x22) inString = false;
      continue;
    }
    if (c == 0x22) inString = true;
    else if (c == 0x7b || c == 0x5b) depth++;
    else if ((c == 0x7d || c == 0x5d) && --depth == 0) return i;
  }
  return -1;
}
