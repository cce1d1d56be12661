/**
 * The system under test of the ingest benchmarks, in a process of its own (forked by peers.ts, IPC
 * channel), so the load generator in the bench process does not share its event loop:
 *
 *   --mode ours    our broker (aedes, device logins, ACL) + ingest (decode, validate, batch, store,
 *                  detectors and tickets) in one process, as `npm start` runs them; --store sqlite|influx
 *   --mode aedes   our broker + a plain mqtt.js QoS 1 subscriber that only counts: the pass-through ceiling
 *   --mode naive   a subscriber of another broker (mosquitto) that inserts every reading in its own
 *                  autocommit SQLite transaction (WAL, synchronous=FULL), the way a first version would
 *
 * For every reading it notes "stored time - device time" (the device's `ts` is its publish time)
 * in a fixed histogram (no memory growth, so the footprint figures stay honest). Commands over IPC:
 * `mark` starts a measuring window, `report` answers what the window saw, `stop` stops cleanly.
 */
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { parseArgs } from 'node:util';
import type { Campus } from '@campus/site';
import type { IngestOptions } from '@campus/ingest';
// the naive peer's process loads none of our code (its memory is the peer's): ours and the
// pass-through import the composition root (@campus/app) and the simulator's district when they start

process.env.CAMPUS_LOG_LEVEL ??= 'warn';

export type SutMode = 'ours' | 'aedes' | 'naive';

export interface SutLatency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SutReport {
  /** readings stored (ours: the 'readings' events; naive: commits) or received (aedes) since `mark` */
  events: number;
  /** readings counted in the store now (aedes: received, it has no store) */
  storeCount: number;
  /** at `mark` */
  storeCountAtMark: number;
  /** dead-lettered since `mark` (ours) */
  rejected: number;
  /** telemetry the broker accepted from devices since `mark` (ours, aedes) */
  brokerReceived: number;
  /** ms from the device's ts to stored, over the readings since `mark` */
  latency: SutLatency;
}

export type SutRequest = { id: number; cmd: 'mark' | 'report' | 'counts' | 'heap' | 'stop' };
export type SutMessage = { type: 'ready'; port: number } | { type: 'reply'; id: number; result?: unknown; error?: string };

/** 1 ms buckets up to 2 minutes; later readings in the last bucket (the max is kept exactly). */
class Histogram {
  private readonly buckets = new Uint32Array(120_000);
  n = 0;
  max = 0;
  add(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.n++;
    if (v > this.max) this.max = v;
    this.buckets[Math.min(this.buckets.length - 1, Math.floor(v))]!++;
  }
  reset(): void {
    this.buckets.fill(0);
    this.n = 0;
    this.max = 0;
  }
  /** upper edge of the bucket that holds the p-th percentile (nearest rank) */
  percentile(p: number): number {
    if (!this.n) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) if ((seen += this.buckets[i]!) >= rank) return Math.min(this.max, i + 1);
    return this.max;
  }
  summary(): SutLatency {
    return { n: this.n, p50: this.percentile(50), p99: this.percentile(99), max: this.max };
  }
}

interface Sut {
  port: number;
  /** stored (or received) so far */
  events(): number;
  rejected(): number;
  brokerReceived(): number;
  storeCount(): Promise<number>;
  stop(): Promise<void>;
}

const hist = new Histogram();
const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));
const warn = (line: string) => process.stderr.write(`bench-sut: ${line}\n`);

async function districtArgs(values: Record<string, string | boolean | undefined>): Promise<Campus[]> {
  const { districtCampuses } = await import('@campus/device-sim');
  return districtCampuses({
    sites: Number(values.sites),
    devicesPerSite: Number(values.devices),
    seed: Number(values.seed ?? 1),
    reportingIntervalS: Number(values.interval ?? 30),
  });
}

/**
 * Our broker (simulated logins for the district) and, with `ingest`, ingest (decode, validate,
 * batch, store, detectors and tickets), put together by the composition root as `npm start` does;
 * counting the telemetry the broker accepts.
 */
