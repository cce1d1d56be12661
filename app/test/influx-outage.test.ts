/**
 * InfluxDB stopped for 60 s under a steady simulated load (24 classroom meters of the demo campus,
 * values from the device simulator, real MQTT clients at QoS 1): ingest keeps acknowledging, the
 * readings go to the disk spool, health and metrics show it, the office gets a ticket, and after
 * InfluxDB returns every reading the broker acknowledged is stored exactly once, in order.
 * Then a spool too small for the outage: ingest stops reading from the broker instead of
 * dropping anything, and catches up when InfluxDB returns.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CampusSim } from '@campus/device-sim';
import { STORAGE_SUBJECT } from '@campus/repairs';
import { startInfluxd, startStack, waitFor, type Influxd, type Stack } from '@campus/testkit';

let influxd: Influxd | undefined;
let stack: Stack | undefined;
let devices: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(devices.map((d) => d.endAsync(true)));
  devices = [];
  await stack?.stop();
  stack = undefined;
  await influxd?.remove();
  influxd = undefined;
});
afterAll(async () => {
  await influxd?.remove();
});

/** Publishes sim readings from every meter every `everyMs` until `stop()`; remembers what the broker acknowledged. */
async function steadyLoad(s: Stack, ids: string[], everyMs: number) {
  const sim = new CampusSim(s.campus, 7);
  devices = await Promise.all(ids.map((id) => mqtt.connectAsync(s.mqttUrl, { clientId: id, username: id, password: s.devicePassword(id) })));
  const acked = new Map<string, number[]>(ids.map((id) => [id, []]));
  // device time runs a minute per tick from two days ago (inside the accepted clock window)
  let ts = Date.now() - 2 * 86_400_000;
  let running = true;
  const loop = (async () => {
    while (running) {
      const tick = ts;
      ts += 60_000;
      await Promise.all(
        devices.map(async (d, k) => {
          const r = sim.reading(ids[k]!, tick);
          await d.publishAsync(`campus/dongnan/${ids[k]}/telemetry`, JSON.stringify({ ts: r.ts, seq: r.seq, ...r.values }), { qos: 1 });
          acked.get(ids[k]!)!.push(r.seq);
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    acked,
    total: () => [...acked.values()].reduce((n, a) => n + a.length, 0),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** seq of every stored reading of a device, in time order, straight from InfluxDB. */
async function storedSeqs(s: Stack, id: string): Promise<number[]> {
  const store = s.ingest.store as unknown as { http: { query(q: string): Promise<{ values: unknown[][] }[][]> } };
  const [series] = await store.http.query(`SELECT "seq" FROM "raw"."electric_meter" WHERE "device" = '${id}'`);
  return (series?.[0]?.values ?? []).map((v) => v[1] as number);
}

/** Every reading the broker acknowledged is in InfluxDB, once, in device-time order. */
async function expectAllStored(s: Stack, load: { acked: Map<string, number[]> }, ids: string[], timeoutMs: number): Promise<void> {
  for (const id of ids) {
    const acked = load.acked.get(id)!;
    await waitFor(`${id}: all ${acked.length} readings stored`, async () => (await storedSeqs(s, id)).length >= acked.length, { timeoutMs, everyMs: 500 });
    expect(await storedSeqs(s, id)).toEqual(acked.map((_, i) => i));
  }
}

const METERS = Array.from({ length: 3 }, (_, g) => Array.from({ length: 8 }, (_, c) => `em-g${g + 1}c${c + 1}`)).flat();

describe('InfluxDB outage under load', () => {
  it('stores every acknowledged reading exactly once after 60 s down, and tells the office', { timeout: 300_000 }, async () => {
    influxd = await startInfluxd();
    stack = await startStack({ ingest: { store: 'influx', influx: { url: influxd.url, db: 'campus' }, storageTicketAfterMs: 20_000 } });
    const s = stack;
    const load = await steadyLoad(s, METERS, 200);
    await waitFor('readings flowing into InfluxDB', async () => (await storedSeqs(s, METERS[0]!)).length >= 10, { timeoutMs: 60_000 });

    await influxd.stop();
    const stoppedAt = Date.now();
    const before = load.total();
    await waitFor('ingest spooling to disk', () => (s.ingest.spooled?.depth.batches ?? 0) > 0, { timeoutMs: 60_000 });
    const health = s.ingest.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/database unreachable .* spooled on disk/);
    expect((health.spool as { batches: number }).batches).toBeGreaterThan(0);
    expect(s.metrics.render()).toMatch(/^campus_spool_batches [1-9]\d*$/m);
    // the office ticket, once storage has been down for the threshold (20 s here, 5 min by default)
    const ticket = await waitFor(
      'the storage ticket',
      () => s.ingest.detection?.tickets.list({}).find((t) => t.deviceId === STORAGE_SUBJECT && t.status === 'open'),
      { timeoutMs: 60_000 },
    );
    expect(ticket).toMatchObject({ trade: 'office', title: '读数数据库无法写入' });
    await waitFor('60 s of outage', () => Date.now() - stoppedAt >= 60_000, { timeoutMs: 90_000, everyMs: 500 });
    const duringOutage = load.total() - before;
    expect(duringOutage).toBeGreaterThan(1000); // the devices kept publishing and the broker kept acknowledging

    await influxd.start();
    await new Promise((r) => setTimeout(r, 5000)); // publishing goes on while the spool replays
    await load.stop();
    await waitFor('the spool replayed', () => s.ingest.spooled?.spool.empty && s.ingest.spooled.downSince === undefined, { timeoutMs: 120_000, everyMs: 250 });
    await expectAllStored(s, load, METERS, 60_000);
    await waitFor('the storage ticket cleared', () => s.ingest.detection?.tickets.get(ticket.id)?.clearedAt, { timeoutMs: 60_000 });
  });

  it('with a spool too small for the outage, stops reading from the broker instead of dropping, and catches up', { timeout: 300_000 }, async () => {
    influxd = await startInfluxd();
    stack = await startStack({ ingest: { store: 'influx', influx: { url: influxd.url, db: 'campus' }, spoolMaxBytes: 64 * 1024, maxBatch: 50 } });
    const s = stack;
    const ids = METERS.slice(0, 8);
    const load = await steadyLoad(s, ids, 20);
    await waitFor('readings flowing into InfluxDB', async () => (await storedSeqs(s, ids[0]!)).length >= 5, { timeoutMs: 60_000 });
    await influxd.stop();
    // the spool fills, then ingest holds back: messages wait unacknowledged at the broker
    await waitFor('ingest holding back', () => (s.ingest.health().queue as number) >= 500, { timeoutMs: 120_000, everyMs: 250 });
    expect(s.ingest.spooled!.depth.bytes).toBeGreaterThan(32 * 1024);
    await new Promise((r) => setTimeout(r, 5000));
    await influxd.start();
    await load.stop();
    await expectAllStored(s, load, ids, 180_000);
  });
});
