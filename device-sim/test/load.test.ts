import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { ID_PATTERN, parseDeviceTopic } from '@campus/contract';
import { BrokerService } from '@campus/broker';
import { loadOrCreateKey, MetricsRegistry, SERVICE_USERS, type Log } from '@campus/runtime';
import { loadCampus, type Campus } from '@campus/site';
import { districtCampuses, runLoad, writeDistrict, type LoadProgress } from '@campus/device-sim';
import { tempDir, waitFor } from '@campus/testkit';

describe('district', () => {
  it('builds N sites x M valid devices with ids unique across the district', () => {
    const campuses = districtCampuses({ sites: 50, devicesPerSite: 200 });
    expect(campuses.map((c) => c.site.id)).toEqual(Array.from({ length: 50 }, (_, i) => `d${String(i + 1).padStart(3, '0')}`));
    const ids = campuses.flatMap((c) => c.devices.map((d) => d.id));
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    for (const campus of campuses) {
      expect(campus.devices).toHaveLength(200);
      expect(campus.site.timezone).toBe('Asia/Shanghai');
      const byKind = (kind: string) => campus.devices.filter((d) => d.kind === kind);
      const classroom = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class);
      const classes = new Set(campus.classes.map((c) => c.id));
      expect(classroom.length).toBeGreaterThan(100); // mostly classroom meters
      expect(new Set(classroom.map((d) => d.class)).size).toBe(classroom.length); // one meter per class
      for (const d of classroom) expect(classes.has(d.class!)).toBe(true);
      expect(byKind('water_meter').length).toBeGreaterThanOrEqual(20);
      expect(byKind('transformer').length).toBe(2);
      expect(byKind('fridge').length).toBeGreaterThanOrEqual(2);
      for (const d of campus.devices) {
        expect(d.id).toMatch(ID_PATTERN);
        expect(d.id.startsWith(`${campus.site.id}-`)).toBe(true);
        if (d.feeder) expect(campus.device(d.feeder)?.kind).toBe('transformer');
      }
    }
  });

  it('scales down to small sites, and refuses sites too small to be a school', () => {
    for (const m of [6, 7, 19, 20, 39, 40, 41]) {
      const [campus] = districtCampuses({ sites: 1, devicesPerSite: m });
      expect(campus!.devices).toHaveLength(m);
    }
    expect(() => districtCampuses({ sites: 1, devicesPerSite: 5 })).toThrow(/devicesPerSite/);
    expect(() => districtCampuses({ sites: 0, devicesPerSite: 20 })).toThrow(/sites/);
  });

  it('is deterministic for a seed, and writes campus files that load back the same', () => {
    const a = districtCampuses({ sites: 2, devicesPerSite: 30, seed: 4 });
    const b = districtCampuses({ sites: 2, devicesPerSite: 30, seed: 4 });
    expect(a.map((c) => c.classes)).toEqual(b.map((c) => c.classes));
    const dir = tempDir();
    try {
      const files = writeDistrict(dir.path, { sites: 2, devicesPerSite: 30, seed: 4 });
      expect(files).toHaveLength(2);
      const loaded = files.map((f) => loadCampus(f));
      expect(loaded.map((c) => c.devices)).toEqual(a.map((c) => c.devices));
      expect(loaded.map((c) => c.classes)).toEqual(a.map((c) => c.classes));
    } finally {
      dir.remove();
    }
  });
});

