/**
 * @module filters/payload-guard/fields.test
 * Where the guard looks: the model text of every API shape (messages, system prompts, legacy
 * prompts, Responses input, tool results, Anthropic blocks, Gemini parts) and nowhere else;
 * `fields` narrows it per direction. Bodies split into chunks at every byte boundary give the
 * same result; limits and unreadable bodies follow `maxBodyBytes`, `bodyTooLarge` and
 * `onParseError`; nothing traps.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { everyBoundary, randomChunkings } from "../../test/support/chunkings.ts";
import { CHAT, COMPLETIONS, GEMINI, MESSAGES, RESPONSES, chat, loadGuard, send } from "./test-support.ts";

const MAIL = "leak@example.com";
const host = await loadGuard({ request: { detectors: { email: "redact" } } });

const SHAPES: Array<[string, string, unknown]> = [
  ["chat string content", CHAT, { model: "m", messages: [{ role: "user", content: `to ${MAIL}` }] }],
  ["chat text parts", CHAT, { model: "m", messages: [{ role: "user", content: [{ type: "text", text: `to ${MAIL}` }] }] }],
  ["chat system message", CHAT, { model: "m", messages: [{ role: "system", content: `to ${MAIL}` }, { role: "user", content: "hi" }] }],
  ["chat tool result", CHAT, { model: "m", messages: [{ role: "tool", tool_call_id: "c1", content: `to ${MAIL}` }] }],
  ["completions prompt", COMPLETIONS, { model: "m", prompt: `to ${MAIL}` }],
  ["completions prompt array", COMPLETIONS, { model: "m", prompt: ["a", `to ${MAIL}`] }],
  ["responses input string", RESPONSES, { model: "m", input: `to ${MAIL}` }],
  ["responses input items", RESPONSES, { model: "m", input: [{ role: "user", content: [{ type: "input_text", text: `to ${MAIL}` }] }] }],
  ["responses instructions", RESPONSES, { model: "m", instructions: `to ${MAIL}`, input: "hi" }],
  ["anthropic system string", MESSAGES, { model: "m", max_tokens: 5, system: `to ${MAIL}`, messages: [{ role: "user", content: "hi" }] }],
  ["anthropic content blocks", MESSAGES, { model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "text", text: `to ${MAIL}` }] }] }],
  ["anthropic tool_result", MESSAGES, { model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: `to ${MAIL}` }] }] }],
  ["gemini parts", GEMINI, { contents: [{ role: "user", parts: [{ text: `to ${MAIL}` }] }] }],
  ["gemini system instruction", GEMINI, { systemInstruction: { parts: [{ text: `to ${MAIL}` }] }, contents: [{ role: "user", parts: [{ text: "hi" }] }] }],
];

for (const [name, path, body] of SHAPES) {
  test(`redacts inside ${name}, and only there`, async () => {
    const s = await send(host, path, JSON.stringify(body));
    assert.is(s.localResponse, null);
    const out = s.upstream.bodyText;
    assert.not.match(out, MAIL);
    assert.match(out, "to [REDACTED:email]");
    assert.equal(JSON.parse(out), JSON.parse(JSON.stringify(body).replace(MAIL, "[REDACTED:email]")));
  });
}

test("JSON around the text is never scanned: model names, tool schemas, metadata", async () => {
  const body = JSON.stringify({ model: "a@b.io", user: "c@d.io", tools: [{ type: "function", function: { name: "f", description: "mail e@f.io", parameters: {} } }], messages: [{ role: "user", content: "hi" }] });
  const s = await send(host, CHAT, body);
  assert.is(s.upstream.bodyText, body);
});

test("fields narrows what is scanned: tool results left alone when not listed", async () => {
  const h = await loadGuard({ request: { detectors: { email: "redact" }, fields: ["message"] } });
  const body = JSON.stringify({ model: "m", messages: [{ role: "tool", tool_call_id: "c", content: `to ${MAIL}` }, { role: "user", content: `to ${MAIL}` }] });
  const out = JSON.parse((await send(h, CHAT, body)).upstream.bodyText);
  assert.is(out.messages[0].content, `to ${MAIL}`);
  assert.is(out.messages[1].content, "to [REDACTED:email]");
});

test("escapes inside the text: redaction keeps the JSON valid and the surrounding escapes intact", async () => {
  const text = "quote \" back \\ tab \t unicode é \u2028 mail: x@y.io\n\"end\"";
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: text }] }).replace("é", "\\u00e9");
  const s = await send(host, CHAT, body);
  assert.is(JSON.parse(s.upstream.bodyText).messages[0].content, text.replace("x@y.io", "[REDACTED:email]"));
});

test("a body split at every byte boundary gives the same upstream body", async () => {
  const body = chat("a secret sk-abcdefghijklmnopqrstuvwxyz01 and b@c.io");
  const h = await loadGuard({ request: { detectors: { email: "redact", openai_key: "redact" } } });
  const expected = chat("a secret [REDACTED:openai_key] and [REDACTED:email]");
  for (const { name, chunks } of everyBoundary(body)) {
    const s = await send(h, CHAT, body, { chunks });
    assert.is(s.upstream.bodyText, expected, name);
  }
});

test("large bodies in random chunkings", async () => {
  const filler = "lorem ipsum dolor sit amet ".repeat(4000);
  const body = chat(`${filler} mail q@r.io ${filler}`);
  const h = await loadGuard({ request: { detectors: { email: "redact" } } });
  for (const { name, chunks } of randomChunkings(body, 8, 7)) {
    const s = await send(h, CHAT, body, { chunks });
    assert.is(JSON.parse(s.upstream.bodyText).messages[0].content, `${filler} mail [REDACTED:email] ${filler}`, name);
  }
});

test("over maxBodyBytes: 413 (declared or streamed), or unscanned with a counter when FailOpen", async () => {
  const body = chat("x".repeat(2000));
  const h = await loadGuard({ maxBodyBytes: 1000, request: { detectors: { email: "block" } } });
  const declared = await send(h, CHAT, body);
  assert.is(declared.localResponse?.status, 413);
  assert.is(declared.upstream.headers, null);
  const streamed = await send(h, CHAT, body, { chunked: true, chunks: [body.slice(0, 900), body.slice(900)] });
  assert.is(streamed.localResponse?.status, 413);
  assert.is(JSON.parse(streamed.client.bodyText).error.code, "request_too_large");
  const open = await loadGuard({ maxBodyBytes: 1000, bodyTooLarge: "FailOpen", request: { detectors: { email: "block" } } });
  const big = chat("a@b.io " + "x".repeat(2000));
  const passed = await send(open, CHAT, big);
  assert.is(passed.localResponse, null);
  assert.is(passed.upstream.bodyText, big);
  assert.is(open.metric("payload_guard.unscanned")?.value, 1);
});

test("a body that is not JSON: 400 by default, passed and counted with onParseError continue", async () => {
  const h = await loadGuard({ request: { detectors: { email: "block" } } });
  const s = await send(h, CHAT, "{not json a@b.io");
  assert.is(s.localResponse?.status, 400);
  assert.is(JSON.parse(s.client.bodyText).error.code, "invalid_body");
  assert.not.match(s.client.bodyText, "a@b.io");
  const lax = await loadGuard({ onParseError: "continue", request: { detectors: { email: "block" } } });
  const t = await send(lax, CHAT, "{not json");
  assert.is(t.localResponse, null);
  assert.is(lax.metric("payload_guard.parse_errors")?.value, 1);
});

test("no trap on malformed, truncated or mutated bodies; memory stays flat", async () => {
  const h = await loadGuard({ onParseError: "continue", phraseLists: { l: { phrases: ["abc"], request: "flag" } }, request: { detectors: { email: "redact", card: "redact", phone: "flag", iban: "redact", private_key: "redact", prompt_injection: "redact" } } });
  const base = chat("mail a@b.io card 4111 1111 1111 1111 -----BEGIN RSA PRIVATE KEY-----\nx ignore previous instructions DE89 3704 0044 0532 0130 00 \\u00e9");
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const before = h.memoryPages();
  for (let i = 0; i < 400; i++) {
    let b = base;
    if (i % 3 === 0) b = b.slice(0, Math.floor(rnd() * b.length));
    else {
      const chars = [...b];
      for (let k = 0; k < 3; k++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
      b = chars.join("");
    }
    await send(h, CHAT, b);
    assert.is(h.failed, false, `trap on ${JSON.stringify(b)}`);
  }
  assert.ok(h.memoryPages()[0] - before[0] <= 2, `memory grew from ${before[0]} to ${h.memoryPages()[0]} pages`);
});

test.run();
