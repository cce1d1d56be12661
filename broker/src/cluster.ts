/**
 * Several broker nodes as one broker, on aedes' own clustering: messages travel between nodes over
 * Redis pub/sub (mqemitter-redis), sessions, subscriptions and queues live in Redis
 * (aedes-persistence-redis). A device may connect to any node and a subscriber (ingest) to any
 * other; a node that dies loses no queued message, its clients reconnect elsewhere.
 *
 * Flow control (flow.ts) counts queues per node, which no longer works: a device's node queues a
 * message for ingest and ingest's node clears it. So in a cluster each node also reads the queue
 * lengths from Redis (the persistence's `outgoing:{clientId}` lists) four times a second, and the
 * nodes share which clients are services and where they are connected (a Redis hash with a
 * heartbeat): a device on node B waits when ingest on node A falls behind, as it would on one node.
 */
import { createRequire } from 'node:module';
import type { Client } from 'aedes';
import type { Redis as RedisClient } from 'ioredis';
import { CampusError, type Log } from '@campus/runtime';
import type { SubscriberFlow } from './flow.ts';

const require = createRequire(import.meta.url);

/** clientId -> "nodeId heartbeatMs" of every service subscriber seen by any node */
const SERVICES_KEY = 'campus:mqtt:services';
/** aedes-persistence-redis keeps each client's queued messages in this list */
const outgoingKey = (clientId: string) => `outgoing:${encodeURIComponent(clientId)}`;
/** a service whose node has not refreshed it for this long counts as disconnected (its node died) */
const STALE_MS = 5000;

export interface OpenedEmitter {
  mq: object;
  close(): Promise<void>;
}

/** The message bus between broker nodes; fails the start when Redis is not there. */
export async function openRedisEmitter(redisUrl: string, log: Log): Promise<OpenedEmitter> {
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const pubConn = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  const subConn = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const conn of [pubConn, subConn]) conn.on('error', (err: Error) => log.warn(`redis (cluster bus): ${err.message}`));
  try {
    await Promise.all([pubConn.connect(), subConn.connect()]);
  } catch (err) {
    pubConn.disconnect();
    subConn.disconnect();
    throw new CampusError('CAMPUS_ERR_START', `the cluster's Redis at ${redisUrl} is unreachable (CAMPUS_REDIS_URL): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const mqemitterRedis = require('mqemitter-redis') as (opts: object) => { close(cb: () => void): void };
  const mq = mqemitterRedis({ pubConn, subConn });
  return {
    mq,
    // aedes closes the emitter itself (which quits both connections); this is for a start that failed half way
    close: async () => {
      pubConn.disconnect();
      subConn.disconnect();
    },
  };
}

/** Keeps this node's flow control in step with the queues and services of the whole cluster. */
export class ClusterQueues {
  private timer?: NodeJS.Timeout;
  private readonly local = new Map<string, Client>();
  private polling = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly flow: SubscriberFlow,
    private readonly nodeId: string,
    private readonly log: Log,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.everyMs);
    this.timer.unref();
  }

  /** A service subscriber connected to this node. */
  connected(client: Client): void {
    this.local.set(client.id, client);
    void this.heartbeat(client.id);
  }

  disconnected(client: Client): void {
    if (this.local.get(client.id) !== client) return;
    this.local.delete(client.id);
    // only if it has not connected to another node in the meantime
    void this.redis
      .hget(SERVICES_KEY, client.id)
      .then((v) => (v?.startsWith(`${this.nodeId} `) ? this.redis.hset(SERVICES_KEY, client.id, `- ${Date.now()}`) : 0))
      .catch(() => {});
  }

  private heartbeat(clientId: string) {
    return this.redis.hset(SERVICES_KEY, clientId, `${this.nodeId} ${Date.now()}`).catch((err: Error) => this.log.warn(`cluster heartbeat: ${err.message}`));
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const tx = this.redis.pipeline();
      for (const id of this.local.keys()) tx.hset(SERVICES_KEY, id, `${this.nodeId} ${now}`);
      tx.hgetall(SERVICES_KEY);
      const ids = [...this.flow.trackedIds()];
      for (const id of ids) tx.llen(outgoingKey(id));
      const results = (await tx.exec()) ?? [];
      const answers = results.slice(this.local.size);
      const services = (answers[0]?.[1] ?? {}) as Record<string, string>;
      const connected: string[] = [];
      for (const [id, value] of Object.entries(services)) {
        const [node, at] = value.split(' ');
        if (node !== '-' && now - Number(at) < STALE_MS) connected.push(id);
      }
      const depths = new Map<string, number>();
      ids.forEach((id, i) => depths.set(id, Number(answers[i + 1]?.[1] ?? 0)));
      // services known to the cluster but not yet to this node: their queues are polled from the next round
      this.flow.sync(depths, Object.keys(services), connected);
    } catch (err) {
      this.log.warn(`cluster queue poll failed: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** how often a node says it is alive; a node silent for 3 of these is dead and its clients' wills go out (within 4 more) */
export const CLUSTER_HEARTBEAT_MS = 5000;

/**
 * A dead node's will is stale when the retained message on its topic was published through another
 * node (a device that reconnected elsewhere announced itself there): publishing it would mark a
 * live device offline. Retained messages carry the broker id they came through (ours per device:
 * queue-before-ack.ts `${node}/${clientId}`).
 */
export async function isStaleWill(persistence: object, topic: string, willBrokerId: string): Promise<boolean> {
  try {
    const stream = (persistence as { createRetainedStream(pattern: string): AsyncIterable<{ topic: string; brokerId?: string }> }).createRetainedStream(topic);
    for await (const retained of stream) {
      if (retained.topic !== topic) continue;
      const from = retained.brokerId ?? '';
      return from !== willBrokerId && !from.startsWith(`${willBrokerId}/`);
    }
  } catch {
    // cannot tell: publish the will, as aedes would
  }
  return false;
}
