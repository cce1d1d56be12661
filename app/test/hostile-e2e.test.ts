/**
 * Hostile JSON against the whole system (`npm start` in a child process, simulator off): every
 * payload of the catalogue (testkit/src/hostile-cases.ts) is published over real MQTT with the
 * device's own login (issued by the operator CLI), then:
 * - the process is still up and /api/health answers 200;
 * - every refused payload is a dead letter with its reason and its exact bytes, and /metrics
 *   counts it; accepted ones are stored once; unknown off-the-shelf identities are pending;
 *   payloads over the MQTT packet limit are refused by the broker (or dead-lettered by ingest
 *   when the broker has no such limit);
 * - a duplicate is stored once and readings sent out of order come back in time order;
 * - the impossible values became sensor-fault tickets, not overloads;
 * - a good reading of every format sent after all of them is stored.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_BOUNDS, keptDeadLetter } from '@campus/store';
import { apiClient, campusCli, campusFileWith, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';
import { goodReadings, hostileCases, publisherOf, type HostileCase } from '@campus/testkit';

const dir = tempDir();
const { file } = campusFileWith(dir.path);
let system: RunningSystem | undefined;
const clients: MqttClient[] = [];
afterAll(async () => {
  for (const c of clients) c.end(true);
  await system?.stop('SIGKILL');
  dir.remove();
});

/** The campus file with one more water meter, wm-ghost: its login is issued, then the system runs without it. */
function fileWithGhost(): string {
  const doc = parse(readFileSync(file, 'utf8')) as { devices: Record<string, unknown>[] };
  const main = doc.devices.find((d) => d.id === 'wm-main')!;
  doc.devices.push({ ...main, id: 'wm-ghost', name: '已拆除的水表' });
  const ghost = join(dir.path, 'with-ghost.yaml');
  writeFileSync(ghost, stringify(doc));
  return ghost;
}

/** A login from the operator CLI; returns its password (printed once). */
async function issue(login: string, format: string | undefined, config: string): Promise<string> {
  const args = format ? ['--format', format, '--id', login] : [login];
  const out = await campusCli({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: config }, 'device', 'add', ...args);
  const password = /password {2}: (\S+)/.exec(out)?.[1];
  if (!password) throw new Error(`no password in: ${out}`);
  return password;
}

