/**
 * Ingest: MQTT subscriber -> decode -> validate -> batch store (or disk spool while the database is
 * down) -> acknowledge -> live events and detection. Rolls up stored hours every few seconds and
 * prunes raw readings past their retention once an hour.
 * Emits 'readings' (Reading[]) and 'statuses' (StatusChange[]) after each durable batch.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { siteSubscription, type Reading } from '@campus/contract';
import { watchLedger, type Campus } from '@campus/site';
import {
  CampusError,
  describeError,
  loadOrCreateKey,
  SERVICE_USERS,
  type Knobs,
  type Log,
  type MetricsRegistry,
  type PartHealth,
  type Service,
} from '@campus/runtime';
import { BatchWriter } from './batch-writer.ts';
import { DetectionService, type DetectionOptions } from './detection-service.ts';
import { pipelineContext, processMessage } from './pipeline.ts';
import { DeviceRegistry } from './registry.ts';
import { raise, clear } from '@campus/repairs';
import { SpooledStore } from './spooled-store.ts';
import { InfluxUnavailable } from '@campus/store';
import { openReadingStore } from '@campus/store';
import { dbPath, startOrUndo, type Db } from '@campus/runtime';
import type { ReadingStore, StatusChange } from '@campus/store';
import { MqttSubscriber } from './subscriber.ts';
import { BoundReport } from './bound-report.ts';
import { localBounds, type DeadLetterBounds, type PendingBounds } from '@campus/store';
import { lockDataDir } from './data-lock.ts';
import { join } from 'node:path';

import { STORAGE_SUBJECT } from '@campus/repairs';

const STORAGE_CONDITION = 'storage.down';

export interface IngestOptions {
  dataDir: string;
  campuses: readonly Campus[];
  store: 'sqlite' | 'influx';
  influx?: { url: string; db: string };
  /** raw readings older than this are pruned (rollups stay); default 90 */
  rawRetentionDays?: number;
  /** the disk spool's limit; default 1 GiB */
  spoolMaxBytes?: number;
  /** dead letters and pending off-the-shelf devices kept at most (store/src/bounds.ts; defaults DEFAULT_LOCAL_BOUNDS) */
  bounds?: { deadLetters?: Partial<DeadLetterBounds>; pending?: Partial<PendingBounds> };
  /** how often stored hours are rolled up, ms; default 10 s */
  rollupEveryMs?: number;
  /** an office ticket opens when the database has been unreachable this long, ms; default 5 min */
  storageTicketAfterMs?: number;
  /** the broker to subscribe to; a function when the port is only known after the broker started */
  mqttUrl: string | (() => string);
  log: Log;
  metrics: MetricsRegistry;
  /** MQTT client id of the persistent session (one per ingest worker) */
  clientId?: string;
  /** the login at the broker: default svc-ingest with the key in `dataDir`/secrets (our broker); set for an external one */
  mqttLogin?: { username?: string; password?: string; secretsDir?: string };
  /** subscribe as `$share/{group}/{filter}` (brokers with shared subscriptions: Mosquitto, EMQX) */
  sharedGroup?: string;
  /**
   * what to subscribe to: every site's topics and the off-the-shelf formats' wildcards (default), or
   * only this service's sites and the exact topics of their off-the-shelf devices ('sites': several
   * ingest services on one broker, each owning some sites; unknown off-the-shelf devices are not listed)
   */
  topics?: 'all' | 'sites';
  maxBatch?: number;
  maxDelayMs?: number;
  /** opens the reading store; the default is CAMPUS_STORE's backend in CAMPUS_DATA_DIR */
  openStore?: () => ReadingStore;
  /** campus.db as the process shares it (the composition root's one connection for detection, repairs and the dashboard); default: one of its own, opened and closed with each start */
  campusDb?: () => Db;
  /** detection timers (tests shorten them), and where ticket events go (the notifier) */
  detection?: Pick<DetectionOptions, 'tickMs' | 'saveMs' | 'now' | 'onTicketEvent'>;
}

export interface IngestEvents {
  readings: [Reading[]];
  statuses: [StatusChange[]];
}

export class IngestService extends EventEmitter<IngestEvents> implements Service {
  readonly name = 'ingest';
  readonly registry: DeviceRegistry;
  store?: ReadingStore;
  /** the write side: the store behind its disk spool */
  spooled?: SpooledStore;
  /** detectors and tickets; present while running */
  detection?: DetectionService;
  private subscriber?: MqttSubscriber;
  private writer?: BatchWriter;
  private accepting = false;
  private lastMessageAt = 0;
  private lastWriteError?: string;
  private timers: NodeJS.Timeout[] = [];
  private rolling?: Promise<void>;
  private storageTicket = false;
  private rollupPending = 0;
  private openHoursRolledAt = 0;
  private unsubscribe: (() => void)[] = [];
  private releaseLock?: () => void;

