/**
 * @module controller/provider/leader
 * Leader election with a `coordination.k8s.io/v1` Lease, as client-go does it: acquire when
 * the lease is free or expired, renew every `retryPeriod`, give up leadership when renewals
 * fail for `renewDeadline`, and rely on the resourceVersion precondition (409) so that two
 * replicas racing for the same lease cannot both win.
 */
import type { V1Lease } from "@kubernetes/client-node";
import { sleep } from "./backoff.ts";
import type { Kube } from "./kube.ts";
import type { Logger } from "./log.ts";

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export class LeaderElector {
  private leading = false;
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly kube: Kube, private readonly options: LeaderOptions, private readonly log: Logger,
    private readonly callbacks: { started: () => void; stopped: () => void }) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops, releasing the lease when leading so a standby can take over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    if (this.leading) {
      try {
        const lease = await this.kube.readLease(this.options.namespace, this.options.name);
        if (lease?.spec?.holderIdentity === this.options.identity) {
          await this.kube.replaceLease(this.options.namespace, this.options.name, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: new Date(0) as never } });
        }
      } catch (err) {
        this.log.warn("could not release the lease", { error: err });
      }
      this.setLeading(false);
    }
  }

  private setLeading(value: boolean): void {
    if (value === this.leading) return;
    this.leading = value;
    this.log.info(value ? "became leader" : "stopped leading", { lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity });
    if (value) this.callbacks.started();
    else this.callbacks.stopped();
  }

  private async loop(): Promise<void> {
    let lastRenew = 0;
    while (!this.abort.signal.aborted) {
      try {
        const ok = await this.tryAcquireOrRenew();
        if (ok) {
          lastRenew = Date.now();
          this.setLeading(true);
        } else if (this.leading) this.setLeading(false);
      } catch (err) {
        this.log.warn("lease update failed", { error: err });
        if (this.leading && Date.now() - lastRenew > this.options.renewDeadlineMs) this.setLeading(false);
      }
      await sleep(this.options.retryPeriodMs, this.abort.signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const now = new Date();
    const lease = await this.kube.readLease(namespace, name);
    if (!lease) {
      try {
        await this.kube.createLease(namespace, {
          apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now as never, renewTime: now as never, leaseTransitions: 0 },
        });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 409) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const renewed = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < now.getTime();
    const mine = spec.holderIdentity === identity;
    if (!mine && spec.holderIdentity && !expired) return false;
    const next: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: now as never,
        ...(mine ? {} : { acquireTime: now as never, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      await this.kube.replaceLease(namespace, name, next);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 409) return false;
      throw err;
    }
  }
}