/** the broker's log: the refused-login case below would print a warning per device */
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('load mode', () => {
  const dir = tempDir();
  let campuses: Campus[];
  let broker: BrokerService;
  let url: string;
  let reader: MqttClient;
  /** telemetry the broker accepted from devices, and what a subscriber received, per device */
  let brokerReceived = 0;
  const delivered = new Map<string, { seqs: number[]; last: Record<string, unknown> }>();

  beforeAll(async () => {
    campuses = districtCampuses({ sites: 3, devicesPerSite: 20 });
    broker = new BrokerService({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir.path,
      campuses,
      simulated: true,
      log: quiet,
      metrics: new MetricsRegistry(),
      // 60 devices from 127.0.0.1 at 500 connections a second, and a refused login per device below
      admission: { trustLoopback: true },
    });
    await broker.start();
    url = `mqtt://127.0.0.1:${broker.port}`;
    broker.instance!.on('publish', (packet, client) => {
      if (client && packet.topic.endsWith('/telemetry')) brokerReceived++;
    });
    // the proof that messages arrive: ingest's identity reads every site (devices may not subscribe)
    reader = mqtt.connect(url, {
      clientId: 'load-test-reader',
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(dir.path, 'ingest'),
      reconnectPeriod: 0,
    });
    reader.on('message', (topic, payload) => {
      const t = parseDeviceTopic(topic);
      if (t?.channel !== 'telemetry') return;
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      const entry = delivered.get(t.deviceId) ?? { seqs: [], last: {} };
      entry.seqs.push(body.seq as number);
      entry.last = body;
      delivered.set(t.deviceId, entry);
    });
    await new Promise<void>((resolve, reject) => {
      reader.once('connect', () => resolve());
      reader.once('error', reject);
    });
    await reader.subscribeAsync('campus/+/+/telemetry', { qos: 1 });
  });

  afterAll(async () => {
    await reader?.endAsync();
    await broker?.stop();
    dir.remove();
  });

  it('drives every device at the chosen rate and QoS 1, and every acknowledged message arrives', async () => {
    const progress: LoadProgress[] = [];
    const figures = await runLoad({
      url,
      campuses,
      simKey: loadOrCreateKey(dir.path, 'sim'),
      ratePerSecond: 300,
      qos: 1,
      durationMs: 3000,
      onProgress: (p) => progress.push(p),
    });
    expect(figures.devices).toBe(60);
    expect(figures.connected).toBe(60);
    expect(figures.connectErrors).toBe(0);
    expect(figures.disconnects).toBe(0);
    expect(figures.errors).toBe(0);
    expect(figures.unacked).toBe(0);
    expect(figures.sent).toBeGreaterThan(0);
    expect(figures.acked).toBe(figures.sent);
    // the schedule: 300/s over the publishing window; every turn either sent or honestly counted as skipped
    const turns = figures.sent + figures.skipped + figures.skippedDisconnected;
    expect(figures.publishMs).toBeGreaterThanOrEqual(3000);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(0.9 * 0.3 * figures.publishMs));
    expect(turns).toBeLessThanOrEqual(Math.ceil(0.3 * figures.publishMs) + 1);
    expect(figures.ackLatencyMs!.p50).toBeGreaterThan(0);
    expect(figures.ackLatencyMs!.p99).toBeGreaterThanOrEqual(figures.ackLatencyMs!.p50);
    expect(figures.rssMB.peak).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.sent).toBeLessThanOrEqual(figures.sent);

    // the broker counted each one before acknowledging it; the subscriber gets them all, in order per device
    expect(brokerReceived).toBe(figures.acked);
    await waitFor('every acknowledged message at the subscriber', () => [...delivered.values()].reduce((n, e) => n + e.seqs.length, 0) >= figures.acked, {
      timeoutMs: 60_000,
    });
    expect([...delivered.values()].reduce((n, e) => n + e.seqs.length, 0)).toBe(figures.acked);
    expect(new Set(delivered.keys())).toEqual(new Set(campuses.flatMap((c) => c.devices.map((d) => d.id))));
    for (const [id, { seqs, last }] of delivered) {
      expect(seqs, id).toEqual(seqs.map((_, i) => i));
      expect(typeof last.ts).toBe('number');
      const kind = campuses.flatMap((c) => c.devices).find((d) => d.id === id)!.kind;
      const field = { electric_meter: 'totalKWh', water_meter: 'totalM3', transformer: 'currentA', fridge: 'tempC' }[kind];
      expect(last, id).toHaveProperty(field);
    }
    // every connection was ended (only the reader remains)
    await waitFor('the devices to be gone from the broker', () => broker.instance!.connectedClients === 1, { timeoutMs: 30_000 });
  });

  it('at QoS 0 counts a message acknowledged once written, and stops early when aborted', async () => {
    const abort = new AbortController();
    const before = brokerReceived;
    const figures = await runLoad({
      url,
      campuses,
      simKey: loadOrCreateKey(dir.path, 'sim'),
      ratePerSecond: 200,
      qos: 0,
      durationMs: 120_000,
      onProgress: (p) => p.phase === 'publishing' && p.sent > 100 && abort.abort(),
      signal: abort.signal,
    });
    expect(figures.publishMs).toBeLessThan(60_000);
    expect(figures.connected).toBe(60);
    expect(figures.errors).toBe(0);
    expect(figures.sent).toBeGreaterThan(100);
    expect(figures.acked).toBe(figures.sent);
    expect(figures.ackLatencyMs).toBeNull();
    await waitFor('the QoS 0 messages at the broker', () => brokerReceived - before === figures.sent, { timeoutMs: 30_000 });
  });

  it('counts refused logins as connect errors instead of failing the run', async () => {
    const figures = await runLoad({ url, campuses: campuses.slice(0, 1), simKey: 'not-the-key-'.repeat(4), ratePerSecond: 50, qos: 1, durationMs: 200 });
    expect(figures.connected).toBe(0);
    expect(figures.connectErrors).toBe(20);
    expect(figures.sent).toBe(0);
    expect(figures.skippedDisconnected).toBeGreaterThan(0);
    expect(Object.keys(figures.errorSamples).join(' ')).toMatch(/username or password|Not authorized/i);
  });
});