/** The sum of a counter over its label sets; undefined when /metrics does not have it. */
async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${system!.base}/metrics`)).text();
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}
const COUNTERS = ['received', 'stored', 'rejected', 'duplicate'].map((c) => `campus_readings_${c}_total`);
const OTHER = ['campus_messages_ignored_total', 'campus_pending_messages_total', 'campus_mqtt_packets_refused_total'];
async function counters(): Promise<Record<string, number | undefined>> {
  return Object.fromEntries(await Promise.all([...COUNTERS, ...OTHER].map(async (n) => [n, await metric(n)] as const)));
}
const delta = (after: Record<string, number | undefined>, before: Record<string, number | undefined>, name: string) => (after[name] ?? 0) - (before[name] ?? 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hostile JSON through the whole system', () => {
  it('quarantines every hostile payload with its reason, stays up, and stores what follows', { timeout: 420_000 }, async () => {
    // logins first: the broker reads them at start
    const ghostConfig = fileWithGhost();
    const logins = new Map<string, { format?: string; password: string }>();
    const all = [...hostileCases(Date.now()), ...goodReadings(Date.now())];
    for (const c of all) {
      const { login, format } = publisherOf(c.topic);
      if (logins.has(login)) continue;
      logins.set(login, { format, password: await issue(login, format, login === 'wm-ghost' ? ghostConfig : file) });
    }

    system = await startSystem({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file, CAMPUS_SIM: 'off' });
    const api = apiClient(system.base, dir.path);
    await waitFor('GET /api/health = 200', async () => (await api.get('/api/health')).status === 200, { timeoutMs: 90_000, everyMs: 500 });
    const connect = async (login: string): Promise<MqttClient> => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${system!.mqttPort}`, {
        clientId: login,
        username: login,
        password: logins.get(login)!.password,
        reconnectPeriod: 0,
      });
      client.on('error', () => {}); // a refused packet closes the connection; that is checked, not thrown
      clients.push(client);
      return client;
    };
    const before = await counters();
    const start = Date.now();

    // every hostile payload that fits in an MQTT packet, in catalogue order, each with its device's login
    const cases = hostileCases(start);
    const fitting = cases.filter((c) => !c.oversized);
    const oversized = cases.filter((c) => c.oversized);
    const open = new Map<string, MqttClient>();
    for (const c of fitting) {
      const { login } = publisherOf(c.topic);
      if (!open.has(login)) open.set(login, await connect(login));
      await open.get(login)!.publishAsync(c.topic, c.payload, { qos: 1 });
    }

    // a duplicate, and readings out of order (ten minutes back, clear of everything else)
    const T = Math.floor(start / 1000) * 1000 - 10 * 60_000; // whole seconds: the series buckets below are 1 s
    const wm = open.get('wm-main')!;
    const wmTopic = 'campus/dongnan/wm-main/telemetry';
    for (const [ts, totalM3] of [
      [T + 20_000, 990.2],
      [T, 990.0],
      [T + 10_000, 990.1],
      [T + 20_000, 990.2],
    ] as const)
      await wm.publishAsync(wmTopic, JSON.stringify({ ts, seq: 1, totalM3 }), { qos: 1 });

    // over the packet limit: each on its own connection (the broker closes it), then the rest reconnect
    for (const c of open.values()) await c.endAsync();
    open.clear();
    for (const c of oversized) {
      const client = await connect(publisherOf(c.topic).login);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish(c.topic, c.payload, { qos: 0 });
      await Promise.race([closed, sleep(10_000)]);
      client.end(true);
    }

    // a good reading of every format after all of them
    await sleep(1000);
    const good = goodReadings(Date.now());
    for (const c of good) {
      const client = await connect(publisherOf(c.topic).login);
      await client.publishAsync(c.topic, c.payload, { qos: 1 });
      await client.endAsync();
    }

    // what the table says, counted
    const refusedByBroker = before.campus_mqtt_packets_refused_total !== undefined;
    const count = (list: HostileCase[], type: string) => list.filter((c) => c.expect.type === type).length;
    const reachedIngest = fitting.length + 4 + good.length + (refusedByBroker ? 0 : oversized.length);
    const rejected = count(fitting, 'rejected') + (refusedByBroker ? 0 : oversized.length);
    const stored = count(fitting, 'reading') + 3 + good.length;
    const after = await waitFor(
      `ingest to have handled ${reachedIngest} messages`,
      async () => {
        const now = await counters();
        return delta(now, before, 'campus_readings_received_total') >= reachedIngest &&
          delta(now, before, 'campus_readings_stored_total') + delta(now, before, 'campus_readings_duplicate_total') >= stored + 1 &&
          delta(now, before, 'campus_readings_rejected_total') >= rejected
          ? now
          : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify({ before, now: await counters() })}\n${system!.output().slice(-4000)}`);
    });
    expect(delta(after, before, 'campus_readings_received_total')).toBe(reachedIngest);
    expect(delta(after, before, 'campus_readings_rejected_total')).toBe(rejected);
    expect(delta(after, before, 'campus_readings_stored_total')).toBe(stored);
    expect(delta(after, before, 'campus_readings_duplicate_total')).toBe(1);
    expect(delta(after, before, 'campus_messages_ignored_total')).toBe(count(fitting, 'ignored'));
    expect(delta(after, before, 'campus_pending_messages_total')).toBe(count(fitting, 'pending'));
    if (refusedByBroker) expect(delta(after, before, 'campus_mqtt_packets_refused_total')).toBe(oversized.length);

    // the process is up, and healthy
    expect(system.child.exitCode).toBeNull();
    expect((await api.get('/api/health')).status).toBe(200);

    // each refused payload kept with its reason and its bytes; each accepted one stored once
    const db = new Database(join(dir.path, 'campus.db'), { readonly: true });
    try {
      const letters = db.prepare('SELECT topic, reason, payload, payload_sha256 FROM dead_letters WHERE received_at >= ?').all(start) as {
        topic: string;
        reason: string;
        payload: Buffer;
        payload_sha256: string | null;
      }[];
      expect(letters).toHaveLength(rejected);
      for (const c of [...fitting, ...(refusedByBroker ? [] : oversized)].filter((x) => x.expect.type === 'rejected')) {
        // a payload over the dead-letter bound is kept as its first bytes and its hash
        const kept = keptDeadLetter(
          { receivedAt: 0, topic: c.topic, reason: '', payload: Buffer.from(c.payload) },
          DEFAULT_LOCAL_BOUNDS.deadLetters.maxPayloadBytes,
        );
        const letter = letters.find(
          (d) => d.topic === c.topic && Buffer.from(d.payload).equals(kept.payload) && (d.payload_sha256 ?? undefined) === kept.payloadSha256,
        );
        expect(letter, c.name).toBeDefined();
        expect(letter!.reason, c.name).toMatch((c.expect as { reason: RegExp }).reason);
      }
      const readingsAt = db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ? AND ts = ?');
      const readingsSince = db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ? AND received_at >= ?');
      for (const c of [...fitting, ...good]) {
        if (c.expect.type !== 'reading') continue;
        const n =
          c.expect.ts === undefined
            ? (readingsSince.get(c.expect.deviceId, start) as { n: number }).n
            : (readingsAt.get(c.expect.deviceId, c.expect.ts) as { n: number }).n;
        expect(n, c.name).toBeGreaterThanOrEqual(1);
        if (c.expect.ts !== undefined) expect(n, c.name).toBe(1);
      }
      expect((db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ? AND received_at >= ?').get('wm-ghost', 0) as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }

    // the duplicate stored once, the late ones in time order
    const series = await api.get(`/api/readings?device=wm-main&field=totalM3&from=${T}&to=${T + 30_000}&step=1`);
    expect(series.status).toBe(200);
    expect(series.body.points.map((p: any) => [p.t, p.avg, p.n])).toEqual([
      [T, 990.0, 1],
      [T + 10_000, 990.1, 1],
      [T + 20_000, 990.2, 1],
    ]);

    // unknown off-the-shelf identities wait on /devices for adoption
    const { body: devices } = await api.get('/api/devices');
    for (const c of fitting.filter((x) => x.expect.type === 'pending'))
      expect(
        devices.pending.map((p: any) => p.id),
        c.name,
      ).toContain((c.expect as { id: string }).id);
    // the good readings are the devices' last readings
    const byId = new Map<string, any>(devices.devices.map((d: any) => [d.id, d]));
    expect(byId.get('wm-main').last).toMatchObject({ totalM3: 1000.05 });
    expect(byId.get('em-g1c1').last).toMatchObject({ totalKWh: 52.9, powerKW: 0.04 });
    expect(byId.get('tr-sci').last).toMatchObject({ currentA: [100, 110, 100] });
    expect(byId.get('tr-sci').last).not.toHaveProperty('totalKWh');
    expect(byId.get('fr-sample').last).toMatchObject({ tempC: 3.9 });
    expect(byId.get('wm-dorm-3').last).toMatchObject({ totalM3: 123.7 });

    // impossible values: sensor-fault tickets, and no overload
    const tickets = await waitFor(
      'the sensor-fault tickets',
      async () => {
        const list = (await api.get('/api/tickets?status=open')).body.tickets as { deviceId: string; condition: string }[];
        const has = (d: string, c: string) => list.some((t) => t.deviceId === d && t.condition === c);
        return has('tr-main', 'transformer.sensor_fault') && has('fr-chiller-1', 'fridge.sensor_fault') && has('fr-sample', 'fridge.sensor_fault')
          ? list
          : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    expect(tickets.filter((t) => t.condition === 'transformer.overload' || t.condition === 'fridge.excursion')).toEqual([]);

    expect(system.child.exitCode).toBeNull();
    expect((await api.get('/api/health')).status).toBe(200);
  });
});
