/**
 * @module test/abi-probe/main
 * Entry of the abi-probe test module (never shipped): a filter written against the SDK that
 * calls every host function on request, so the conformance suite can check the harness and the
 * SDK against the reference. Root id "second" gets a different root, to check per-root factories.
 */
export * from "../../filters/sdk/exports";
export { proxy_validate_configuration } from "../../filters/sdk/dispatcher";
import { RootContext, registerRootContext } from "../../filters/sdk/index";
import { ProbeRoot, SecondRoot } from "./root";

registerRootContext("", (id: u32): RootContext => new ProbeRoot(id));
registerRootContext("second", (id: u32): RootContext => new SecondRoot(id));
