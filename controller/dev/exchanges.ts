/**
 * @module controller/dev/exchanges
 * Exchange files for `tollgate replay`: one HTTP exchange (or a list under `exchanges:`)
 * in YAML or JSON, with bodies as text, as explicit chunks (text or `{base64}` raw bytes),
 * or as one base64 string. Loading validates everything a replay will rely on and reports
 * the first problem as `<file>: <field path>: <what was expected>`, naming the exchange.
 */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parse as parseYaml } from "yaml";

/** Header (or trailer) fields in order, as `[name, value]`; names lowercased except pseudo-headers. */
export type HeaderList = [string, string][];

export interface ExchangeMessage {
  headers: HeaderList;
  /** The body as the filter will receive it, one entry per body callback; `[]` when there is no body. */
  bodyChunks: Uint8Array[];
  /** Trailers, or null when the message has none. */
  trailers: HeaderList | null;
}

export interface ExchangeResponse extends ExchangeMessage {
  /** The `:status` header as a number (the header itself stays in `headers`). */
  status: number;
}

export interface Exchange {
  name: string;
  /** Seconds since the replay began (drives the clock), or null when not given. */
  at: number | null;
  request: ExchangeMessage;
  /** What the upstream answers if the request gets that far; null when the file gives no response. */
  response: ExchangeResponse | null;
  /** Where it was written: the file, and the index under `exchanges:` (null for a one-exchange file). */
  source: { file: string; index: number | null };
}

/** A file that cannot be used as exchanges. The message is one line naming file, field and exchange. */
export class ExchangeFileError extends Error {
  constructor(readonly file: string, readonly field: string, readonly problem: string, readonly exchange: string | null = null) {
    super(`${file}: ${field ? field + ": " : ""}${problem}${exchange ? ` (exchange "${exchange}")` : ""}`);
    this.name = "ExchangeFileError";
  }
}