  constructor(private readonly opts: IngestOptions) {
    super();
    this.registry = new DeviceRegistry(opts.campuses);
  }

  // a store that would not open, a broker that refused us: the lock, the store, detection and
  // the timers of this attempt are released, so that a retry (the worker's) starts clean
  async start(): Promise<void> {
    await startOrUndo(this, () => this.startParts());
  }

  private async startParts(): Promise<void> {
    const { log, metrics } = this.opts;
    const lock = lockDataDir(this.opts.dataDir, this.opts.clientId ?? 'ingest');
    if (!lock.ok) {
      const h = lock.holder;
      throw new CampusError(
        'CAMPUS_ERR_START',
        `${this.opts.dataDir} is being read by another ingest (pid ${h.pid} on ${h.host}, ${h.who}, since ${h.since}); one ingest per data dir. If that process is gone for good, delete ${join(this.opts.dataDir, 'ingest.lock')}`,
      );
    }
    this.releaseLock = lock.release;
    const store = (this.opts.openStore ?? (() => openStore(this.opts)))();
    this.store = store;
    const detection = new DetectionService({
      db: this.opts.campusDb?.() ?? dbPath(this.opts.dataDir),
      campuses: this.opts.campuses,
      log: log.child('detect'),
      metrics,
      ...this.opts.detection,
    });
    this.detection = detection;
    detection.start();
    // devices added to the campus file while running (adoption): mapped and judged from now on
    for (const campus of this.opts.campuses) {
      const watcher = watchLedger(campus, log.child('ledger'));
      this.unsubscribe.push(() => watcher.close());
      this.unsubscribe.push(
        campus.onDeviceAdded((device) => {
          this.registry.add(campus.site.id, device);
          this.detection?.engine.addDevice(campus, device);
        }),
      );
    }

    const received = metrics.counter('campus_readings_received_total', 'MQTT messages received by ingest');
    const rejected = metrics.counter('campus_readings_rejected_total', 'messages rejected and kept in the dead-letter table');
    const ignored = metrics.counter(
      'campus_messages_ignored_total',
      'messages understood and not readings (a Tasmota STATE, a partial update still waiting for a register)',
    );
    const pendingSeen = metrics.counter('campus_pending_messages_total', 'messages from off-the-shelf devices not in the campus file yet (listed on /devices)');
    const stored = metrics.counter('campus_readings_stored_total', 'readings stored in the database');
    const spooledTotal = metrics.counter('campus_readings_spooled_total', 'readings written to the disk spool while the database was down');
    const duplicates = metrics.counter('campus_readings_duplicate_total', 'readings received again (QoS 1 redelivery) and stored once');
    const writeErrors = metrics.counter('campus_store_write_errors_total', 'failed store writes (retried)');
    const batches = metrics.counter('campus_store_batches_total', 'store transactions committed');

    const bounded = new BoundReport(metrics, log, localBounds(this.opts.bounds));
    const spooled = new SpooledStore(store, {
      dir: join(this.opts.dataDir, 'spool'),
      maxBytes: this.opts.spoolMaxBytes ?? 1024 * 1024 * 1024,
      log: log.child('spool'),
      isUnavailable: (err) => err instanceof InfluxUnavailable,
      onReplayed: (_batch, result) => {
        stored.inc({}, result.stored);
        duplicates.inc({}, result.duplicates);
        bounded.written(result.bounded);
      },
    });
    this.spooled = spooled;
    metrics.gauge('campus_spool_batches', 'batches in the disk spool, waiting for the database', () => spooled.depth.batches);
    metrics.gauge('campus_spool_bytes', 'bytes in the disk spool', () => spooled.depth.bytes);
    metrics.gauge('campus_store_down_seconds', 'how long the database has been unreachable (0 while it answers)', () =>
      spooled.downSince === undefined ? 0 : Math.round((Date.now() - spooled.downSince) / 1000),
    );

    const writer = new BatchWriter(spooled, {
      maxBatch: this.opts.maxBatch ?? 2000,
      maxDelayMs: this.opts.maxDelayMs ?? 50,
      log,
      deadLetterPayloadBytes: localBounds(this.opts.bounds).deadLetters.maxPayloadBytes,
      onCommitted: (batch, result) => {
        this.lastWriteError = undefined;
        batches.inc();
        stored.inc({}, result.stored);
        spooledTotal.inc({}, (result as { spooled?: number }).spooled ?? 0);
        duplicates.inc({}, result.duplicates);
        rejected.inc({}, batch.deadLetters.length);
        pendingSeen.inc({}, batch.pending?.length ?? 0);
        bounded.rejected(batch.deadLetters);
        bounded.written(result.bounded);
        if (batch.statuses.length) detection.statuses(batch.statuses);
        if (batch.readings.length) {
          this.emit('readings', batch.readings);
          detection.readings(batch.readings);
        }
        if (batch.statuses.length) this.emit('statuses', batch.statuses);
        if (writer.depth <= lowWater) this.subscriber?.resume();
      },
      onWriteError: (err) => {
        writeErrors.inc();
        this.lastWriteError = describeError(err);
      },
    });
    this.writer = writer;
    metrics.gauge('campus_ingest_queue_depth', 'messages received and not yet stored', () => writer.depth);
    const highWater = 10 * (this.opts.maxBatch ?? 2000);
    const lowWater = this.opts.maxBatch ?? 2000;

    metrics.gauge('campus_rollup_queue', 'device-hours waiting for their rollups', () => this.rollupPending);
    this.timers.push(
      setInterval(() => void this.rollUpOnce(), this.opts.rollupEveryMs ?? 10_000),
      setInterval(() => void this.prune(), 3600_000),
      setInterval(() => this.checkStorage(), 15_000),
    );
    for (const t of this.timers) t.unref();

    const ctx = pipelineContext(this.registry);
    const url = typeof this.opts.mqttUrl === 'function' ? this.opts.mqttUrl() : this.opts.mqttUrl;
    this.accepting = true;
    this.subscriber = new MqttSubscriber({
      url,
      clientId: this.opts.clientId ?? `campus-ingest-${hostname()}`.slice(0, 64),
      username: this.opts.mqttLogin?.username ?? SERVICE_USERS.ingest,
      password: this.opts.mqttLogin?.password ?? loadOrCreateKey(this.opts.mqttLogin?.secretsDir ?? this.opts.dataDir, 'ingest'),
      // native topics per site, and the off-the-shelf formats' own topics (mapped through the campus file)
      topics: this.topics(),
      sharedGroup: this.opts.sharedGroup,
      log,
      onMessage: (topic, payload, ack) => {
        // while stopping, leave new messages unacknowledged: the broker keeps them for next time
        if (!this.accepting) return;
        received.inc();
        const now = Date.now();
        this.lastMessageAt = now;
        const outcomes = processMessage(topic, payload, now, ctx);
        const ignoredHere = outcomes.filter((o) => o.type === 'ignored').length;
        if (ignoredHere) ignored.inc({}, ignoredHere);
        writer.add({ outcomes, topic, payload, receivedAt: now, ack });
      },
      holdBack: () => writer.depth >= highWater,
    });
    await this.subscriber.start();
  }

