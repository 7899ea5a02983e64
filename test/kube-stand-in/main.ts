/**
 * @module test/kube-stand-in/main
 * Runs the stand-in as its own process: `node --import tsx test/kube-stand-in/main.ts
 * [--gateways istio,envoy-gateway] [--bookmark-ms N]`. Prints `listening <port>` on stdout
 * once ready and serves until stdin closes or SIGTERM, so a test that dies cannot leave it behind.
 */
import { parseArgs } from "node:util";
import { resourceSet } from "./resources.ts";
import { StandIn } from "./server.ts";

const { values } = parseArgs({ options: { gateways: { type: "string", default: "istio,envoy-gateway" }, "bookmark-ms": { type: "string", default: "1000" }, port: { type: "string", default: "0" } } });
const gateways = values.gateways!.split(",").map((g) => g.trim()).filter(Boolean);
const standIn = new StandIn({ defs: resourceSet(gateways), bookmarkMs: Number(values["bookmark-ms"]) });
const port = await standIn.listen(Number(values.port));
console.log(`listening ${port}`);
const stop = async () => {
  await standIn.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
