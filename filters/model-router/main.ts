/**
 * @module filters/model-router/main
 * Entry of `dist/filters/model-router.wasm`: routing decisions from the request body, in-process
 * (root id `model-router`). See README.md beside this file.
 */
export * from "../sdk/exports";
import { RootContext, registerRootContext } from "../sdk/index";
import { RouterRoot } from "./root";

// Top-level code runs in _initialize, where Envoy allows no host call but logging: register only.
registerRootContext("model-router", (contextId: u32): RootContext => new RouterRoot(contextId));
