/**
 * @module filters/lib/test/entry
 * The `lib-tests` wasm module: thin exports over filters/lib for the uvu tests. It imports the
 * SDK's abort replacement only because asconfig.json wires `abort` to it; lib code never does.
 */
import "../../sdk/runtime/abort";

export * from "./exports-common";
export * from "./exports-json";
export * from "./exports-patch";
export * from "./exports-sse";
export * from "./exports-tokens";
export * from "./exports-matcher";
export * from "./exports-utils";
export * from "./exports-wrappers";