  private topics(): string[] {
    const native = this.registry.siteIds.map(siteSubscription);
    if (this.opts.topics === 'sites') return [...native, ...this.registry.externalTopics()];
    return [...native, ...this.registry.externalFilters()];
  }

  async stop(): Promise<void> {
    // let what the broker is still delivering arrive first (the broker acknowledges a device
    // before it forwards to us, so "offline" announcements of a shutdown may be in flight):
    // wait for 300 ms of quiet counted from now, at most 3 s
    const stopAt = Date.now();
    while (this.accepting && Date.now() - Math.max(this.lastMessageAt, stopAt) < 300 && Date.now() - stopAt < 3000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.accepting = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const off of this.unsubscribe.splice(0)) off();
    const drained = await this.writer?.drain();
    if (drained === false) this.opts.log.warn('stopped with readings not yet stored; the broker will redeliver them');
    await this.subscriber?.stop();
    await this.rolling;
    this.spooled?.close();
    this.detection?.stop();
    this.detection = undefined;
    this.store?.close();
    this.releaseLock?.();
    this.releaseLock = undefined;
    this.subscriber = undefined;
    this.writer = undefined;
    this.spooled = undefined;
    this.store = undefined;
  }

  /** One rollup pass over everything queued (in slices); the next timer tick if one is running. */
  rollUpOnce(): Promise<void> {
    if (this.rolling) return this.rolling;
    const store = this.store;
    if (!store) return Promise.resolve();
    this.rolling = (async () => {
      try {
        // closed hours every pass; the running hour every 5 minutes (it is touched by every write)
        const openHours = Date.now() - this.openHoursRolledAt >= 5 * 60_000;
        if (openHours) this.openHoursRolledAt = Date.now();
        for (let pass = 0; pass < 100 && this.store === store; pass++) {
          const r = await store.rollUp(2000, { openHours });
          this.rollupPending = r.pending;
          if (r.pending === 0 || r.hours === 0) break;
        }
      } catch (err) {
        // the database is down: the queue waits in the local file
        if (err instanceof InfluxUnavailable) this.opts.log.debug(`rollup postponed: ${describeError(err)}`);
        else this.opts.log.error(`rollup failed: ${describeError(err)}`);
      } finally {
        this.rolling = undefined;
      }
    })();
    return this.rolling;
  }

