/**
 * @module scripts/uvu-file
 * Runs one uvu test file the way uvu's own CLI does (deferred suites, then `exec`),
 * inside a process that already has tsx's loader, so TypeScript tests need no build.
 */
import { pathToFileURL } from "node:url";

const file = process.argv[2];
(globalThis as Record<string, unknown>).UVU_DEFER = 1;
(globalThis as Record<string, unknown>).UVU_INDEX = 0;
((globalThis as Record<string, unknown>).UVU_QUEUE as unknown[][] | undefined) ??= [];
const uvu = await import("uvu");
((globalThis as Record<string, unknown>).UVU_QUEUE as unknown[][]).push([file]);
await import(pathToFileURL(file).href);
await uvu.exec(false);
