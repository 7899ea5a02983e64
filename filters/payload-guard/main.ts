/**
 * @module filters/payload-guard/main
 * Entry of `dist/filters/payload-guard.wasm`: PII, secret and prompt-injection detection with
 * block, redact and flag on prompts and responses, streamed ones included (root id
 * `payload-guard`). See README.md beside this file.
 */
export * from "../sdk/exports";
import { RootContext, registerRootContext } from "../sdk/index";
import { GuardRoot } from "./root";

// Top-level code runs in _initialize, where Envoy allows no host call but logging: register only.
registerRootContext("payload-guard", (contextId: u32): RootContext => new GuardRoot(contextId));
