/**
 * @module controller/cli/commands/pull
 * `tollgate pull <ref> -o file.wasm`: fetches a module the way Istio and Envoy Gateway
 * do (index → linux/amd64, compat, artifact or Docker v2 layout), verifies every digest
 * and the `\0asm` magic, writes the module and prints the manifest digest.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { cliError, parseFlags, REGISTRY_FLAGS, REGISTRY_FLAGS_HELP, registryOptions } from "../../oci/cli-options.ts";
import { pullModule } from "../../oci/pull.ts";
import { parseReference } from "../../oci/reference.ts";

const HELP = `usage: tollgate pull <registry/repo[:tag|@digest]> -o <file.wasm> [options]

Downloads and verifies a Wasm module, writes it to the file and prints the manifest digest.
  -o, --output FILE     where to write the module
${REGISTRY_FLAGS_HELP}`;

export const command: Command = {
  summary: "download and verify a Wasm module from an OCI registry",
  async run(args) {
    const { values, positionals } = parseFlags("pull", args, { ...REGISTRY_FLAGS, output: { type: "string", short: "o" } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError("expected one image reference (see tollgate pull --help)", 2);
    if (!values.output) throw new CliError("-o <file.wasm> is required", 2);
    try {
      const ref = parseReference(positionals[0]);
      const options = await registryOptions(values, ref.registry);
      const { resolved, wasm } = await pullModule(positionals[0], options);
      try {
        writeFileSync(values.output, wasm);
      } catch (err) {
        throw new CliError(`cannot write ${values.output}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
      }
      console.error(`wrote ${values.output}: ${wasm.length} bytes from the ${resolved.location.layout} layout`);
      console.log(resolved.digest);
      return 0;
    } catch (err) {
      throw cliError(err);
    }
  },
};
