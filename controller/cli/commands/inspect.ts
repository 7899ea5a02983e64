/**
 * @module controller/cli/commands/inspect
 * `tollgate inspect <ref>`: what a FilterModule pinned to this image would get: the
 * manifest digest, the layout, the annotations and the config schema. Reads manifests
 * only; `--json` prints the controller's ResolvedModule shape.
 */
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { cliError, parseFlags, REGISTRY_FLAGS, REGISTRY_FLAGS_HELP, registryOptions } from "../../oci/cli-options.ts";
import { Annotation } from "../../oci/media-types.ts";
import { resolveImage } from "../../oci/pull.ts";
import { parseReference } from "../../oci/reference.ts";

const HELP = `usage: tollgate inspect <registry/repo[:tag|@digest]> [options]

Prints the manifest digest, layout, media type, annotations and config schema of a module image.
  --json                print one JSON object (image, digest, layout, mediaType, annotations, configSchema)
${REGISTRY_FLAGS_HELP}`;

export const command: Command = {
  summary: "show a module image's digest, layout, annotations and config schema",
  async run(args) {
    const { values, positionals } = parseFlags("inspect", args, { ...REGISTRY_FLAGS, json: { type: "boolean" } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError("expected one image reference (see tollgate inspect --help)", 2);
    try {
      const ref = parseReference(positionals[0]);
      const resolved = await resolveImage(positionals[0], await registryOptions(values, ref.registry));
      if (values.json) {
        console.log(JSON.stringify({
          image: resolved.image,
          digest: resolved.digest,
          ...(resolved.indexDigest ? { indexDigest: resolved.indexDigest } : {}),
          layout: resolved.location.layout,
          mediaType: resolved.mediaType,
          annotations: resolved.annotations,
          ...(resolved.configSchema ? { configSchema: resolved.configSchema } : {}),
        }, null, 2));
        return 0;
      }
      const lines = [
        `Image:       ${resolved.image}`,
        `Digest:      ${resolved.digest}`,
        ...(resolved.indexDigest ? [`Index:       ${resolved.indexDigest} (linux/amd64 entry)`] : []),
        `Layout:      ${resolved.location.layout}`,
        `Media type:  ${resolved.mediaType}`,
        `Module:      ${resolved.location.layer.digest} (${resolved.location.layer.size} bytes, ${resolved.location.layer.mediaType})`,
        "Annotations:",
      ];
      const shown = Object.entries(resolved.annotations).filter(([k]) => k !== Annotation.configSchema);
      lines.push(...(shown.length ? shown.map(([k, v]) => `  ${k}: ${v}`) : ["  (none)"]));
      lines.push(resolved.configSchema ? `Config schema:\n${JSON.stringify(resolved.configSchema, null, 2).replace(/^/gm, "  ")}` : "Config schema: (none)");
      console.log(lines.join("\n"));
      return 0;
    } catch (err) {
      throw cliError(err);
    }
  },
};
