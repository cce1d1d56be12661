/**
 * Ingest against an external broker: Debian's mosquitto 2.0.11 with a password file, an ACL and
 * persistence, devices and ingest with their own logins (CAMPUS_INGEST_MQTT_USERNAME / _PASSWORD).
 *
 * 1. A real ingest process, killed with SIGKILL while devices publish and started again: mosquitto
 *    keeps its persistent session's queue and redelivers what ingest had not acknowledged, so
 *    every reading is stored exactly once (ingest acknowledges only what it committed).
 * 2. Two ingest services in one shared subscription group ($share/campus/...) over one InfluxDB:
 *    mosquitto splits the messages between them, each message goes to one of them, and the store
 *    holds every reading exactly once; while one of them is away its share waits in its session.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '@campus/ingest';
import { openReadingStore, type StoreSettings } from '@campus/store';
import { createLog, MetricsRegistry } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startInfluxd, startMosquittoBroker, startPart, tempDir, waitFor, type RunningPart } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const INGEST_USER = 'svc-ingest';
const STEP_MS = 100;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** mosquitto with a login for ingest and for each device, cleaned up after the test */
async function broker(deviceIds: string[]) {
  const password = randomBytes(12).toString('hex');
  const devicePasswords = Object.fromEntries(deviceIds.map((id) => [id, randomBytes(12).toString('hex')]));
  const b = await startMosquittoBroker({ users: { [INGEST_USER]: password, ...devicePasswords }, readers: [INGEST_USER] });
  cleanup.push(() => b.remove());
  const devices = await Promise.all(
    deviceIds.map((id) => mqtt.connectAsync(b.url, { clientId: id, username: id, password: devicePasswords[id], reconnectPeriod: 0 })),
  );
  cleanup.push(() => Promise.all(devices.map((d) => d.endAsync(true))));
  return { url: b.url, ingestPassword: password, devices };
}

/** Every device publishes its reading `round` (QoS 1, acknowledged by mosquitto) */
function publishRound(devices: MqttClient[], ids: string[], t0: number, round: number): Promise<unknown> {
  return Promise.all(
    devices.map((d, k) =>
      d.publishAsync(`campus/dongnan/${ids[k]}/telemetry`, JSON.stringify({ ts: t0 + round * STEP_MS, seq: round, totalKWh: round }), { qos: 1 }),
    ),
  );
}

