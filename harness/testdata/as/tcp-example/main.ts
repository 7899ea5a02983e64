/**
 * @module harness/testdata/tcp-example
 * The module behind README's TCP example, written with the SDK: a network filter that holds the
 * client's bytes until a whole line has arrived, then sends it upstream prefixed with the tenant
 * named by its plugin configuration; bytes from the upstream pass untouched and are counted.
 */
export * from "../../../../filters/sdk/exports";
import {
  Action, MetricType, PeerType, RootContext, TcpContext, defineMetric, incrementMetric, logInfo, registerRootContext,
} from "../../../../filters/sdk/index";

class LineRoot extends RootContext {
  tenant: string = "anonymous";
  bytesDown: u32 = 0;

  onConfigure(size: u32): bool {
    const config = this.pluginConfiguration();
    if (config !== null && config.byteLength > 0) this.tenant = String.UTF8.decode(config);
    this.bytesDown = defineMetric(MetricType.Counter, "tcp_example_upstream_bytes");
    return true;
  }

  newTcpContext(id: u32): TcpContext | null { return new LineConnection(id, this); }
}

class LineConnection extends TcpContext {
  onDownstreamData(size: u32, endOfStream: bool): Action {
    const data = this.downstreamData();
    if (data === null) return Action.Continue;
    // Envoy keeps what we do not let go, so the next call sees the whole line so far.
    if (!endOfStream && Uint8Array.wrap(data).lastIndexOf(10) < 0) return Action.Pause;
    this.setDownstreamData(0, 0, String.UTF8.encode((this.root as LineRoot).tenant + " "));
    return Action.Continue;
  }

  onUpstreamData(size: u32, endOfStream: bool): Action {
    incrementMetric((this.root as LineRoot).bytesDown, size);
    return Action.Continue;
  }

  onDownstreamConnectionClose(peer: PeerType): void { logInfo("closed by " + (peer == PeerType.Remote ? "client" : "proxy")); }
}

registerRootContext("", (id: u32): RootContext => new LineRoot(id));
