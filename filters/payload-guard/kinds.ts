/**
 * @module filters/payload-guard/kinds
 * What the guard can find (`Kind`: the built-in detectors, then one kind per user phrase list)
 * and what it does about it (`Action`). Kind names are the ones the configuration, the
 * `[REDACTED:<kind>]` label, the findings property and the metric names use.
 */

export const enum Kind {
  Email = 0, Phone, Card, Ssn, Ipv4, Iban,
  OpenAIKey, AwsAccessKey, GithubToken, SlackToken, PrivateKey, Jwt,
  PromptInjection,
  /** First kind of the user phrase lists (list i is `FirstList + i`). */
  FirstList,
}

export const BUILTIN_KINDS: StaticArray<string> = [
  "email", "phone", "card", "ssn", "ipv4", "iban",
  "openai_key", "aws_access_key", "github_token", "slack_token", "private_key", "jwt",
  "prompt_injection",
];

/** Ordered by severity: when several findings meet, the strongest action wins. */
export const enum Action { Off = 0, Flag = 1, Redact = 2, Block = 3 }

export const ACTION_NAMES: StaticArray<string> = ["off", "flag", "redact", "block"];

/** Index of a built-in kind by name, or -1. */
export function builtinKind(name: string): i32 {
  for (let i = 0; i < BUILTIN_KINDS.length; i++) if (unchecked(BUILTIN_KINDS[i]) == name) return i;
  return -1;
}
