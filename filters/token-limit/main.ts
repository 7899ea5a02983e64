/**
 * @module filters/token-limit/main
 * Entry of `dist/filters/token-limit.wasm`: token accounting for every provider and token rate
 * limits, local and global (root id `token-limit`). See README.md beside this file.
 */
export * from "../sdk/exports";
import { RootContext, registerRootContext } from "../sdk/index";
import { TokenLimitRoot } from "./root";

// Top-level code runs in _initialize, where Envoy allows no host call but logging: register only.
registerRootContext("token-limit", (contextId: u32): RootContext => new TokenLimitRoot(contextId));
