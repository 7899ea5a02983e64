/**
 * @module controller/oci/publish
 * `tollgate publish`'s core: push each shipped filter's release module as
 * `<registry/prefix>/<name>:<version>`, with its `config.schema.json` as the schema
 * annotation. Building is the caller's job (the command calls scripts/build.ts), so this
 * part can be tested with any list of modules.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ResolveOptions } from "../api/module-resolver.ts";
import { parseConfigSchema, standardAnnotations } from "./annotations.ts";
import { OciError } from "./errors.ts";
import type { WritableLayout } from "./layout.ts";
import { pushModule } from "./push.ts";
import { formatReference, parseReference } from "./reference.ts";

export interface PublishableModule {
  name: string;
  wasmFile: string;
  /** The filter's config.schema.json, when it has one. */
  schemaFile?: string;
}

export interface PublishRequest extends ResolveOptions {
  /** `host[:port]/prefix`: each module goes to `<prefix>/<name>:<version>`. */
  registry: string;
  version: string;
  source?: string;
  layout?: WritableLayout;
  modules: PublishableModule[];
}

export interface Published {
  name: string;
  image: string;
  digest: string;
}

/** Checks `registry/prefix` by parsing the reference the first module would get. */
export function imageFor(registry: string, name: string, version: string): string {
  const image = `${registry.replace(/\/+$/, "")}/${name}:${version}`;
  const ref = parseReference(image);
  if (ref.digest) throw new OciError("bad-reference", `--registry must be host[:port]/prefix, got '${registry}'`);
  return formatReference(ref);
}

export async function publishModules(request: PublishRequest): Promise<Published[]> {
  const images = request.modules.map((m) => imageFor(request.registry, m.name, request.version));
  const out: Published[] = [];
  for (const [i, module] of request.modules.entries()) {
    if (!existsSync(module.wasmFile)) throw new OciError("bad-input", `module ${module.name} was not built: ${module.wasmFile} is missing`);
    const configSchema = module.schemaFile && existsSync(module.schemaFile)
      ? parseConfigSchema(readFileSync(module.schemaFile, "utf8"), module.schemaFile)
      : undefined;
    const annotations = standardAnnotations({ version: request.version, source: request.source, configSchema });
    const result = await pushModule(readFileSync(module.wasmFile), images[i], { ...request, annotations, layout: request.layout });
    out.push({ name: module.name, image: images[i], digest: result.digest });
  }
  return out;
}
