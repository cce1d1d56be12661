/**
 * Flow control from ingest back to the devices.
 *
 * aedes acknowledges a device's QoS 1 publish before it even queues the message for the subscribers
 * (lib/handlers/publish.js writes the PUBACK first), let alone once they have it. When ingest cannot
 * keep up, that queue (aedes-persistence's per-client
 * `outgoing` array and mqemitter's message queue) grows without bound, and both are arrays that
 * aedes shifts and splices from the front: past some tens of thousands of messages every
 * acknowledgement costs a copy of the whole queue, the broker spends its time moving memory, and
 * the backlog never drains (measured: 9,000 msg/s offered, 60,000 stored of 180,000 acknowledged,
 * p99 17 s; the profile was 49 % `released` + `outgoingClearMessageId`).
 *
 * So the broker counts, per persistent subscriber, the messages queued and not yet acknowledged
 * (wrapping the persistence's enqueue and clear), and while a connected service subscriber (ingest)
 * has more than `high` of them, a device's publish waits in authorizePublish until it is back under
 * `low`. aedes reads no further packets from a connection whose publish is being authorized, so the
 * device's own in-flight window fills and it slows down: the backlog stays on the devices, which
 * keep unacknowledged readings anyway, instead of in the broker's memory. A publish waits at most
 * `maxWaitMs`, so a frozen subscriber slows devices but never stops them.
 */
import type { Aedes, Client } from 'aedes';

export interface FlowOptions {
  /** queued messages of one subscriber at which devices start to wait (default 2,000, one of ingest's batches: well under a second of what it stores) */
  high?: number;
  /** ...and at which they go on (default half of high) */
  low?: number;
  /** the longest one publish waits (default 5 s) */
  maxWaitMs?: number;
  /**
   * Queued messages a service subscriber (ingest) may have, connected or not (default 200,000: hours
   * of a school's telemetry, some 100-150 MB in memory). At the bound devices are refused (MQTT 3.1.1:
   * the connection closes, the device keeps its reading and sends it again later) instead of being
   * acknowledged and then dropped.
   */
  maxQueued?: number;
  /** queued messages any other subscriber may have; beyond it that subscriber misses messages (default 1,000) */
  maxQueuedOther?: number;
}

type Sub = { clientId: string };
interface CountedPersistence {
  outgoingEnqueueCombi(subs: Sub[], packet: unknown, cb?: unknown): Promise<void> | undefined;
  outgoingClearMessageId(client: Client, packet: unknown, cb?: unknown): Promise<unknown> | undefined;
}

export class SubscriberFlow {
  readonly high: number;
  readonly low: number;
  private readonly maxWaitMs: number;
  readonly maxQueued: number;
  private readonly maxQueuedOther: number;
  /** client ids of the service subscribers seen (their queues bound device publishes even while they are away) */
  private readonly services = new Set<string>();
  /** messages not queued for a non-service subscriber past its bound */
  dropped = 0;
  /** queued, unacknowledged messages per client id */
  private readonly queued = new Map<string, number>();
  /** connected subscribers whose queue counts (services) */
  private readonly watched = new Map<string, Client>();
  /** services connected to other nodes of a cluster (cluster.ts) */
  private elsewhere = new Set<string>();
  private waiters: (() => void)[] = [];
  private held = false;
  /** publishes that had to wait, and the ones released by the time limit */
  waits = 0;
  timeouts = 0;

  constructor(options: FlowOptions = {}) {
    this.high = options.high ?? 2000;
    this.low = options.low ?? Math.floor(this.high / 2);
    this.maxWaitMs = options.maxWaitMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 200_000;
    this.maxQueuedOther = options.maxQueuedOther ?? 1000;
  }

