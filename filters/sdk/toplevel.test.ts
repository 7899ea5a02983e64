/**
 * @module filters/sdk/toplevel.test
 * Top-level code runs during `_initialize`, where Envoy traps every host call but `proxy_log`
 * (reference §10.2): the SDK's logging must work there without asking for the log level.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileVirtualFilter } from "./readme-example.ts";
import { Host } from "../../harness/index.ts";

const SOURCE = `
export * from "../sdk/exports";
import { RootContext, logInfo, logTrace, registerRootContext } from "../sdk/index";
logInfo("hello from _initialize");
logTrace("trace from _initialize");
registerRootContext("", (id: u32): RootContext => new RootContext(id));
`;

test("SDK logging in top-level code sends the line without calling proxy_get_log_level", async () => {
  const host = await Host.load(await compileVirtualFilter(SOURCE), { logLevel: "trace" });
  assert.not.ok(host.failed);
  assert.equal(host.logs(), ["hello from _initialize", "trace from _initialize"]);
  const duringInit = host.trace().filter((t) => t.kind === "hostcall" && t.context === 0).map((t) => t.name);
  assert.equal(duringInit, ["env.proxy_log", "env.proxy_log"]);
});

test.run();
