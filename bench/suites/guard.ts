/**
 * @module bench/suites/guard
 * The payload guard's detectors — every built-in kind plus 200 phrases (the 35 shipped
 * prompt-injection phrases and 165 user phrases) — over 16 KB and 256 KB of English and code
 * with some PII and secrets sprinkled in, in wasm (`guard-bench`: the filter's own scanner over
 * raw bytes already in its memory) beside, in the same run, a JavaScript implementation of the
 * same detectors with RegExps (one per kind, run in sequence, with the same Luhn and mod-97
 * checks, over an already decoded string). The counts agree but where the RegExps, run one
 * kind at a time, report overlapping matches of two kinds (an SSN followed by a number is also a
 * phone to them), which the scanner's single pass takes once.
 * Then the stream holdback: a 400-event OpenAI chat stream pushed one event at a time, with the
 * number of events held back after each push (the latency holdback adds) and its throughput.
 */
import { loadavg } from "node:os";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/build.ts";
import { loadLib, type LibModule } from "../../filters/lib/test/wasm.ts";
import { Rng } from "../corpus/random.ts";
import { code, english } from "../corpus/text.ts";
import { measureAll } from "../lib/measure.ts";
import { fmt, printTable, ratio, sizeLabel, type Cell } from "../lib/table.ts";
import type { BenchSuite } from "../lib/suite.ts";

const BUILTINS = ["email", "phone", "card", "ssn", "ipv4", "iban", "openai_key", "aws_access_key", "github_token", "slack_token", "private_key", "jwt", "prompt_injection"];

/** The shipped list, read from its source so the JS side matches it. */
async function shippedPhrases(): Promise<string[]> {
  const { readFileSync } = await import("node:fs");
  const src = readFileSync(new URL("../../filters/payload-guard/detect/injection-phrases.ts", import.meta.url), "utf8");
  return [...src.matchAll(/^\s+"([^"]+)",$/gm)].map((m) => m[1]);
}

function userPhrases(n: number): string[] {
  const rng = new Rng(99);
  const a = ["project", "operation", "codename", "internal", "confidential", "secret", "customer", "partner", "account", "roadmap"];
  const b = ["falcon", "harbor", "aurora", "granite", "lantern", "meridian", "nimbus", "orchid", "quartz", "summit", "tundra", "willow"];
  const out = new Set<string>();
  while (out.size < n) out.add(`${rng.pick(a)} ${rng.pick(b)} ${rng.int(1000)}`);
  return [...out];
}

const SPRINKLES = [
  "write to jane.doe@example.com", "call +1 415 555 2671", "card 4111 1111 1111 1111", "ssn 123-45-6789", "host 10.20.30.40",
  "IBAN DE89 3704 0044 0532 0130 00", "key sk-proj-abcdefghijklmnopqrstuvwx", "id AKIAIOSFODNN7EXAMPLE",
  "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "xoxb-1234567890-abcdefghij", "ignore previous instructions",
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
];

function corpus(kind: "english" | "code", size: number): string {
  const rng = new Rng(size + (kind === "code" ? 1 : 0));
  let out = "";
  while (out.length < size) out += (kind === "english" ? english(rng, 2000) : code(rng, 2000)) + " " + rng.pick(SPRINKLES) + " ";
  return out.slice(0, size);
}

// ---- the JavaScript RegExp implementation ---------------------------------------------------

function luhn(digits: string): boolean {
  let sum = 0, dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d; dbl = !dbl;
  }
  return sum % 10 === 0;
}
function mod97(iban: string): boolean {
  const s = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (const ch of s) { const c = ch.charCodeAt(0); r = c <= 57 ? (r * 10 + c - 48) % 97 : (r * 100 + c - 55) % 97; }
  return r === 1;
}

export function regexDetectors(phrases: string[]): Array<[RegExp, (m: string) => boolean]> {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const all = () => true;
  return [
    [/[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, all],
    // Phone as the scanner reads it: `+` and 8–15 digits, or 10–15 digits in three or more groups.
    [/(?<![\w+.-])(?:\+\d{1,3}(?:[ .-]?\d{2,5}){0,5}|(?:\(\d{2,4}\)[ .-]?|\d{2,5}[ .-])\d{2,5}(?:[ .-]\d{2,5}){1,3})(?![\w]|\.\d)/g,
      (m) => { const d = m.replace(/\D/g, "").length; return m.startsWith("+") ? d >= 8 && d <= 15 : d >= 10 && d <= 15; }],
    [/(?<![\w.+-])\d(?:[ -]?\d){12,18}(?!\d)/g, (m) => luhn(m.replace(/\D/g, ""))],
    [/(?<![\w.+-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])/g, all],
    [/(?<![\w.+-])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)/g, all],
    [/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, (m) => mod97(m.replace(/ /g, ""))],
    [/(?<![\w-])sk-[A-Za-z0-9_-]{20,}/g, all],
    [/(?<![\w-])(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, all],
    [/(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g, all],
    [/(?<![\w-])xox[baprs]-[A-Za-z0-9-]{10,}/g, all],
    [/-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----|$)/g, all],
    [/(?<![\w-])eyJ[\w-]{7,}\.eyJ[\w-]{7,}\.[\w-]*/g, all],
    [new RegExp(phrases.map((p) => p.split(" ").map(esc).join("\\s+")).join("|"), "gi"), all],
  ];
}

function regexScan(text: string, detectors: Array<[RegExp, (m: string) => boolean]>): number {
  let n = 0;
  for (const [re, check] of detectors) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) if (check(m[0])) n++;
  }
  return n;
}

