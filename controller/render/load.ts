/**
 * @module controller/render/load
 * Reads YAML manifests from files and folders (recursively, `*.yaml` / `*.yml`, sorted)
 * for `tollgate render`, with errors that name the file and line.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

function yamlFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new Error(`${path}: no such file or folder`);
  if (!st.isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((entry) => {
    const full = join(path, entry);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry) ? [full] : [];
  });
}

/** Every document in every YAML file under `paths`. */
export function loadDocuments(paths: string[]): unknown[] {
  const docs: unknown[] = [];
  for (const file of paths.flatMap(yamlFiles)) {
    const text = readFileSync(file, "utf8");
    for (const doc of parseAllDocuments(text)) {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0]?.line;
        throw new Error(`${file}${line ? `:${line}` : ""}: ${error.message.split("\n")[0]}`);
      }
      const value = doc.toJS();
      if (value != null) docs.push(value);
    }
  }
  return docs;
}
