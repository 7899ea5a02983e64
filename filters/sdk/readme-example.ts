/**
 * @module filters/sdk/readme-example
 * Compiles the filter example of README's `sdk` section exactly as written (or any filter source),
 * as if it were `filters/hello/main.ts`, with the repository's asconfig.json; nothing is written
 * to the tree.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import asc from "assemblyscript/asc";
import { ROOT } from "../../scripts/build.ts";

export const EXAMPLE_ENTRY = "filters/hello/main.ts";

/** The first ```ts block inside `<!-- section:sdk -->`. */
export function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("<!-- section:sdk -->"), readme.indexOf("<!-- /section:sdk -->"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("README's sdk section has no ```ts example");
  return match[1];
}

export async function compileReadmeExample(): Promise<Uint8Array> {
  return compileVirtualFilter(readmeExample());
}

/**
 * Compiles `source` as if it were `filters/hello/main.ts` (nothing is written to the tree);
 * `options` are more compiler arguments (e.g. `--runtime minimal`).
 */
export async function compileVirtualFilter(source: string, options: string[] = []): Promise<Uint8Array> {
  const log: string[] = [];
  let wasm: Uint8Array | null = null;
  const sink = { write: (c: string | Uint8Array) => { log.push(String(c)); return true; } };
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const { error } = await asc.main(
      [EXAMPLE_ENTRY, "--config", "asconfig.json", "--target", "release", "--outFile", "hello.wasm", ...options],
      {
        stdout: sink as never,
        stderr: sink as never,
        readFile: (name: string, baseDir: string) => {
          const path = resolve(ROOT, baseDir, name);
          if (path === join(ROOT, EXAMPLE_ENTRY)) return source;
          try { return readFileSync(path, "utf8"); } catch { return null; }
        },
        writeFile: (name: string, contents: Uint8Array | string) => {
          if (name.endsWith(".wasm")) wasm = contents as Uint8Array;
        },
      },
    );
    if (error) throw new Error(`filter source failed to compile:\n${log.join("")}`);
  } finally {
    process.chdir(previous);
  }
  if (!wasm) throw new Error("the compiler produced no module");
  return wasm;
}