async function startSystem(dataDir: string, campuses: Campus[], ingest?: Partial<IngestOptions>, persistence?: { kind: 'memory' }) {
  const { buildSystem } = await import('@campus/app');
  const { createLog, readKnobs, startServices } = await import('@campus/runtime');
  const log = createLog('bench-sut');
  // the metrics are read here, not served; no listener beyond the broker's
  const knobs = readKnobs({ CAMPUS_DATA_DIR: dataDir, CAMPUS_BROKER_METRICS_PORT: 'off', CAMPUS_INGEST_METRICS_PORT: 'off' });
  const system = buildSystem({
    knobs,
    campuses,
    log,
    parts: ingest ? ['broker', 'ingest'] : ['broker'],
    remoteDashboard: false,
    // thousands of devices connect from the bench's 127.0.0.1 at once (CAMPUS_MQTT_TRUST_LOOPBACK=on)
    broker: { host: '127.0.0.1', port: 0, simulated: true, admission: { trustLoopback: true }, persistence },
    ingest,
  });
  const running = await startServices(system.services, log);
  const broker = system.broker!;
  let received = 0;
  broker.instance!.on('publish', (packet, client) => {
    if (client && packet.topic.endsWith('/telemetry')) received++;
  });
  return { system, port: broker.port, received: () => received, stop: () => running.stop() };
}

