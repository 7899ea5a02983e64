/**
 * @module controller/dev/mock-llm
 * `tollgate mock-llm` as a library: an OpenAI-, Anthropic- and Gemini-compatible upstream
 * with deterministic answers, self-consistent usage and per-request switches, for demos
 * and tests. `const mock = await startMockLlm(); … await mock.close();`
 */
export { startMockLlm, APIS, type MockLlm, type MockLlmOptions, type RecordedRequest } from "./server.ts";
export { DEFAULT_SWITCHES, SWITCH_HEADERS, SwitchError, parseSwitch, type Switches } from "./switches.ts";
export { countWords } from "./answer.ts";
