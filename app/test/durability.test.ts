/**
 * A PUBACK means the reading will be stored, on the default configuration (`npm start`, the
 * broker's disk persistence): devices publish numbered QoS 1 readings as fast as the system takes
 * them, the whole process is stopped (SIGTERM, while the devices go on publishing) or killed
 * (SIGKILL) under that load, started again on the same data dir, and every reading whose PUBACK a
 * device received is stored exactly once. On SQLite and on InfluxDB.
 *
 * Before the broker kept its sessions on disk, the same run lost 10 and 85 readings on SIGTERM and
 * 6 to 78 per kill -9 (issue 16).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openReadingStore } from '@campus/store';
import { campusCli, freePort, startInfluxd, startSystem, tempDir, waitFor, type Influxd, type RunningSystem } from '@campus/testkit';

const DEVICES = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'em-g1c4', 'em-g2c1', 'em-g2c2'];
/** readings one device has unacknowledged at once (mqtt.js' window) */
const IN_FLIGHT = 20;
/** one reading a second of device time: each reading is its own bucket of the series */
const SPACING_MS = 1000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Load {
  acked: Map<string, Set<number>>;
  /** stops publishing; resolves when every device's loop has ended */
  stop(): Promise<void>;
  readonly total: number;
}

/** Each device publishes seq 0, 1, 2, ... with IN_FLIGHT unacknowledged at a time, until stopped or its connection is gone. */
async function publishLoad(mqttPort: number, passwords: Map<string, string>, t0: number): Promise<Load> {
  const acked = new Map<string, Set<number>>();
  let stopped = false;
  let total = 0;
  const clients: MqttClient[] = [];
  const loops = await Promise.all(
    DEVICES.map(async (id) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        clientId: id,
        username: id,
        password: passwords.get(id)!,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      client.on('error', () => {});
      clients.push(client);
      const mine = new Set<number>();
      acked.set(id, mine);
      let seq = 0;
      // a connection that is gone never calls back for what it had in flight
      const pending = new Set<(ok: boolean) => void>();
      client.on('close', () => {
        for (const resolve of pending) resolve(false);
        pending.clear();
      });
      const worker = async () => {
        while (!stopped && client.connected) {
          const n = seq++;
          const payload = JSON.stringify({ ts: t0 + n * SPACING_MS, seq: n, totalKWh: n / 10 });
          const ok = await new Promise<boolean>((resolve) => {
            pending.add(resolve);
            client.publish(`campus/dongnan/${id}/telemetry`, payload, { qos: 1 }, (err) => {
              pending.delete(resolve);
              resolve(!err);
            });
          });
          if (ok) {
            mine.add(n);
            total++;
          }
        }
      };
      // not awaited: the workers run until stopped or disconnected (wrapped, or the async function would adopt it)
      return { workers: Promise.all(Array.from({ length: IN_FLIGHT }, worker)) };
    }),
  );
  void loops;
  return {
    acked,
    get total() {
      return total;
    },
    async stop() {
      stopped = true;
      for (const c of clients) c.end(true);
    },
  };
}

async function expectAllStored(
  openStore: () => ReturnType<typeof openReadingStore>,
  acked: Map<string, Set<number>>,
  t0: number,
  output: () => string,
): Promise<void> {
  const store = openStore();
  try {
    const missing = async () => {
      let n = 0;
      const dupes: string[] = [];
      const which: string[] = [];
      for (const [id, seqs] of acked) {
        const max = Math.max(-1, ...seqs);
        const points = await store.series({ deviceId: id, paths: ['$.totalKWh'], from: t0, to: t0 + (max + 1) * SPACING_MS, stepMs: SPACING_MS });
        const stored = new Map(points.map((p) => [Math.round((p.t - t0) / SPACING_MS), p.n]));
        for (const s of seqs)
          if (!stored.has(s)) {
            n++;
            if (which.length < 20) which.push(`${id}#${s}`);
          }
        for (const [s, count] of stored) if (count !== 1) dupes.push(`${id}#${s}×${count}`);
      }
      return { n, dupes, which };
    };
    let last = { n: -1, dupes: [] as string[], which: [] as string[] };
    await waitFor(
      'every acknowledged reading stored',
      async () => {
        last = await missing();
        return last.n === 0;
      },
      { timeoutMs: 120_000, everyMs: 500 },
    ).catch((err: Error) => {
      const said = output()
        .split('\n')
        .filter((l) => /warn|error|restored|spool/i.test(l))
        .slice(-30);
      throw new Error(`${err.message}: ${last.n} acknowledged readings missing (${last.which.join(' ')})\n${said.join('\n')}`);
    });
    expect(last.dupes).toEqual([]);
  } finally {
    store.close();
  }
}

describe.each(['sqlite', 'influx'] as const)('acknowledged readings survive a stop and a crash of the whole process (%s)', (backend) => {
  it.each(['SIGTERM', 'SIGKILL'] as const)('%s under QoS 1 load: every PUBACK stored exactly once after the restart', { timeout: 420_000 }, async (signal) => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    let influxd: Influxd | undefined;
    let env: Record<string, string> = { CAMPUS_STORE: 'sqlite' };
    if (backend === 'influx') {
      influxd = await startInfluxd();
      cleanups.push(() => influxd!.remove());
      env = { CAMPUS_STORE: 'influx', CAMPUS_INFLUX_URL: influxd.url, CAMPUS_INFLUX_DB: 'campus' };
    }
    const passwords = new Map<string, string>();
    for (const id of DEVICES) {
      const out = await campusCli(dir.path, 'device', 'add', id);
      passwords.set(id, /password {2}: (\S+)/.exec(out)![1]!);
    }
    const mqttPort = await freePort();
    env = { ...env, CAMPUS_DATA_DIR: dir.path, CAMPUS_SIM: 'off', CAMPUS_MQTT_PORT: String(mqttPort) };
    let system: RunningSystem = await startSystem(env);
    cleanups.push(() => void system.stop('SIGKILL'));

    // on a bucket boundary: each reading is the one point of its bucket, and bucket i is reading i
    const t0 = Math.floor((Date.now() - 6 * 3600_000) / SPACING_MS) * SPACING_MS;
    const load = await publishLoad(mqttPort, passwords, t0);
    // under load for a while (well past ingest's first batches), then the stop or the crash
    await waitFor('3,000 readings acknowledged', () => load.total >= 3000, { timeoutMs: 120_000, everyMs: 20 });
    const code = await system.stop(signal);
    if (signal === 'SIGTERM') expect(code).toBe(0);
    await load.stop();
    const ackedBefore = load.total;
    expect(ackedBefore).toBeGreaterThanOrEqual(3000);

    const first = system;
    system = await startSystem(env);
    const storeSettings = { store: backend, dataDir: dir.path, influxUrl: influxd?.url ?? '', influxDb: 'campus', rawRetentionDays: 90 };
    await expectAllStored(() => openReadingStore(storeSettings, [], { readonly: true }), load.acked, t0, () => first.output() + system.output());
    await system.stop();
  });
});