const REQUEST_PSEUDO = new Set([":method", ":path", ":authority", ":scheme", ":protocol"]);
const MESSAGE_KEYS = ["headers", "body", "bodyChunks", "bodyBase64", "trailers"];
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Throws an ExchangeFileError for the field at `path`. */
type Fail = (path: string, problem: string) => never;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Uint8Array) return "binary data";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${String(v)}`;
}

function decodeBase64(value: unknown, path: string, fail: Fail): Uint8Array {
  if (typeof value !== "string") fail(path, `expected a base64 string, got ${describe(value)}`);
  const compact = (value as string).replace(/\s+/g, "");
  if (!BASE64.test(compact) || compact.length % 4 === 1) fail(path, "not valid base64");
  return new Uint8Array(Buffer.from(compact, "base64"));
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function readHeaders(value: unknown, path: string, fail: Fail, pseudo: "request" | "response" | "none"): HeaderList {
  let entries: [unknown, unknown][];
  if (isPlainObject(value)) entries = Object.entries(value);
  else if (Array.isArray(value)) {
    entries = value.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`${path}[${i}]`, `expected a [name, value] pair, got ${describe(pair)}`);
      return pair as [unknown, unknown];
    });
  } else return fail(path, `expected a mapping of header names to values (or a list of [name, value] pairs), got ${describe(value)}`);

  return entries.map(([rawName, rawValue], i): [string, string] => {
    const at = Array.isArray(value) ? `${path}[${i}]` : `${path}.${String(rawName)}`;
    if (typeof rawName !== "string" || rawName === "") fail(at, "expected a non-empty header name");
    const name = rawName as string;
    const isPseudo = name.startsWith(":");
    if (!TOKEN.test(isPseudo ? name.slice(1) : name)) fail(at, `invalid header name ${JSON.stringify(name)}`);
    if (isPseudo) {
      if (pseudo === "none") fail(at, `pseudo-header ${JSON.stringify(name)} is not allowed here`);
      if (pseudo === "request" && !REQUEST_PSEUDO.has(name)) fail(at, `unknown request pseudo-header (expected one of ${[...REQUEST_PSEUDO].join(", ")})`);
      if (pseudo === "response" && name !== ":status") fail(at, `unknown response pseudo-header (only :status)`);
    }
    let text: string;
    if (typeof rawValue === "string") text = rawValue;
    else if (typeof rawValue === "number" && Number.isFinite(rawValue)) text = String(rawValue);
    else return fail(at, `expected a string or number, got ${describe(rawValue)}`);
    if (/[\r\n\0]/.test(text)) fail(at, "header values cannot contain CR, LF or NUL");
    return [isPseudo ? name : name.toLowerCase(), text];
  });
}

function readBody(msg: Record<string, unknown>, path: string, fail: Fail): Uint8Array[] {
  const given = ["body", "bodyChunks", "bodyBase64"].filter((k) => msg[k] !== undefined);
  if (given.length > 1) fail(path, `give only one of body, bodyChunks, bodyBase64 (found ${given.join(", ")})`);
  if (msg.body !== undefined) {
    const body = msg.body;
    if (typeof body === "string") return body === "" ? [] : [utf8(body)];
    if (body instanceof Uint8Array) return body.length ? [new Uint8Array(body)] : [];
    // A mapping or list is sent as its JSON text: convenient for JSON APIs written in YAML.
    if (isPlainObject(body) || Array.isArray(body)) return [utf8(JSON.stringify(body))];
    return fail(`${path}.body`, `expected a string (or a mapping or list, sent as JSON), got ${describe(body)}`);
  }
  if (msg.bodyBase64 !== undefined) {
    const bytes = decodeBase64(msg.bodyBase64, `${path}.bodyBase64`, fail);
    return bytes.length ? [bytes] : [];
  }
  if (msg.bodyChunks !== undefined) {
    const chunks = msg.bodyChunks;
    if (!Array.isArray(chunks)) return fail(`${path}.bodyChunks`, `expected a list, got ${describe(chunks)}`);
    return chunks.map((item, i) => {
      const at = `${path}.bodyChunks[${i}]`;
      if (typeof item === "string") return utf8(item);
      if (item instanceof Uint8Array) return new Uint8Array(item);
      if (isPlainObject(item) && Object.keys(item).length === 1 && "base64" in item) return decodeBase64(item.base64, `${at}.base64`, fail);
      return fail(at, `expected a string or {base64}, got ${describe(item)}`);
    });
  }
  return [];
}

function readMessage(value: unknown, path: string, fail: Fail, kind: "request" | "response"): ExchangeMessage {
  if (!isPlainObject(value)) return fail(path, `expected a mapping with headers and a body, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!MESSAGE_KEYS.includes(key)) fail(`${path}.${key}`, `unknown field (expected ${MESSAGE_KEYS.join(", ")})`);
  }
  if (value.headers === undefined) fail(`${path}.headers`, "missing");
  const headers = readHeaders(value.headers, `${path}.headers`, fail, kind);
  const required = kind === "request" ? [":method", ":path"] : [":status"];
  for (const name of required) {
    if (!headers.some(([n]) => n === name)) fail(`${path}.headers`, `missing ${JSON.stringify(name)}`);
    if (headers.filter(([n]) => n === name).length > 1) fail(`${path}.headers`, `${JSON.stringify(name)} given more than once`);
  }
  const bodyChunks = readBody(value, path, fail);
  const trailers = value.trailers === undefined || value.trailers === null ? null : readHeaders(value.trailers, `${path}.trailers`, fail, "none");
  return { headers, bodyChunks, trailers };
}