  /** Counts what the persistence queues and clears (call before the broker starts). */
  wrap(persistence: object): void {
    const p = persistence as CountedPersistence;
    const enqueue = p.outgoingEnqueueCombi.bind(p);
    const clear = p.outgoingClearMessageId.bind(p);
    p.outgoingEnqueueCombi = (subs, packet, cb) => {
      // a subscriber that is not a service gets no more than its bound (a forgotten test client must not fill memory)
      const kept = subs.filter((sub) => this.services.has(sub.clientId) || (this.queued.get(sub.clientId) ?? 0) < this.maxQueuedOther);
      this.dropped += subs.length - kept.length;
      for (const sub of kept) this.queued.set(sub.clientId, (this.queued.get(sub.clientId) ?? 0) + 1);
      return enqueue(kept, packet, cb);
    };
    p.outgoingClearMessageId = (client, packet, cb) => {
      const done = clear(client, packet, cb);
      // the persistence answers with the packet it removed (undefined: there was none)
      void done?.then((removed) => {
        if (removed) this.cleared(client.id);
      });
      return done;
    };
  }

  /** A subscriber whose queue holds devices back while it is connected. */
  watch(client: Client): void {
    this.watched.set(client.id, client);
    this.services.add(client.id);
  }

  /** A service subscriber known from before a restart (disk-persistence.ts): its queue is bounded as a service's before it connects. */
  knowService(clientId: string): void {
    this.services.add(clientId);
  }

  /** True when a service subscriber's queue is at its bound: a device publish must be refused, not acknowledged. */
  full(): boolean {
    return this.deepestService >= this.maxQueued;
  }

  /** The longest queue of a service subscriber, connected or not. */
  get deepestService(): number {
    let max = 0;
    for (const id of this.services) max = Math.max(max, this.queued.get(id) ?? 0);
    return max;
  }

  /** It went away: its queue waits for it (issue 8 bounds that), devices go on. */
  unwatch(client: Client): void {
    if (this.watched.get(client.id) === client) this.watched.delete(client.id);
    this.check();
  }

  /** The longest queue among the watched subscribers (here or, in a cluster, on another node). */
  get deepest(): number {
    let max = 0;
    for (const id of this.watched.keys()) max = Math.max(max, this.queued.get(id) ?? 0);
    for (const id of this.elsewhere) max = Math.max(max, this.queued.get(id) ?? 0);
    return max;
  }

  /** Client ids whose queues are counted: the services, and whoever has messages queued here. */
  trackedIds(): Iterable<string> {
    return new Set([...this.services, ...this.queued.keys()]);
  }

  /**
   * In a cluster (cluster.ts): the queue lengths as the shared persistence has them, every service
   * any node has seen, and the ones connected somewhere. Counts made here between two syncs are
   * corrected by the next one.
   */
  sync(depths: ReadonlyMap<string, number>, services: readonly string[], connected: readonly string[]): void {
    for (const [id, n] of depths) {
      if (n > 0) this.queued.set(id, n);
      else this.queued.delete(id);
    }
    for (const id of services) this.services.add(id);
    this.elsewhere = new Set(connected.filter((id) => !this.watched.has(id)));
    this.check();
  }

  /** undefined: go on; otherwise a promise that resolves when the publish may go on. */
  gate(): Promise<void> | undefined {
    if (!this.held) {
      if (this.deepest < this.high) return undefined;
      this.held = true;
    }
    this.waits++;
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== go);
        this.timeouts++;
        resolve();
      }, this.maxWaitMs);
      this.waiters.push(go);
    });
  }

  private cleared(clientId: string): void {
    const n = (this.queued.get(clientId) ?? 1) - 1;
    if (n > 0) this.queued.set(clientId, n);
    else this.queued.delete(clientId);
    if (this.held && this.watched.has(clientId)) this.check();
  }

  private check(): void {
    if (!this.held || this.deepest > this.low) return;
    this.held = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const go of waiters) go();
  }

  /** Stops waiting (the broker is closing). */
  release(): void {
    this.held = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const go of waiters) go();
  }
}

/** aedes' persistence object (created when the broker is constructed without one). */
export const persistenceOf = (aedes: Aedes): object => (aedes as unknown as { persistence: object }).persistence;
