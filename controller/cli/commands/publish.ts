/**
 * @module controller/cli/commands/publish
 * `tollgate publish --registry <registry/prefix>`: builds every shipped filter named in
 * asconfig.json (`tollgate.filters`) and pushes each as `<prefix>/<name>:<package
 * version>`; prints one `image@digest` line per filter.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { cliError, parseFlags, REGISTRY_FLAGS, REGISTRY_FLAGS_HELP, registryOptions } from "../../oci/cli-options.ts";
import { WRITABLE_LAYOUTS, type WritableLayout } from "../../oci/layout.ts";
import { publishModules, type PublishableModule, type Published } from "../../oci/publish.ts";
import { parseReference } from "../../oci/reference.ts";

const HELP = `usage: tollgate publish --registry <host[:port]/prefix> [options]

Builds every shipped filter (asconfig.json tollgate.filters) and pushes each as
<prefix>/<name>:<version>, with filters/<name>/config.schema.json as its config schema.
  --registry HOST/PREFIX   where to push, e.g. 127.0.0.1:5000/tollgate
  --tag TAG                tag to push (default: the version in package.json)
  --layout compat|artifact (default compat)
${REGISTRY_FLAGS_HELP}`;

/** What the command needs from the repository; tests substitute a temporary module list. */
export interface PublishEnvironment {
  root: string;
  filters(): string[];
  build(names: string[]): Promise<unknown>;
}

async function defaultEnvironment(): Promise<PublishEnvironment> {
  const { ROOT, build, readBuildConfig } = await import("../../../scripts/build.ts");
  return { root: ROOT, filters: () => readBuildConfig().filters, build: (names) => build(names) };
}

function packageInfo(root: string): { version: string; source?: string } {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  return { version: pkg.version, source: repo };
}

export async function publish(args: string[], env?: PublishEnvironment): Promise<Published[] | "help"> {
  const { values, positionals } = parseFlags("publish", args, {
    ...REGISTRY_FLAGS,
    registry: { type: "string" },
    tag: { type: "string" },
    layout: { type: "string", default: "compat" },
  });
  if (values.help) return "help";
  if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}' (see tollgate publish --help)`, 2);
  if (!values.registry) throw new CliError("--registry <host[:port]/prefix> is required", 2);
  const layout = values.layout as WritableLayout;
  if (!WRITABLE_LAYOUTS.includes(layout)) throw new CliError(`--layout must be compat or artifact, got '${values.layout}'`, 2);
  try {
    const environment = env ?? (await defaultEnvironment());
    const { version, source } = packageInfo(environment.root);
    const names = environment.filters();
    const registryHost = parseReference(`${values.registry.replace(/\/+$/, "")}/probe:${values.tag ?? version}`).registry;
    const options = await registryOptions(values, registryHost);
    if (names.length === 0) return [];
    await environment.build(names);
    const modules: PublishableModule[] = names.map((name) => ({
      name,
      wasmFile: join(environment.root, "dist/filters", `${name}.wasm`),
      schemaFile: join(environment.root, "filters", name, "config.schema.json"),
    }));
    return await publishModules({ ...options, registry: values.registry, version: values.tag ?? version, source, layout, modules });
  } catch (err) {
    throw cliError(err);
  }
}

export const command: Command = {
  summary: "build and push every shipped filter, tagged with the package version",
  async run(args) {
    const result = await publish(args);
    if (result === "help") {
      console.log(HELP);
      return 0;
    }
    if (result.length === 0) console.error("no shipped filters in asconfig.json (tollgate.filters): nothing to publish");
    for (const p of result) console.log(`${p.image}@${p.digest}`);
    return 0;
  },
};