  private async prune(): Promise<void> {
    const days = this.opts.rawRetentionDays ?? 90;
    try {
      const n = await this.store?.pruneRaw(Date.now() - days * 86_400_000);
      if (n && n > 0) this.opts.log.info(`pruned ${n} raw readings older than ${days} days (rollups kept)`);
    } catch (err) {
      this.opts.log.warn(`pruning raw readings failed: ${describeError(err)}`);
    }
  }

  /** Opens an office ticket when the database has been unreachable too long; clears it when it is back. */
  checkStorage(now = Date.now()): void {
    const spooled = this.spooled;
    const tickets = this.detection?.tickets;
    if (!spooled || !tickets) return;
    const after = this.opts.storageTicketAfterMs ?? 5 * 60_000;
    const down = spooled.downSince !== undefined && now - spooled.downSince >= after;
    try {
      if (down) {
        const minutes = Math.round((now - spooled.downSince!) / 60_000);
        const { batches, bytes } = spooled.depth;
        tickets.apply([
          raise(STORAGE_CONDITION, STORAGE_SUBJECT, now, {
            severity: 'major',
            trade: 'office',
            category: 'repair',
            title: '读数数据库无法写入',
            summary: `数据库已 ${minutes} 分钟无法写入（${spooled.lastError ?? '无应答'}）。读数暂存在本机磁盘（${batches} 批，${(bytes / 1e6).toFixed(1)} MB），数据库恢复后自动补写，请联系信息中心检查数据库服务。`,
            details: { since: spooled.downSince, spoolBatches: batches, spoolBytes: bytes },
          }),
        ]);
        this.storageTicket = true;
      } else if (this.storageTicket && spooled.downSince === undefined) {
        tickets.apply([clear(STORAGE_CONDITION, STORAGE_SUBJECT, now, '数据库已恢复写入，暂存读数正在补写')]);
        this.storageTicket = false;
      }
    } catch (err) {
      this.opts.log.error(`cannot write the storage ticket: ${describeError(err)}`);
    }
  }

  health(): PartHealth {
    if (!this.store) return { ok: false, detail: 'ingest is not running' };
    const queue = this.writer?.depth ?? 0;
    const spool = this.spooled?.depth ?? { batches: 0, bytes: 0 };
    const common = { store: this.store.name, queue, spool, rollupQueue: this.rollupPending };
    const detection = this.detection?.health();
    if (detection && !detection.ok) return { ...detection, ...common };
    if (this.spooled?.downSince !== undefined) {
      const s = Math.round((Date.now() - this.spooled.downSince) / 1000);
      return { ok: false, detail: `database unreachable for ${s} s; readings are spooled on disk: ${this.spooled.lastError}`, ...common };
    }
    if (this.lastWriteError) return { ok: false, detail: `store writes failing: ${this.lastWriteError}`, ...common };
    if (!this.subscriber?.connected) return { ok: false, detail: 'not connected to the broker', ...common };
    return { ok: true, ...common };
  }
}

/** The options that come from the environment knobs. */
export function ingestSettings(
  knobs: Knobs,
): Pick<IngestOptions, 'dataDir' | 'store' | 'influx' | 'rawRetentionDays' | 'spoolMaxBytes' | 'mqttLogin' | 'sharedGroup' | 'clientId' | 'bounds'> {
  return {
    clientId: knobs.ingestClientId,
    mqttLogin: { username: knobs.ingestMqttUsername, password: knobs.ingestMqttPassword },
    sharedGroup: knobs.ingestSharedGroup,
    dataDir: knobs.dataDir,
    store: knobs.store,
    influx: { url: knobs.influxUrl, db: knobs.influxDb },
    rawRetentionDays: knobs.rawRetentionDays,
    spoolMaxBytes: knobs.spoolMaxMb * 1024 * 1024,
    bounds: {
      deadLetters: { maxRows: knobs.deadLetterMaxRows, maxBytes: knobs.deadLetterMaxMb * 1024 * 1024, maxPayloadBytes: knobs.deadLetterPayloadKb * 1024 },
      pending: { maxRows: knobs.pendingDevicesMax },
    },
  };
}

function openStore(opts: IngestOptions): ReadingStore {
  if (opts.store === 'influx' && !opts.influx) throw new CampusError('CAMPUS_ERR_STORE', 'CAMPUS_STORE=influx needs CAMPUS_INFLUX_URL and CAMPUS_INFLUX_DB');
  return openReadingStore(
    {
      store: opts.store,
      dataDir: opts.dataDir,
      influxUrl: opts.influx?.url ?? '',
      influxDb: opts.influx?.db ?? '',
      rawRetentionDays: opts.rawRetentionDays ?? 90,
      bounds: localBounds(opts.bounds),
    },
    opts.campuses,
  );
}
