/**
 * @module filters/lib/llm/test/entry
 * The `lib-llm-tests` wasm module: thin exports over filters/lib/llm for the uvu tests. It
 * imports the SDK's abort replacement only because asconfig.json wires `abort` to it.
 */
import "../../../sdk/runtime/abort";

export * from "../../test/exports-common";
export * from "./exports-api";
export * from "./exports-request";
export * from "./exports-usage";
export * from "./exports-shape";
