/**
 * @module controller/cli/commands/render
 * `tollgate render -f <files or folders> [--gateway istio|envoy-gateway] [--resolve]`:
 * prints the YAML the controller would apply, after the same validation, for GitOps and
 * review. Offline, modules must be pinned (sha256, a digest in the image, or a digest
 * in FilterModule status); `--resolve` asks the registries through the OCI client.
 */
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import type { ResolvedModule } from "../../api/module-resolver.ts";
import type { GatewayKind } from "../../api/types.ts";
import { inputsFromDocuments, render, type RenderInput } from "../../render/index.ts";
import { loadDocuments } from "../../render/load.ts";
import { digestInReference } from "../../render/modules.ts";

const HELP = `usage: tollgate render -f <file or folder> [-f ...] [options]

Prints the WasmPlugin / EnvoyFilter (Istio) or EnvoyExtensionPolicy / EnvoyPatchPolicy (Envoy Gateway)
objects the controller would apply for the PayloadProcessors and FilterModules in the given YAML.
  -f, --filename <path>     a YAML file or a folder of them (repeatable)
  --gateway <name>          istio | envoy-gateway: what 'gateway: Auto' means offline
  --resolve                 resolve unpinned FilterModule tags through the registry
  --plain-http              with --resolve: talk plain HTTP to the registry (local registries only)
  --status                  also print each PayloadProcessor's status as a YAML comment
Exits 1, with one line per failing PayloadProcessor on stderr, when anything would not render.`;

const GATEWAYS: Record<string, GatewayKind> = { istio: "Istio", "envoy-gateway": "EnvoyGateway", envoygateway: "EnvoyGateway" };

async function resolveTags(input: RenderInput, plainHttp: boolean): Promise<Record<string, ResolvedModule>> {
  const images = input.filterModules.filter((m) => !m.spec?.sha256 && m.spec?.image && !digestInReference(m.spec.image)).map((m) => m.spec.image);
  if (!images.length) return {};
  const { resolverFromEnvironment } = await import("../../oci/index.ts");
  const resolver = resolverFromEnvironment(plainHttp);
  const out: Record<string, ResolvedModule> = {};
  for (const image of new Set(images)) {
    try {
      out[image] = await resolver.resolve(image, { plainHttp });
    } catch (err) {
      throw new CliError(`cannot resolve ${image}: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
    }
  }
  return out;
}

export const command: Command = {
  summary: "print the gateway objects the controller would apply for PayloadProcessors (offline)",
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          filename: { type: "string", short: "f", multiple: true },
          gateway: { type: "string" },
          resolve: { type: "boolean" },
          "plain-http": { type: "boolean" },
          status: { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: false,
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate render --help)`, 2);
    }
    const { values } = parsed;
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!values.filename?.length) throw new CliError("no input: give -f <file or folder> (see tollgate render --help)", 2);
    let autoGateway: GatewayKind | undefined;
    if (values.gateway !== undefined) {
      autoGateway = GATEWAYS[values.gateway.toLowerCase()];
      if (!autoGateway) throw new CliError(`--gateway must be istio or envoy-gateway, not '${values.gateway}'`, 2);
    }
    let docs: unknown[];
    try {
      docs = loadDocuments(values.filename);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const input = inputsFromDocuments(docs);
    if (!input.payloadProcessors.length) throw new CliError(`no PayloadProcessor (tollgate.dev/v1alpha1) found in ${values.filename.join(", ")}`);
    const resolved = values.resolve ? await resolveTags(input, !!values["plain-http"]) : {};
    const result = render(input, { autoGateway, autoGatewaySource: "--gateway", resolved, now: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
    for (const e of result.errors) console.error(`tollgate render: ${e.resource}: ${e.message}`);
    if (result.errors.length) return 1;
    const out: string[] = [];
    if (values.status) {
      for (const [key, status] of result.statuses) out.push(stringify({ [key]: status }, { lineWidth: 0 }).replace(/^/gm, "# ").trimEnd() + "\n");
    }
    out.push(result.objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
    process.stdout.write(out.join(""));
    return 0;
  },
};
