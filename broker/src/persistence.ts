/**
 * Where the broker keeps sessions, subscriptions, retained messages and queued QoS 1 messages:
 *
 * - `disk` (default): aedes' in-memory persistence with a copy on disk of the persistent sessions,
 *   their queued QoS 1 messages and the retained messages (disk-persistence.ts). A PUBACK means
 *   the message is on disk: it survives SIGTERM, kill -9 and a power cut.
 * - `memory`: aedes' in-memory persistence alone. A stop or crash loses what was acknowledged and
 *   not yet taken by ingest: for tests and benchmarks that want the bare broker.
 * - `redis` (CAMPUS_MQTT_PERSISTENCE=redis, CAMPUS_REDIS_URL): aedes-persistence-redis. Queued
 *   messages survive a broker restart; with Redis' `appendonly yes` + `appendfsync always` they
 *   survive a power cut too. The same Redis is what several broker nodes share (deploy/).
 */
import { createRequire } from 'node:module';
import { CampusError, type Log } from '@campus/runtime';
import { DiskPersistence, diskPersistenceFile } from './disk-persistence.ts';

export type PersistenceKind = 'disk' | 'memory' | 'redis';

export interface PersistenceOptions {
  kind: PersistenceKind;
  /** redis://host:port/db (redis only) */
  redisUrl?: string;
  /**
   * queued messages handed to a client when it reconnects (redis only; aedes-persistence-redis
   * defaults to 1,000 and leaves the rest waiting for the next reconnect): the queue bound
   */
  maxSessionDelivery?: number;
  /** where `disk` keeps its file (CAMPUS_DATA_DIR) */
  dataDir?: string;
}

export interface OpenedPersistence {
  /** the object aedes takes as `persistence` */
  persistence: object;
  describe: string;
  /** the Redis connection (redis only), for what the cluster nodes share besides the persistence */
  redis?: import('ioredis').Redis;
  /** the file behind `disk`: wrap the memory persistence with it first, restore once every wrapper is on */
  disk?: DiskPersistence;
  /** closes connections the broker's own close leaves open */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function openPersistence(opts: PersistenceOptions, log: Log): Promise<OpenedPersistence> {
  if (opts.kind === 'memory' || opts.kind === 'disk') {
    const memory = (require('aedes-persistence') as () => object)();
    if (opts.kind === 'memory') return { persistence: memory, describe: 'memory (lost on restart)', close: async () => {} };
    if (!opts.dataDir) throw new CampusError('CAMPUS_ERR_CONFIG', 'the broker\'s disk persistence needs a data directory (CAMPUS_DATA_DIR)');
    const disk = new DiskPersistence(diskPersistenceFile(opts.dataDir), log);
    disk.wrap(memory);
    return { persistence: memory, disk, describe: `disk ${disk.file}`, close: () => disk.close() };
  }
  const url = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'redis:') throw new Error('must start with redis://');
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_KNOB', `CAMPUS_REDIS_URL=${url}: ${(err as Error).message}`);
  }
  const { Redis } = require('ioredis') as typeof import('ioredis');
  // one connection the persistence uses for commands; fail fast at start when Redis is not there
  const conn = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true });
  conn.on('error', (err: Error) => log.warn(`redis: ${err.message}`));
  try {
    await conn.connect();
    await conn.ping();
  } catch (err) {
    conn.disconnect();
    throw new CampusError('CAMPUS_ERR_START', `the broker's Redis at ${url} is unreachable (CAMPUS_REDIS_URL): ${(err as Error).message}`, { cause: err });
  }
  const redisPersistence = require('aedes-persistence-redis') as (opts: object) => object;
  const persistence = redisPersistence({ conn, maxSessionDelivery: opts.maxSessionDelivery ?? 200_000 });
  return {
    persistence,
    redis: conn,
    describe: `redis ${parsed.host}${parsed.pathname}`,
    close: async () => {
      conn.disconnect();
    },
  };
}
