/**
 * Ingest: MQTT subscriber -> decode -> validate -> batch store -> acknowledge -> live events.
 * Emits 'readings' (Reading[]) and 'statuses' (StatusChange[]) after each committed batch.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { siteSubscription, type Reading } from '@campus/contract';
import type { Campus } from '@campus/site';
import { CampusError, describeError, loadOrCreateKey, SERVICE_USERS, type Log, type MetricsRegistry, type PartHealth, type Service } from '@campus/runtime';
import { BatchWriter } from './batch-writer.ts';
import { DetectionService } from './detection-service.ts';
import { pipelineContext, processMessage } from './pipeline.ts';
import { DeviceRegistry } from './registry.ts';
import { dbPath } from './store/sqlite-db.ts';
import { SqliteReadingStore } from './store/sqlite.ts';
import type { ReadingStore, StatusChange } from './store/store.ts';
import { MqttSubscriber } from './subscriber.ts';

export interface IngestOptions {
  dataDir: string;
  campuses: readonly Campus[];
  store: 'sqlite' | 'influx';
  /** the broker to subscribe to; a function when the port is only known after the broker started */
  mqttUrl: string | (() => string);
  log: Log;
  metrics: MetricsRegistry;
  /** MQTT client id of the persistent session (one per ingest worker) */
  clientId?: string;
  maxBatch?: number;
  maxDelayMs?: number;
  /** opens the reading store; the default is CAMPUS_STORE's backend in CAMPUS_DATA_DIR */
  openStore?: () => ReadingStore;
  /** detection timers (tests shorten them) */
  detection?: { tickMs?: number; saveMs?: number; now?: () => number };
}

export interface IngestEvents {
  readings: [Reading[]];
  statuses: [StatusChange[]];
}

export class IngestService extends EventEmitter<IngestEvents> implements Service {
  readonly name = 'ingest';
  readonly registry: DeviceRegistry;
  store?: ReadingStore;
  /** detectors and tickets; present while running */
  detection?: DetectionService;
  private subscriber?: MqttSubscriber;
  private writer?: BatchWriter;
  private accepting = false;
  private lastMessageAt = 0;
  private lastWriteError?: string;

  constructor(private readonly opts: IngestOptions) {
    super();
    this.registry = new DeviceRegistry(opts.campuses);
  }

  async start(): Promise<void> {
    const { log, metrics } = this.opts;
    const store = (this.opts.openStore ?? (() => openStore(this.opts)))();
    this.store = store;
    const detection = new DetectionService({
      dbFile: dbPath(this.opts.dataDir),
      campuses: this.opts.campuses,
      log: log.child('detect'),
      metrics,
      ...this.opts.detection,
    });
    this.detection = detection;
    detection.start();

    const received = metrics.counter('campus_readings_received_total', 'MQTT messages received by ingest');
    const rejected = metrics.counter('campus_readings_rejected_total', 'messages rejected and kept in the dead-letter table');
    const stored = metrics.counter('campus_readings_stored_total', 'readings stored');
    const duplicates = metrics.counter('campus_readings_duplicate_total', 'readings received again (QoS 1 redelivery) and stored once');
    const writeErrors = metrics.counter('campus_store_write_errors_total', 'failed store writes (retried)');
    const batches = metrics.counter('campus_store_batches_total', 'store transactions committed');

    const writer = new BatchWriter(store, {
      maxBatch: this.opts.maxBatch ?? 2000,
      maxDelayMs: this.opts.maxDelayMs ?? 50,
      log,
      onCommitted: (batch, result) => {
        this.lastWriteError = undefined;
        batches.inc();
        stored.inc({}, result.stored);
        duplicates.inc({}, result.duplicates);
        rejected.inc({}, batch.deadLetters.length);
        for (const d of batch.deadLetters) log.warn(`rejected ${d.topic}: ${d.reason}`);
        if (batch.statuses.length) detection.statuses(batch.statuses);
        if (batch.readings.length) {
          this.emit('readings', batch.readings);
          detection.readings(batch.readings);
        }
        if (batch.statuses.length) this.emit('statuses', batch.statuses);
      },
      onWriteError: (err) => {
        writeErrors.inc();
        this.lastWriteError = describeError(err);
      },
    });
    this.writer = writer;
    metrics.gauge('campus_ingest_queue_depth', 'messages received and not yet stored', () => writer.depth);

    const ctx = pipelineContext(this.registry);
    const url = typeof this.opts.mqttUrl === 'function' ? this.opts.mqttUrl() : this.opts.mqttUrl;
    this.accepting = true;
    this.subscriber = new MqttSubscriber({
      url,
      clientId: this.opts.clientId ?? `campus-ingest-${hostname()}`.slice(0, 64),
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(this.opts.dataDir, 'ingest'),
      topics: this.registry.siteIds.map(siteSubscription),
      log,
      onMessage: (topic, payload, ack) => {
        // while stopping, leave new messages unacknowledged: the broker keeps them for next time
        if (!this.accepting) return;
        received.inc();
        const now = Date.now();
        this.lastMessageAt = now;
        writer.add({ outcome: processMessage(topic, payload, now, ctx), topic, payload, receivedAt: now, ack });
      },
    });
    await this.subscriber.start();
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
    const drained = await this.writer?.drain();
    if (drained === false) this.opts.log.warn('stopped with readings not yet stored; the broker will redeliver them');
    await this.subscriber?.stop();
    this.detection?.stop();
    this.detection = undefined;
    this.store?.close();
    this.subscriber = undefined;
    this.writer = undefined;
    this.store = undefined;
  }

  health(): PartHealth {
    if (!this.store) return { ok: false, detail: 'ingest is not running' };
    const detection = this.detection?.health();
    if (detection && !detection.ok) return { ...detection, queue: this.writer?.depth ?? 0 };
    if (this.lastWriteError) return { ok: false, detail: `store writes failing: ${this.lastWriteError}`, queue: this.writer?.depth ?? 0 };
    if (!this.subscriber?.connected) return { ok: false, detail: 'not connected to the broker', queue: this.writer?.depth ?? 0 };
    return { ok: true, store: this.store.name, queue: this.writer?.depth ?? 0 };
  }
}

function openStore(opts: IngestOptions): ReadingStore {
  if (opts.store !== 'sqlite') {
    throw new CampusError('CAMPUS_ERR_STORE', `CAMPUS_STORE=${opts.store} is not available in this version; use sqlite`);
  }
  return new SqliteReadingStore(dbPath(opts.dataDir));
}
