/**
 * @module filters/sdk/runtime/collect
 * When garbage is collected, for either AssemblyScript runtime a module is built with.
 *
 * - `incremental` (ITCMS) collects by itself, in steps, as the module allocates. It can do so
 *   anywhere because every function keeps its managed locals on a shadow stack the collector
 *   scans, and that bookkeeping costs a prologue, an epilogue and a store per reference in every
 *   function that holds one.
 * - `minimal` (TCMS) keeps no shadow stack and never collects by itself: the module must call
 *   `__collect` when no Wasm frame holds a reference the collector cannot see, since it marks
 *   from globals only. In a proxy-wasm module that moment is the end of a host's callback that
 *   is not nested in another one: every context lives in the dispatcher's maps (globals) and
 *   whatever the callback's locals held is garbage by then.
 *
 * exports.ts brackets every callback with `enterCallback` / `leaveCallback`. Under `minimal`
 * the outermost `leaveCallback` collects when one of these holds:
 * - a collection was asked for (`collectSoon`, e.g. after a large body);
 * - memory grew since the last collection: the allocator doubles memory whenever its free blocks
 *   run out, and a collection right after makes the new half reusable before it fills;
 * - `STREAMS_PER_COLLECTION` streams were deleted (their contexts are the usual garbage);
 * - `CALLBACKS_PER_COLLECTION` callbacks passed (a long stream's own garbage).
 * Nothing tells the module how much it allocated, so the counts stand in for it: between two
 * collections the garbage is at most what 64 streams or 2,048 callbacks leave, and memory settles
 * near twice that plus the live heap. The filters' hot paths allocate nothing per chunk, so the
 * counts rarely matter for them. A full collection marks the whole live heap (10–15 µs for
 * token-limit, timed from the host), so it is spread over many requests rather than run per
 * callback: about 1.5 µs per 200-chunk stream.
 */

/** Streams deleted between two collections (minimal runtime). */
const STREAMS_PER_COLLECTION: i32 = 64;
/** Callbacks between two collections (minimal runtime), whatever else happened. */
const CALLBACKS_PER_COLLECTION: i32 = 2048;
/** `ASC_RUNTIME` for `--runtime minimal` (AssemblyScript's `Runtime.Minimal`). */
const MINIMAL: i32 = 1;

let depth: i32 = 0;
let requested: bool = false;
let streamsEnded: i32 = 0;
let callbacks: i32 = 0;
let pagesAtCollection: i32 = memory.size();

/**
 * A host's callback begins (nested ones too: a callout answer inside another callback). A callback
 * that traps never leaves, so no collection follows; but the host never calls a trapped VM again
 * (Envoy fails it, or replaces it with a fresh instance).
 */
// @ts-ignore: decorator
@inline export function enterCallback(): void {
  depth++;
}

/** The callback that `enterCallback` began ends; the outermost one may collect (minimal runtime). */
// @ts-ignore: decorator
@inline export function leaveCallback(): void {
  depth--;
  if (ASC_RUNTIME != MINIMAL || depth != 0) return;
  callbacks++;
  if (requested || memory.size() != pagesAtCollection || streamsEnded >= STREAMS_PER_COLLECTION || callbacks >= CALLBACKS_PER_COLLECTION) {
    __collect();
    requested = false;
    streamsEnded = 0;
    callbacks = 0;
    pagesAtCollection = memory.size();
  }
}

/** A stream's context was deleted: its objects are garbage now. */
export function streamEnded(): void {
  streamsEnded++;
}

/**
 * Asks for a full collection as soon as it is safe: at once under the incremental runtime (which
 * frees large blocks only over many later allocations), at the end of the outermost callback under
 * the minimal one. For after a large body, so the VM stays near one body's size.
 */
export function collectSoon(): void {
  if (ASC_RUNTIME == MINIMAL) requested = true;
  else __collect();
}
