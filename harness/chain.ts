/**
 * @module harness/chain
 * Several plugins as one Envoy HTTP filter chain (request path in order, response path in
 * reverse, a local reply stopping the rest, filter state shared along the chain), or as one
 * network filter chain for TCP connections.
 */
import { HttpStream, type StreamOptions } from "./driver.ts";
import { Environment, type EnvironmentOptions } from "./environment.ts";
import { runExchange, type Exchange } from "./exchange.ts";
import type { Plugin } from "./plugin.ts";
import { TcpConnection, type ConnectionOptions } from "./tcp.ts";
import { runTcpExchange, type TcpExchange } from "./tcp-exchange.ts";
import type { Host, HostOptions } from "./host.ts";

export class Chain {
  private next = 0;
  readonly environment: Environment;

  /** Plugins (or hosts, meaning their first plugin) in filter-chain order; they must share one Environment. */
  constructor(items: Array<Plugin | Host>) {
    this.plugins = items.map((i) => ("spec" in i ? i : i.plugin()));
    this.environment = this.plugins[0].host.environment;
    if (this.plugins.some((p) => p.host.environment !== this.environment)) {
      throw new Error("all plugins of a chain must share one Environment (load them with Chain.load or the same `environment` option)");
    }
  }
  readonly plugins: Plugin[];

  /** Loads each module into one shared Environment and chains their first plugins. */
  static async load(entries: Array<{ wasm: string | Uint8Array; options?: HostOptions }>, env: EnvironmentOptions = {}): Promise<Chain> {
    const { Host } = await import("./host.ts");
    const environment = new Environment(env);
    const hosts: Host[] = [];
    for (const e of entries) hosts.push(await Host.load(e.wasm, { ...e.options, environment }));
    return new Chain(hosts);
  }

  private workers(): number { return Math.max(...this.plugins.map((p) => p.host.vms.length)); }

  stream(options: StreamOptions = {}): HttpStream {
    const worker = options.worker ?? this.next++ % this.workers();
    return new HttpStream(this.plugins, this.environment, worker, options);
  }

  run(exchange: Exchange, options?: StreamOptions): Promise<HttpStream> {
    return runExchange(this.stream(options), this.environment, exchange);
  }

  /** A TCP connection through the plugins as Envoy's network filter chain (reads in order, writes in reverse). */
  connection(options: ConnectionOptions = {}): TcpConnection {
    const worker = options.worker ?? this.next++ % this.workers();
    return new TcpConnection(this.plugins, this.environment, worker, options);
  }

  runTcp(exchange: TcpExchange, options?: ConnectionOptions): Promise<TcpConnection> {
    return runTcpExchange(this.connection(options), this.environment, exchange);
  }

  advance(ms: number): void { this.environment.advance(ms); }
  settle(): Promise<void> { return this.environment.settle(); }
}
