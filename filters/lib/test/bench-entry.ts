/**
 * @module filters/lib/test/bench-entry
 * The `lib-bench` wasm module: the operations bench/suites/{json,tokens,sse}.ts time, each one call per
 * body so the JS↔wasm crossing is paid once per operation as a filter would pay it.
 */
import "../../sdk/runtime/abort";
import { JsonScanner } from "../json/scanner";
import { JsonFields, JsonKey } from "../json/key";
import { readBool } from "../json/values";
import { SpanList } from "../json/spans";
import { collectMessageTexts } from "../json/chat";
import { estimateTokens, tokensFromFeatures, TokenFeatures } from "../tokens";
import { addTokenFeaturesReference } from "./tokens-reference";
import { SseParser } from "../sse";

export { alloc, free, collect } from "./exports-common";

const scanner = new JsonScanner();
const modelStream = new JsonFields(["model", "stream"]);
const MESSAGES = new JsonKey("messages");
const texts = new SpanList(64);

/** Finds top-level `model` and `stream`; returns model's span length + 1000 × stream, or -1. */
export function benchModelStream(ptr: usize, len: i32, stopEarly: bool): i32 {
  const sc = scanner.reset(ptr, len);
  const root = sc.root();
  if (root < 0 || sc.lookup(root, modelStream, stopEarly) < 0) return -1;
  const stream = modelStream.found(1) ? readBool(sc, modelStream.start(1)) : 0;
  return modelStream.end(0) - modelStream.start(0) + 1000 * stream;
}

const utf8Scanner = new JsonScanner();
utf8Scanner.validateUtf8 = true;
/** `benchModelStream` (strict) with UTF-8 checked in every string skipped. */
export function benchModelStreamUtf8(ptr: usize, len: i32): i32 {
  const sc = utf8Scanner.reset(ptr, len);
  const root = sc.root();
  if (root < 0 || sc.lookup(root, modelStream, false) < 0) return -1;
  const stream = modelStream.found(1) ? readBool(sc, modelStream.start(1)) : 0;
  return modelStream.end(0) - modelStream.start(0) + 1000 * stream;
}

/** Finds `messages` and walks every content text; returns their total raw byte length, or -1. */
export function benchMessageTexts(ptr: usize, len: i32): i64 {
  const sc = scanner.reset(ptr, len);
  const root = sc.root();
  if (root < 0) return -1;
  // One pass: skip the members before `messages`, then walk it (messages come first here).
  const at = sc.find(root, MESSAGES);
  if (at < 0) return -1;
  texts.reset();
  if (collectMessageTexts(sc, at, texts) < 0) return -1;
  return texts.totalBytes();
}

/** Baseline: the simplest loop that reads every byte once. */
export function benchByteLoop(ptr: usize, len: i32): u32 {
  let sum: u32 = 0;
  for (let i: usize = 0, n = <usize>len; i < n; i++) sum += <u32>load<u8>(ptr + i);
  return sum;
}

/** Estimates the tokens of a text span. */
export function benchEstimateTokens(ptr: usize, len: i32): i64 {
  return estimateTokens(ptr, len, false);
}

const referenceFeatures = new TokenFeatures();
/** The same estimate with the per-byte reference pass the fast one replaced (the "before" figure). */
export function benchEstimateTokensReference(ptr: usize, len: i32): i64 {
  referenceFeatures.clear();
  addTokenFeaturesReference(referenceFeatures, ptr, len, false);
  return tokensFromFeatures(referenceFeatures);
}

const sse = new SseParser();
/** Parses a whole SSE body fed in `chunk`-byte pieces; returns the number of events. */
export function benchSse(ptr: usize, len: i32, chunk: i32): i32 {
  sse.reset();
  let events = 0;
  for (let off = 0; off < len; off += chunk) {
    const n = min(chunk, len - off);
    if (sse.push(ptr + <usize>off, n) < 0) return -1;
    while (sse.next() !== null) events++;
  }
  sse.end();
  while (sse.next() !== null) events++;
  return events;
}
