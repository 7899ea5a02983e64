/**
 * @module controller/render/modules
 * From a processor's `wasm` field to the module it runs: image, pinned digest, root id,
 * pull secret, config schema and body-before-routing flag, whether it names a FilterModule
 * or an inline image. Also validates the processor's config against the module's JSON
 * Schema, with messages naming the exact field.
 */
import type { ValidateFunction } from "ajv";
import type { ResolvedModule } from "../api/module-resolver.ts";
import type { FilterModule, Processor } from "../api/types.ts";
import AjvModule from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { formatAjvErrors } from "../api/openapi.ts";
import { validateResource } from "../api/validate.ts";

export interface EffectiveModule {
  image: string;
  /** Manifest digest, bare hex (what WasmPlugin `sha256` and EG `image.sha256` take). */
  sha256: string;
  rootID?: string;
  pullSecret?: string;
  configSchema?: Record<string, unknown>;
  bodyBeforeRouting: boolean;
  /** `FilterModule/<name>` or `image`, for messages. */
  source: string;
}

export type ModuleOutcome =
  | { ok: true; module: EffectiveModule }
  | { ok: false; reason: "ModuleNotFound" | "ModuleNotResolved" | "Invalid"; message: string };

const DIGEST_IN_REF = /@sha256:([a-f0-9]{64})$/;

export function bareDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(7) : digest;
}

/** The manifest digest an image reference pins by itself, if any (bare hex). */
export function digestInReference(image: string): string | undefined {
  return DIGEST_IN_REF.exec(image)?.[1];
}

/** Picks the pinned digest: spec, then the reference itself, then a fresh resolution, then status. */
function pinnedDigest(image: string, specSha: string | undefined, resolved: ResolvedModule | undefined, statusDigest: string | undefined):
  { digest?: string; conflict?: string } {
  const fromRef = digestInReference(image);
  const fromSpec = specSha ? bareDigest(specSha) : undefined;
  if (fromRef && fromSpec && fromRef !== fromSpec) return { conflict: `sha256 ${fromSpec} does not match the digest in image ${image}` };
  const digest = fromSpec ?? fromRef ?? (resolved ? bareDigest(resolved.digest) : undefined) ?? (statusDigest ? bareDigest(statusDigest) : undefined);
  return { digest };
}

export function effectiveModule(processor: Processor, namespace: string, modules: FilterModule[], resolved: Record<string, ResolvedModule>): ModuleOutcome {
  const wasm = processor.wasm!;
  if (wasm.module) {
    const fm = modules.find((m) => m.metadata.name === wasm.module && (m.metadata.namespace ?? "default") === namespace);
    if (!fm) return { ok: false, reason: "ModuleNotFound", message: `processor "${processor.name}": FilterModule ${namespace}/${wasm.module} not found` };
    const problems = validateResource(fm);
    if (problems.length) return { ok: false, reason: "Invalid", message: `processor "${processor.name}": FilterModule ${namespace}/${wasm.module} is invalid: ${problems.join("; ")}` };
    const fresh = resolved[fm.spec.image];
    const pin = pinnedDigest(fm.spec.image, fm.spec.sha256, fresh, fm.status?.digest);
    if (pin.conflict) return { ok: false, reason: "Invalid", message: `processor "${processor.name}": FilterModule ${namespace}/${wasm.module}: ${pin.conflict}` };
    if (!pin.digest) {
      return { ok: false, reason: "ModuleNotResolved", message: `processor "${processor.name}": FilterModule ${namespace}/${wasm.module} has no pinned digest yet (image ${fm.spec.image} is a tag): set spec.sha256, or resolve it (tollgate render --resolve, or the controller)` };
    }
    return {
      ok: true,
      module: {
        image: fm.spec.image,
        sha256: pin.digest,
        rootID: fm.spec.rootID,
        pullSecret: fm.spec.pullSecretRef?.name,
        configSchema: fm.spec.configSchema ?? fm.status?.configSchema ?? fresh?.configSchema,
        bodyBeforeRouting: wasm.bodyBeforeRouting ?? fm.spec.bodyBeforeRouting ?? false,
        source: `FilterModule ${namespace}/${fm.metadata.name}`,
      },
    };
  }
  const image = wasm.image!;
  const pin = pinnedDigest(image, wasm.sha256, undefined, undefined);
  if (pin.conflict) return { ok: false, reason: "Invalid", message: `processor "${processor.name}": ${pin.conflict}` };
  return {
    ok: true,
    module: {
      image,
      sha256: pin.digest!,
      rootID: wasm.rootID,
      pullSecret: wasm.pullSecretRef?.name,
      configSchema: resolved[image]?.configSchema,
      bodyBeforeRouting: wasm.bodyBeforeRouting ?? false,
      source: `image ${image}`,
    },
  };
}

const compiled = new Map<string, ValidateFunction | Error>();
const Ajv07 = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as typeof AjvModule.default;

/** An ajv for the schema's dialect (`$schema`: 2020-12, 2019-09, else draft-07), as `tollgate push` checks it. */
function schemaAjv(schema: Record<string, unknown>) {
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  const options = { strict: false, allErrors: true, validateFormats: false };
  return dialect.includes("2020-12") ? new Ajv2020(options) : dialect.includes("2019-09") ? new Ajv2019(options) : new Ajv07(options);
}

/** Errors in `config` against `schema`, each naming `spec.processors[i].wasm.config.<field>`; empty when valid. */
export function configErrors(schema: Record<string, unknown>, config: unknown, index: number, processorName: string): string[] {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = schemaAjv(schema).compile(schema);
    } catch (err) {
      validate = err instanceof Error ? err : new Error(String(err));
    }
    compiled.set(key, validate);
  }
  if (validate instanceof Error) return [`processor "${processorName}": the module's config schema is not a valid JSON Schema: ${validate.message.split("\n")[0]}`];
  if (validate(config ?? {})) return [];
  return formatAjvErrors(validate.errors, `spec.processors[${index}].wasm.config`).map((e) => `processor "${processorName}": ${e}`);
}
