/**
 * @module filters/lib/test/exports-matcher
 * Thin exports over the phrase matcher. Phrases arrive NUL-separated; matches go to results
 * as (pattern, start, end) triples.
 */
import { PhraseMatcherBuilder, PhraseMatcher, MatchList, MatchStream } from "../matcher";
import { setResult, setError } from "./common";

let matcher: PhraseMatcher | null = null;
let stream: MatchStream | null = null;
const hits = new MatchList(1000);

/** Returns the number of states, or -(error code). */
export function matcherBuild(ptr: usize, len: i32): i32 {
  const b = new PhraseMatcherBuilder();
  let start = 0;
  for (let i = 0; i <= len; i++) {
    if (i == len || load<u8>(ptr + <usize>i) == 0) {
      const phrase = new Uint8Array(i - start);
      memory.copy(phrase.dataStart, ptr + <usize>start, <usize>(i - start));
      b.addBytes(phrase);
      start = i + 1;
    }
  }
  matcher = b.build();
  setError(b.error, b.errorPhrase);
  if (matcher === null) return -<i32>b.error;
  stream = new MatchStream(matcher!);
  return matcher!.states;
}

function publish(): i32 {
  for (let i = 0; i < hits.length; i++) {
    setResult(3 * i, hits.pattern(i));
    setResult(3 * i + 1, hits.start(i));
    setResult(3 * i + 2, hits.end(i));
  }
  return hits.length;
}

export function matcherScan(ptr: usize, len: i32): i32 {
  if (matcher === null) return -1;
  matcher!.scan(ptr, len, hits);
  return publish();
}

export function matcherAny(ptr: usize, len: i32): i32 {
  return matcher !== null && matcher!.matchesAny(ptr, len) ? 1 : 0;
}

export function matcherStreamReset(): void { if (stream !== null) stream!.reset(); hits.reset(); }
export function matcherStreamFeed(ptr: usize, len: i32): i32 {
  if (stream === null) return -1;
  stream!.feed(ptr, len, hits);
  return publish();
}

/** A builder given no phrases at all: returns -(error code). */
export function matcherBuildNone(): i32 {
  const b = new PhraseMatcherBuilder();
  return b.build() === null ? -<i32>b.error : 0;
}
