/**
 * @module filters/sdk/collect.test
 * A filter built with the minimal runtime collects garbage only where the SDK's exports make it
 * (runtime/collect.ts). Checked with a filter that leaves 4 KiB of garbage per body chunk and
 * keeps a ring of small objects alive across callbacks, whose bytes it checks at every callback:
 * the VM must stay far below the garbage it made (so collections happen, in one long stream and
 * across many short ones), and no live object may be freed under it (its bytes would change when
 * the allocator hands the block out again). The bounds follow the policy: between collections at
 * most 2,048 callbacks' or 64 streams' garbage (8 MiB and 2 MiB here), and memory grows by doubling.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileVirtualFilter } from "./readme-example.ts";
import { Host } from "../../harness/index.ts";

const SOURCE = `
export * from "../sdk/exports";
import { FilterDataStatus, FilterHeadersStatus, HttpContext, RootContext, addHeaderMapValue, MapType, registerRootContext } from "../sdk/index";

const GARBAGE_BYTES = 4 << 10;
const RING = 64;

/** Bytes that tell apart every object the ring ever held. */
function pattern(serial: i32, at: i32): u8 { return <u8>((serial * 31 + at * 7) & 0xff); }

class Churn extends HttpContext {
  ring: Array<Uint8Array> = new Array<Uint8Array>();
  serials: Array<i32> = new Array<i32>();
  made: i32 = 0;
  corrupt: i32 = 0;

  check(): void {
    for (let i = 0; i < this.ring.length; i++) {
      const kept = this.ring[i], serial = this.serials[i];
      for (let j = 0; j < kept.length; j++) if (kept[j] != pattern(serial, j)) { this.corrupt++; break; }
    }
  }

  onRequestBody(size: u32, end: bool): FilterDataStatus {
    this.check();
    const garbage = new Uint8Array(GARBAGE_BYTES);
    garbage.fill(0xee);
    const kept = new Uint8Array(48);
    for (let j = 0; j < kept.length; j++) kept[j] = pattern(this.made, j);
    if (this.ring.length < RING) { this.ring.push(kept); this.serials.push(this.made); }
    else { this.ring[this.made % RING] = kept; this.serials[this.made % RING] = this.made; }
    this.made++;
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(count: u32, end: bool): FilterHeadersStatus {
    this.check();
    addHeaderMapValue(MapType.HttpResponseHeaders, "x-made", this.made.toString());
    addHeaderMapValue(MapType.HttpResponseHeaders, "x-corrupt", this.corrupt.toString());
    return FilterHeadersStatus.Continue;
  }
}

class ChurnRoot extends RootContext {
  newHttpContext(id: u32): HttpContext | null { return new Churn(id, this); }
}

registerRootContext("", (id: u32): RootContext => new ChurnRoot(id));
`;

const MiB = 1 << 20;
const PAGE = 64 << 10;
let wasm: Uint8Array;

test.before(async () => {
  wasm = await compileVirtualFilter(SOURCE, ["--runtime", "minimal"]);
});

function exchange(host: Host, chunks: number): Record<string, string | undefined> {
  const s = host.stream();
  s.sendRequestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" }, false);
  for (let i = 0; i < chunks; i++) s.sendRequestBody("x", i === chunks - 1);
  s.sendResponseHeaders({ ":status": "200" }, true);
  return { made: s.client.headers?.get("x-made"), corrupt: s.client.headers?.get("x-corrupt") };
}

test("one long stream: 20,000 chunks leave 78 MiB of garbage, the VM stays at 16 MiB and the live ring intact", async () => {
  const host = await Host.load(wasm);
  const got = exchange(host, 20_000);
  assert.equal(got, { made: "20000", corrupt: "0" });
  const bytes = host.memoryPages()[0] * PAGE;
  assert.ok(bytes <= 16 * MiB, `VM memory ${bytes / MiB} MiB`);
  assert.equal(host.misuse(), []);
  assert.not.ok(host.failed);
});

test("many short streams: 4,000 streams of 8 chunks (125 MiB of garbage) leave the VM at 8 MiB", async () => {
  const host = await Host.load(wasm);
  for (let i = 0; i < 4000; i++) assert.equal(exchange(host, 8), { made: "8", corrupt: "0" });
  const bytes = host.memoryPages()[0] * PAGE;
  assert.ok(bytes <= 8 * MiB, `VM memory ${bytes / MiB} MiB`);
  assert.not.ok(host.failed);
});

test("the same filter under the incremental runtime stays bounded too (the policy only acts under minimal)", async () => {
  const host = await Host.load(await compileVirtualFilter(SOURCE));
  assert.equal(exchange(host, 2000), { made: "2000", corrupt: "0" });
  assert.ok(host.memoryPages()[0] * PAGE <= 8 * MiB);
});

test.run();
