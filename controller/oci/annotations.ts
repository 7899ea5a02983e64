/**
 * @module controller/oci/annotations
 * The standard annotations `tollgate push` writes (version, source, creation time, ABI
 * version, config JSON Schema) and reading the schema back. The creation time honours
 * SOURCE_DATE_EPOCH, the reproducible-builds convention, so a rebuilt module can be
 * re-pushed to the very same manifest digest.
 */
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { OciError } from "./errors.ts";
import { Annotation, PROXY_ABI_VERSION } from "./media-types.ts";

export interface StandardAnnotationInput {
  version?: string;
  source?: string;
  /** Defaults to SOURCE_DATE_EPOCH when set, else now. */
  created?: Date;
  configSchema?: Record<string, unknown>;
}

export function creationTime(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d+$/.test(epoch)) throw new OciError("bad-input", `SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    return new Date(Number(epoch) * 1000);
  }
  return new Date();
}

export function standardAnnotations(input: StandardAnnotationInput): Record<string, string> {
  const out: Record<string, string> = {
    [Annotation.created]: (input.created ?? creationTime()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    [Annotation.abiVersion]: PROXY_ABI_VERSION,
  };
  if (input.version) out[Annotation.version] = input.version;
  if (input.source) out[Annotation.source] = input.source;
  if (input.configSchema) out[Annotation.configSchema] = JSON.stringify(input.configSchema);
  return out;
}

/** `key=value` from `--annotation`; the value may itself contain `=`. */
export function parseAnnotationFlag(flag: string): [string, string] {
  const eq = flag.indexOf("=");
  if (eq <= 0) throw new OciError("bad-input", `--annotation wants key=value, got '${flag}'`);
  return [flag.slice(0, eq), flag.slice(eq + 1)];
}

/**
 * Checks that `text` is a JSON Schema a validator can compile (draft-07, 2019-09 or
 * 2020-12, by its `$schema`), so a broken schema fails at push time rather than in the
 * controller.
 */
export function parseConfigSchema(text: string, source: string): Record<string, unknown> {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    throw new OciError("bad-input", `config schema ${source} is not valid JSON`);
  }
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
    throw new OciError("bad-input", `config schema ${source} must be a JSON object`);
  }
  const dialect = String((schema as { $schema?: unknown }).$schema ?? "");
  const ajv = dialect.includes("2020-12") ? new Ajv2020({ strict: false }) : dialect.includes("2019-09") ? new Ajv2019({ strict: false }) : new Ajv({ strict: false });
  try {
    ajv.compile(schema as object);
  } catch (err) {
    throw new OciError("bad-input", `config schema ${source} is not a valid JSON Schema: ${(err as Error).message.split("\n")[0]}`);
  }
  return schema as Record<string, unknown>;
}

/** The config schema an artifact carries, if any. */
export function configSchemaOf(annotations: Record<string, string>, image: string): Record<string, unknown> | undefined {
  const text = annotations[Annotation.configSchema];
  if (text === undefined) return undefined;
  try {
    const schema = JSON.parse(text);
    if (schema && typeof schema === "object" && !Array.isArray(schema)) return schema;
  } catch { /* reported below */ }
  throw new OciError("bad-input", `image ${image} carries a ${Annotation.configSchema} annotation that is not a JSON object`);
}
