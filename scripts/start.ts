/**
 * @module scripts/start
 * `npm start`: builds the filter modules, then runs Tollgate's main job. Until the local
 * dev gateway (`tollgate dev`) lands, that is the build plus the CLI's command list.
 */
import { build } from "./build.ts";
import { main } from "../controller/cli/main.ts";

const rebuilt = await build();
for (const out of rebuilt) console.log(`built ${out}`);
process.exitCode = await main(["help"]);