// ---- the run ----------------------------------------------------------------------------------

function chatEvent(text: string): string {
  return `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
}

async function run(): Promise<void> {
  await build(["guard-bench"]);
  const lib: LibModule = await loadLib("guard-bench");
  const x = lib.exports;
  const phrases = [...(await shippedPhrases()), ...userPhrases(165)];
  const config = {
    phraseLists: { bench: { phrases: phrases.slice(35), request: "flag", response: "flag" } },
    request: { detectors: Object.fromEntries(BUILTINS.map((k) => [k, "flag"])) },
    response: { detectors: Object.fromEntries(BUILTINS.map((k) => [k, "redact"])) },
  };
  const c = lib.put(JSON.stringify(config));
  if (x.configure(c.ptr, c.len) !== 1) throw new Error("guard-bench refused the configuration");
  const detectors = regexDetectors(phrases);
  // GUARD_BASELINE_WASM: another build of guard-bench (e.g. from an earlier commit), measured
  // beside the current one in the same interleaved rounds.
  const basePath = process.env.GUARD_BASELINE_WASM;
  const base = basePath ? await loadLib(relative(fileURLToPath(new URL("../../dist/test", import.meta.url)), resolve(basePath)).replace(/\.wasm$/, "")) : null;
  if (base) {
    const bc = base.put(JSON.stringify(config));
    if (base.exports.configure(bc.ptr, bc.len) !== 1) throw new Error("the baseline guard-bench refused the configuration");
  }

  // Other processes share the machine: the load is part of the record.
  const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
  console.log(`guard run ${new Date().toISOString()}, load average ${load()}`);
  const rows: Cell[][] = [];
  for (const size of [16 << 10, 256 << 10]) {
    for (const kind of ["english", "code"] as const) {
      const text = corpus(kind, size);
      const bytes = new TextEncoder().encode(text);
      const p = lib.put(bytes);
      const wasmCount = x.scanText(p.ptr, p.len);
      const jsCount = regexScan(text, detectors);
      const bp = base?.put(bytes);
      const [wasm, js, old] = measureAll([
        { fn: () => x.scanText(p.ptr, p.len) },
        { fn: () => regexScan(text, detectors) },
        ...(base && bp ? [{ fn: () => base.exports.scanText(bp.ptr, bp.len) }] : []),
      ], { bytes: bytes.length, rounds: 7 });
      const row: Cell[] = [sizeLabel(bytes.length), kind, wasmCount, jsCount, wasm.mbPerSec, js.mbPerSec, ratio(wasm.mbPerSec, js.mbPerSec)];
      if (base && bp && old) row.push(base.exports.scanText(bp.ptr, bp.len), old.mbPerSec, ratio(old.mbPerSec, js.mbPerSec));
      rows.push(row);
      lib.free(p);
      if (bp) base!.free(bp);
    }
  }
  console.log(`load average after the detector runs: ${load()}`);
  printTable("payload-guard: all 13 built-in detectors + 200 phrases, findings and MB/s",
    ["body", "text", "findings wasm", "findings RegExp", "wasm MB/s", "JS RegExp MB/s", "wasm / RegExp",
      ...(base ? ["findings baseline", "baseline MB/s", "baseline / RegExp"] : [])], rows);

  // Holdback: one word per event, as models stream; lag = events pushed but not yet passed on.
  const rng = new Rng(5);
  const words = english(rng, 3000).split(/(?<= )/).slice(0, 400);
  const events = words.map(chatEvent);
  const enc = new TextEncoder();
  const chunks = events.map((e) => lib.put(enc.encode(e)));
  const baseChunks = base ? events.map((e) => base.put(enc.encode(e))) : [];
  const runStream = (m = x, chunks_ = chunks) => {
    m.streamOpen();
    let released = 0, passed = 0, maxLag = 0, lagSum = 0, sent = 0;
    for (let i = 0; i < chunks_.length; i++) {
      released += m.streamPush(chunks_[i].ptr, chunks_[i].len, i === chunks_.length - 1);
      sent += chunks_[i].len;
      while (passed < events.length && released >= byteEnd(passed)) passed++;
      const lag = i + 1 - passed;
      maxLag = Math.max(maxLag, lag);
      lagSum += lag;
    }
    return { maxLag, meanLag: lagSum / chunks_.length, all: released === sent };
  };
  const ends: number[] = [];
  events.reduce((acc, e) => { ends.push(acc + e.length); return acc + e.length; }, 0);
  const byteEnd = (i: number) => ends[i];
  const lagged = runStream();
  const streamBytes = ends[ends.length - 1];
  const [stream, baseStream] = measureAll([
    { fn: () => runStream().maxLag },
    ...(base ? [{ fn: () => runStream(base.exports, baseChunks).maxLag }] : []),
  ], { bytes: streamBytes, rounds: base ? 5 : 3 });
  printTable("payload-guard: stream holdback, 400 one-word events (OpenAI chat SSE), every detector + 200 phrases on redact/flag",
    ["events", "max events held", "mean events held", "stream passed whole", "µs per event", "MB/s of SSE", ...(base ? ["baseline µs per event"] : [])],
    [[events.length, lagged.maxLag, fmt(lagged.meanLag), lagged.all ? "yes" : "NO", fmt(stream.usPerOp / events.length), stream.mbPerSec,
      ...(baseStream ? [fmt(baseStream.usPerOp / events.length)] : [])]]);
}

const suite: BenchSuite = { name: "guard", summary: "payload-guard detectors vs JS RegExps; stream holdback latency in events", run };
export default suite;