function readExchange(value: unknown, file: string, prefix: string, index: number | null, defaultName: string): Exchange {
  const at = (field: string) => (prefix && field ? `${prefix}.${field}` : prefix || field);
  let name: string | null = null;
  const fail: Fail = (path, problem) => {
    throw new ExchangeFileError(file, path, problem, name);
  };
  if (!isPlainObject(value)) return fail(prefix, `expected an exchange (a mapping with request and response), got ${describe(value)}`);
  if (value.name !== undefined) {
    if (typeof value.name !== "string" || value.name === "") fail(at("name"), `expected a non-empty string, got ${describe(value.name)}`);
    name = value.name as string;
  }
  let time: number | null = null;
  if (value.at !== undefined && value.at !== null) {
    if (typeof value.at !== "number" || !Number.isFinite(value.at) || value.at < 0) fail(at("at"), `expected seconds (a number >= 0), got ${describe(value.at)}`);
    time = value.at as number;
  }
  if (value.request === undefined) fail(at("request"), "missing");
  const request = readMessage(value.request, at("request"), fail, "request");
  let response: ExchangeResponse | null = null;
  if (value.response !== undefined && value.response !== null) {
    const message = readMessage(value.response, at("response"), fail, "response");
    const status = message.headers.find(([n]) => n === ":status")![1];
    if (!/^[1-5]\d\d$/.test(status)) fail(at("response.headers.:status"), `expected a status from 100 to 599, got ${JSON.stringify(status)}`);
    response = { ...message, status: Number(status) };
  }
  return { name: name ?? defaultName, at: time, request, response, source: { file, index } };
}

function checkClock(exchanges: Exchange[], previousAt: number | null): void {
  let last = previousAt;
  for (const ex of exchanges) {
    if (ex.at === null) continue;
    if (last !== null && ex.at < last) {
      const field = ex.source.index === null ? "at" : `exchanges[${ex.source.index}].at`;
      throw new ExchangeFileError(ex.source.file, field, `${ex.at} is earlier than the previous exchange's ${last}: exchanges run in order and the clock never goes back`, ex.name);
    }
    last = ex.at;
  }
}

/**
 * Parses the text of an exchange file. `file` names it in errors and defaults the names of
 * exchanges that have none (`<stem>` or `<stem>[i]`). YAML unless the name ends in `.json`.
 */
export function parseExchanges(text: string, file: string): Exchange[] {
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ExchangeFileError(file, "", `not valid ${extname(file).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${message}`);
  }
  const stem = basename(file, extname(file));
  if (!isPlainObject(doc)) throw new ExchangeFileError(file, "", `expected an exchange or a mapping with exchanges:, got ${describe(doc)}`);
  let exchanges: Exchange[];
  if (doc.exchanges !== undefined) {
    const clash = ["request", "response"].filter((k) => k in doc);
    if (clash.length) throw new ExchangeFileError(file, clash[0], "a file holds one exchange or a list under exchanges:, not both");
    if (!Array.isArray(doc.exchanges)) throw new ExchangeFileError(file, "exchanges", `expected a list of exchanges, got ${describe(doc.exchanges)}`);
    if (doc.exchanges.length === 0) throw new ExchangeFileError(file, "exchanges", "the list is empty");
    exchanges = doc.exchanges.map((ex, i) => readExchange(ex, file, `exchanges[${i}]`, i, `${stem}[${i}]`));
  } else {
    exchanges = [readExchange(doc, file, "", null, stem)];
  }
  checkClock(exchanges, null);
  return exchanges;
}

/** Reads and parses one exchange file. */
export async function loadExchangeFile(path: string): Promise<Exchange[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExchangeFileError(path, "", code === "ENOENT" ? "no such file" : `cannot read: ${(err as Error).message}`);
  }
  return parseExchanges(text, path);
}

/** Reads several exchange files, in order, into one run (`at` must not go back across files either). */
export async function loadExchangeFiles(paths: string[]): Promise<Exchange[]> {
  const all: Exchange[] = [];
  for (const path of paths) {
    const exchanges = await loadExchangeFile(path);
    const lastAt = [...all].reverse().find((e) => e.at !== null)?.at ?? null;
    checkClock(exchanges, lastAt);
    all.push(...exchanges);
  }
  return all;
}

/** A message's body as one byte array. */
export function bodyBytes(message: ExchangeMessage): Uint8Array {
  const out = new Uint8Array(message.bodyChunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of message.bodyChunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
