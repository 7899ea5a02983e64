/**
 * @module controller/cli/commands/push
 * `tollgate push <module.wasm> <registry/repo:tag>`: publishes a module in a layout Istio
 * and Envoy Gateway load and prints the manifest digest (the value to pin).
 */
import { readFileSync } from "node:fs";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { parseAnnotationFlag, parseConfigSchema, standardAnnotations } from "../../oci/annotations.ts";
import { cliError, parseFlags, REGISTRY_FLAGS, REGISTRY_FLAGS_HELP, registryOptions } from "../../oci/cli-options.ts";
import { WRITABLE_LAYOUTS, type WritableLayout } from "../../oci/layout.ts";
import { pushModule } from "../../oci/push.ts";
import { parseReference } from "../../oci/reference.ts";

const HELP = `usage: tollgate push <module.wasm> <registry/repo:tag> [options]

Uploads a Wasm module and prints the manifest digest.
  --layout compat|artifact   compat (default): one tar+gzip layer holding plugin.wasm;
                             artifact: the two-layer Wasm artifact (runtime config + wasm)
  --annotation key=value     add or override a manifest annotation (repeatable)
  --config-schema FILE       the module's config JSON Schema, carried as an annotation
${REGISTRY_FLAGS_HELP}
Standard annotations: org.opencontainers.image.version (the tag), .created (SOURCE_DATE_EPOCH or now),
module.wasm.runtime/abi_version, and tollgate.dev/config-schema with --config-schema.`;

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, 2);
  }
}

export const command: Command = {
  summary: "upload a Wasm module to an OCI registry and print its digest",
  async run(args) {
    const { values, positionals } = parseFlags("push", args, {
      ...REGISTRY_FLAGS,
      layout: { type: "string", default: "compat" },
      annotation: { type: "string", multiple: true, default: [] },
      "config-schema": { type: "string" },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 2) throw new CliError("expected <module.wasm> <registry/repo:tag> (see tollgate push --help)", 2);
    const layout = values.layout as WritableLayout;
    if (!WRITABLE_LAYOUTS.includes(layout)) throw new CliError(`--layout must be compat or artifact, got '${values.layout}'`, 2);
    const [file, image] = positionals;
    try {
      const ref = parseReference(image);
      const wasm = readFile(file, "module");
      const configSchema = values["config-schema"]
        ? parseConfigSchema(readFile(values["config-schema"], "config schema").toString("utf8"), values["config-schema"])
        : undefined;
      const annotations = standardAnnotations({ version: ref.tag, configSchema });
      for (const flag of values.annotation ?? []) {
        const [key, value] = parseAnnotationFlag(flag);
        annotations[key] = value;
      }
      const options = await registryOptions(values, ref.registry);
      const result = await pushModule(wasm, image, { ...options, layout, annotations });
      console.log(result.digest);
      return 0;
    } catch (err) {
      throw cliError(err);
    }
  },
};