/** Waits until the store holds rounds 0..rounds-1 of every device, each exactly once */
async function expectEveryReadingOnce(settings: StoreSettings, ids: string[], t0: number, rounds: number): Promise<void> {
  const store = openReadingStore(settings, [campus], { readonly: true });
  cleanup.push(() => store.close());
  const series = (id: string) => store.series({ deviceId: id, paths: ['$.totalKWh'], from: t0, to: t0 + rounds * STEP_MS, stepMs: STEP_MS });
  let count = 0;
  await waitFor(
    `all ${ids.length * rounds} readings stored`,
    async () => {
      count = 0;
      for (const id of ids) count += (await series(id)).reduce((n, p) => n + p.n, 0);
      return count >= ids.length * rounds;
    },
    { timeoutMs: 120_000, everyMs: 250 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${count} stored`);
  });
  for (const id of ids) {
    const points = await series(id);
    expect(points.every((p) => p.n === 1)).toBe(true);
    expect(points.map((p) => p.avg)).toEqual(Array.from({ length: rounds }, (_, i) => i));
  }
}

describe('ingest against mosquitto', () => {
  it('stores every reading exactly once across a SIGKILL of ingest while devices publish', { timeout: 300_000 }, async () => {
    const ids = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'em-g1c4'];
    const { url, ingestPassword, devices } = await broker(ids);
    const data = tempDir('campus-external-');
    cleanup.push(() => data.remove());
    const env = {
      CAMPUS_DATA_DIR: data.path,
      CAMPUS_STORE: 'sqlite',
      CAMPUS_MQTT_URL: url,
      CAMPUS_INGEST_MQTT_USERNAME: INGEST_USER,
      CAMPUS_INGEST_MQTT_PASSWORD: ingestPassword,
    };
    const startIngest = async () => {
      const part = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'ingest', ...env }, /ingest started/);
      cleanup.push(() => part.stop('SIGKILL'));
      return part;
    };
    let ingest: RunningPart = await startIngest();
    const settings: StoreSettings = { store: 'sqlite', dataDir: data.path, influxUrl: '', influxDb: '', rawRetentionDays: 90 };
    const store = openReadingStore(settings, [campus], { readonly: true });
    cleanup.push(() => store.close());

    // the devices publish round after round, paced, until ingest has been killed (once it stored
    // some), has stayed dead for 100 rounds, and has been back for 100 more
    const t0 = Date.now() - 120_000;
    let sent = 0;
    let restartedAt = Infinity;
    const publishing = (async () => {
      for (; sent < restartedAt + 100; sent++) {
        await publishRound(devices, ids, t0, sent);
        await new Promise((r) => setTimeout(r, 10)); // paces the load, not a wait for a condition
      }
    })();
    await waitFor('ingest to store its first readings', () => store.lastReadings().length === ids.length, { timeoutMs: 60_000 });
    expect(await ingest.stop('SIGKILL')).toBeNull();
    const killedAt = sent;
    await waitFor('100 rounds published while ingest is dead', () => sent >= killedAt + 100, { timeoutMs: 60_000 });
    ingest = await startIngest();
    restartedAt = sent;
    await publishing;

    await expectEveryReadingOnce(settings, ids, t0, sent);
    expect(ingest.output()).toMatch(/"sessionPresent":true/);
  });

  it('splits one shared subscription group between two ingest services, every reading stored once', { timeout: 300_000 }, async () => {
    const ids = ['em-g2c1', 'em-g2c2', 'em-g2c3', 'em-g2c4', 'em-g2c5', 'em-g2c6'];
    const { url, ingestPassword, devices } = await broker(ids);
    const influxd = await startInfluxd();
    cleanup.push(() => influxd.remove());
    const log = createLog('test');
    const worker = (name: string) => {
      const dir = tempDir(`campus-shared-${name}-`);
      cleanup.push(() => dir.remove());
      const metrics = new MetricsRegistry();
      const make = () =>
        new IngestService({
          dataDir: dir.path,
          campuses: [campus],
          store: 'influx',
          influx: { url: influxd.url, db: 'campus' },
          mqttUrl: url,
          mqttLogin: { username: INGEST_USER, password: ingestPassword },
          sharedGroup: 'campus',
          clientId: `campus-ingest-${name}`,
          maxDelayMs: 10,
          log: log.child(name),
          metrics,
        });
      const w = { dir: dir.path, make, service: make(), received: () => metrics.counter('campus_readings_received_total', '').get() };
      cleanup.push(() => w.service.stop());
      return w;
    };
    const a = worker('a');
    const b = worker('b');
    await a.service.start();
    await b.service.start();

    const ROUNDS = 200;
    const t0 = Date.now() - 120_000;
    for (let i = 0; i < ROUNDS / 2; i++) await publishRound(devices, ids, t0, i);
    const half = (ids.length * ROUNDS) / 2;
    await waitFor('the first half received', () => a.received() + b.received() >= half, { timeoutMs: 60_000 });
    // each message went to exactly one of them, and both had a fair share (mosquitto: round robin)
    expect(a.received() + b.received()).toBe(half);
    expect(a.received()).toBeGreaterThan(half / 4);
    expect(b.received()).toBeGreaterThan(half / 4);

    // b goes away; its persistent session stays in the group, so mosquitto keeps queueing b's
    // share for it rather than handing everything to a: stored once b is back
    await b.service.stop();
    const bBefore = b.received();
    for (let i = ROUNDS / 2; i < ROUNDS; i++) await publishRound(devices, ids, t0, i);
    await waitFor('a to receive its share of the second half', () => a.received() + bBefore >= half + half / 4, { timeoutMs: 60_000 });
    b.service = b.make();
    await b.service.start();
    await expectEveryReadingOnce({ store: 'influx', dataDir: a.dir, influxUrl: influxd.url, influxDb: 'campus', rawRetentionDays: 90 }, ids, t0, ROUNDS);
    expect(b.received()).toBeGreaterThan(bBefore);
  });

  it('refuses a shared group name that is not one topic level', async () => {
    const dir = tempDir('campus-shared-bad-');
    cleanup.push(() => dir.remove());
    for (const group of ['a/b', 'a+', '#', '']) {
      const service = new IngestService({
        dataDir: dir.path,
        campuses: [campus],
        store: 'sqlite',
        mqttUrl: 'mqtt://127.0.0.1:1', // refused before connecting
        mqttLogin: { username: INGEST_USER, password: 'unused' },
        sharedGroup: group,
        log: createLog('test'),
        metrics: new MetricsRegistry(),
      });
      await expect(service.start(), group).rejects.toThrow(/CAMPUS_INGEST_SHARED_GROUP=.*one topic level/);
      await service.stop();
    }
  });
});