async function startOurs(values: Record<string, string | boolean | undefined>): Promise<Sut> {
  const { InfluxHttp } = await import('@campus/store');
  const { dbPath } = await import('@campus/runtime');
  const dataDir = String(values['data-dir']);
  const campuses = await districtArgs(values);
  const influx = values.store === 'influx' ? { url: String(values['influx-url']), db: String(values['influx-db']) } : undefined;
  const { system, port, received, stop } = await startSystem(dataDir, campuses, {
    store: influx ? 'influx' : 'sqlite',
    influx,
    clientId: 'campus-ingest-bench',
  });
  const ingest = system.ingest!;
  let stored = 0;
  ingest.on('readings', (readings) => {
    const now = Date.now();
    stored += readings.length;
    for (const r of readings) hist.add(now - r.ts);
  });
  const rejected = system.metrics.counter('campus_readings_rejected_total', '');
  let reader: Database.Database | undefined;
  const http = influx ? new InfluxHttp(influx.url, influx.db, 60_000) : undefined;
  return {
    port,
    events: () => stored,
    rejected: () => rejected.get(),
    brokerReceived: received,
    async storeCount() {
      if (http) {
        try {
          const [series] = await http.query(`SELECT count("seq") FROM "raw"./.*/`);
          return (series ?? []).reduce((n, s) => n + Number(s.values?.[0]?.[1] ?? 0), 0);
        } catch (err) {
          if (/database not found/.test(describeError(err))) return 0;
          throw err;
        }
      }
      reader ??= new Database(dbPath(dataDir), { readonly: true });
      return (reader.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
    },
    async stop() {
      reader?.close();
      await stop();
    },
  };
}

/** A plain QoS 1 subscriber on our broker: parses the device time, counts, acknowledges. Nothing else. */
async function startAedes(values: Record<string, string | boolean | undefined>): Promise<Sut> {
  const { loadOrCreateKey, SERVICE_USERS } = await import('@campus/runtime');
  const dataDir = String(values['data-dir']);
  const campuses = await districtArgs(values);
  // the ceiling: aedes with our flow control, its queues in memory (ours keeps them on disk, docs/operating/durability.md)
  const { port, received, stop } = await startSystem(dataDir, campuses, undefined, { kind: 'memory' });
  let count = 0;
  // a persistent session, as ingest's: our broker's flow control (broker/src/flow.ts) then applies to
  // the pass-through too, so a backlog slows the devices instead of collapsing the broker's queues
  const client = await subscriber(
    `mqtt://127.0.0.1:${port}`,
    'campus-bench-passthrough',
    SERVICE_USERS.ingest,
    loadOrCreateKey(dataDir, 'ingest'),
    () => {
      count++;
    },
    false,
  );
  return {
    port,
    events: () => count,
    rejected: () => 0,
    brokerReceived: received,
    storeCount: async () => count,
    async stop() {
      await client.endAsync();
      await stop();
    },
  };
}

/** The naive peer's subscriber: one INSERT, one transaction, one fsync per message, then the PUBACK. */
async function startNaive(values: Record<string, string | boolean | undefined>): Promise<Sut> {
  const db = new Database(String(values.db));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS readings (
    device_id TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, received_at INTEGER NOT NULL, v TEXT NOT NULL,
    PRIMARY KEY (device_id, ts)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR IGNORE INTO readings (device_id, ts, seq, received_at, v) VALUES (?, ?, ?, ?, ?)');
  const countStmt = db.prepare('SELECT count(*) AS n FROM readings');
  let count = 0;
  // mqtt.js emits 'message' before it sends the PUBACK: the synchronous INSERT (autocommit) is durable first
  const client = await subscriber(String(values.url), 'naive-peer-sub', 'naive', 'naive', (topic, payload, body) => {
    insert.run(topic.split('/')[2] ?? topic, body.ts, body.seq ?? 0, Date.now(), payload.toString());
    count++;
  });
  return {
    port: 0,
    events: () => count,
    rejected: () => 0,
    brokerReceived: () => 0,
    storeCount: async () => (countStmt.get() as { n: number }).n,
    async stop() {
      await client.endAsync();
      db.close();
    },
  };
}

/** Subscribes to every site's telemetry at QoS 1; `onMessage` runs before the PUBACK; the latency is noted after it. */
async function subscriber(
  url: string,
  clientId: string,
  username: string,
  password: string,
  onMessage: (topic: string, payload: Buffer, body: { ts: number; seq?: number }) => void,
  clean = true,
) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId, username, password, clean, protocolVersion: 4, reconnectPeriod: 0 });
  client.on('message', (topic, payload) => {
    let body: { ts: number; seq?: number };
    try {
      body = JSON.parse(payload.toString()) as { ts: number; seq?: number };
    } catch {
      return;
    }
    onMessage(topic, payload, body);
    hist.add(Date.now() - body.ts);
  });
  client.on('error', (err) => warn(`subscriber: ${err.message}`));
  const granted = await client.subscribeAsync('campus/+/+/telemetry', { qos: 1 });
  if (granted.some((g) => g.qos !== 1)) throw new Error(`subscription refused: ${JSON.stringify(granted)}`);
  return client;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      'data-dir': { type: 'string' },
      sites: { type: 'string' },
      devices: { type: 'string' },
      seed: { type: 'string', default: '1' },
      interval: { type: 'string', default: '30' },
      store: { type: 'string', default: 'sqlite' },
      'influx-url': { type: 'string' },
      'influx-db': { type: 'string' },
      url: { type: 'string' },
      db: { type: 'string' },
    },
  });
  const mode = values.mode as SutMode;
  const sut = mode === 'ours' ? await startOurs(values) : mode === 'aedes' ? await startAedes(values) : await startNaive(values);
  const mark = { events: 0, rejected: 0, brokerReceived: 0, storeCount: 0 };
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sut.stop().catch((err) => warn(`stopping: ${describeError(err)}`));
  };
  const handle = async (req: SutRequest): Promise<unknown> => {
    switch (req.cmd) {
      case 'mark':
        hist.reset();
        Object.assign(mark, { events: sut.events(), rejected: sut.rejected(), brokerReceived: sut.brokerReceived(), storeCount: await sut.storeCount() });
        return mark.storeCount;
      case 'counts':
        return { events: sut.events() - mark.events, rejected: sut.rejected() - mark.rejected };
      case 'report':
        return {
          events: sut.events() - mark.events,
          storeCount: await sut.storeCount(),
          storeCountAtMark: mark.storeCount,
          rejected: sut.rejected() - mark.rejected,
          brokerReceived: sut.brokerReceived() - mark.brokerReceived,
          latency: hist.summary(),
        } satisfies SutReport;
      case 'heap': {
        // the live JS heap after a full collection (node runs with --expose-gc): growth here is
        // retained objects, where RSS growth may also be V8 sizing its heap or malloc keeping pages
        const gc = (globalThis as { gc?: () => void }).gc;
        if (!gc) return Number.NaN;
        gc();
        return process.memoryUsage().heapUsed;
      }
      case 'stop':
        await stop();
        return true;
    }
  };
  process.on('message', (req: SutRequest) => {
    handle(req).then(
      (result) => {
        process.send?.({ type: 'reply', id: req.id, result } satisfies SutMessage);
        if (req.cmd === 'stop') process.disconnect();
      },
      (err) => process.send?.({ type: 'reply', id: req.id, error: describeError(err) } satisfies SutMessage),
    );
  });
  // the bench process is gone: stop, and leave
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
  process.send?.({ type: 'ready', port: sut.port } satisfies SutMessage);
}

main().catch((err) => {
  console.error(`bench sut: ${describeError(err)}`);
  process.exit(1);
});
