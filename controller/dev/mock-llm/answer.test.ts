/**
 * @module controller/dev/mock-llm/answer.test
 * The mock's counting and answer splitting: the rules README promises.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { answerPieces, countWords, echoSentence, embeddingVector, promptTokens } from "./answer.ts";

test("prompt tokens are words; token ids count one each", () => {
  assert.is(countWords("  one\ttwo\nthree  "), 3);
  assert.is(countWords(""), 0);
  assert.is(promptTokens({ texts: ["a b", "c"], extraTokens: 4, echo: "" }), 7);
});

test("by default one piece per word, each carrying the space before it", () => {
  assert.equal(answerPieces("Mock answer  here.", null, null), { pieces: ["Mock", " answer", "  here."], finish: "stop" });
});

test("x-mock-chunks groups neighbouring words, or pads with filler words", () => {
  assert.equal(answerPieces("a b c d e", 2, null).pieces, ["a b", " c d e"]);
  assert.equal(answerPieces("a b", 4, null).pieces, ["a", " b", " lorem", " ipsum"]);
  assert.equal(answerPieces("a b c", 3, null).pieces, ["a", " b", " c"]);
  const pieces = answerPieces("x", 20, null).pieces;
  assert.is(pieces.length, 20);
  assert.is(countWords(pieces.join("")), 20, "every piece is one word: completion tokens stay consistent");
});

test("the output limit cuts pieces and reports length", () => {
  assert.equal(answerPieces("a b c d", null, 2), { pieces: ["a", " b"], finish: "length" });
  assert.equal(answerPieces("a b", null, 2), { pieces: ["a", " b"], finish: "stop" });
  assert.equal(answerPieces("a b c d", 3, 1), { pieces: ["a"], finish: "length" });
});

test("an empty answer is still one piece", () => {
  assert.equal(answerPieces("", null, null).pieces, [""]);
});

test("the echo sentence names the model and quotes at most 16 words", () => {
  assert.is(echoSentence("m", ""), "Mock answer from m.");
  const long = Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ");
  assert.is(echoSentence("m", long), `Mock answer from m: you said "${long.split(" ").slice(0, 16).join(" ")} …".`);
});

test("embedding vectors are deterministic, of the asked size, and differ by input", () => {
  assert.equal(embeddingVector("a", 40), embeddingVector("a", 40));
  assert.is(embeddingVector("a", 40).length, 40);
  assert.not.equal(embeddingVector("a", 8), embeddingVector("b", 8));
});

test.run();
