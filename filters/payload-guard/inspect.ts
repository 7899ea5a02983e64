/**
 * @module filters/payload-guard/inspect
 * One direction's detectors over a set of text spans (a request's prompt texts, a response's
 * output texts): counts per kind, the first kind whose action is `block`, and the redactions,
 * as offsets into the scanned bytes. The caller decides what to do with the result.
 */
import { TextSpans } from "../lib/llm/spans";
import { Action } from "./kinds";
import { Direction } from "./config";
import { FindingList } from "./detect/findings";
import { Edits } from "./redact";

export class Inspection {
  counts: StaticArray<i32> = new StaticArray<i32>(0);
  /** The first kind found whose action is block, or -1. */
  blockKind: i32 = -1;
  edits: Edits = new Edits();
  flagged: bool = false;
  found: i32 = 0;

  reset(kindCount: i32): void {
    if (this.counts.length != kindCount) this.counts = new StaticArray<i32>(kindCount);
    else for (let i = 0; i < kindCount; i++) unchecked(this.counts[i] = 0);
    this.blockKind = -1;
    this.edits.reset();
    this.flagged = false;
    this.found = 0;
  }

  /** Records finding `kind` at raw [start, end) (offsets in the scanned bytes). */
  record(d: Direction, kind: i32, start: i32, end: i32, labels: Array<Uint8Array>): void {
    const a = <Action>unchecked(d.detectors.actions[kind]);
    if (a == Action.Off) return;
    unchecked(this.counts[kind] += 1);
    this.found++;
    if (a == Action.Block) { if (this.blockKind < 0) this.blockKind = kind; }
    else if (a == Action.Redact) this.edits.add(start, end, unchecked(labels[kind]));
    else this.flagged = true;
  }
}

/** Scans every span of a field `d` scans; `base` is the address the span offsets count from. */
export function inspectSpans(d: Direction, spans: TextSpans, base: usize, findings: FindingList, labels: Array<Uint8Array>, out: Inspection): void {
  for (let i = 0; i < spans.length; i++) {
    if (!d.scans(spans.kind(i))) continue;
    const s = spans.start(i), e = spans.end(i);
    if (e <= s) continue;
    d.detectors.scan(base + <usize>s, e - s, findings);
    for (let f = 0; f < findings.length; f++) out.record(d, findings.kind(f), s + findings.start(f), s + findings.end(f), labels);
  }
}
