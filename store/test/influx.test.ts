/**
 * The same conformance suite against a real influxd (Debian's 1.6.7) started for this file on a
 * free port in a temp dir, and what only InfluxDB does: retention policies, the measurement
 * schema Grafana reads, and a batch InfluxDB accepts only in part.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfluxReadingStore, InfluxUnavailable, type StoreContext } from '@campus/store';
import { influxdSuite } from '@campus/testkit';
import { batch, describeStore, reading, T0, TEST_CONTEXT } from './conformance.ts';

const suite = influxdSuite();

let n = 0;
const open = (context: StoreContext, options: { db?: string; url?: string } = {}) =>
  new InfluxReadingStore({ url: options.url ?? suite.influxd.url, db: options.db ?? `t${++n}`, localFile: join(suite.dir, `local-${++n}.db`), context });

describeStore('influx', (context) => open(context));

describe('influx specifics', () => {
  it('creates the database with a "raw" policy (retention) and a "rollup" policy kept for ever', async () => {
    const store = new InfluxReadingStore({
      url: suite.influxd.url,
      db: 'rp',
      localFile: join(suite.dir, 'rp.db'),
      context: TEST_CONTEXT,
      rawRetentionDays: 120,
    });
    await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 })] }));
    const [series] = await store.http.query('SHOW RETENTION POLICIES ON "rp"');
    const byName = Object.fromEntries(series![0]!.values.map((v) => [v[0], { duration: v[1], isDefault: v[4] }]));
    expect(byName.raw).toEqual({ duration: '2880h0m0s', isDefault: true });
    expect(byName.rollup).toMatchObject({ duration: '0s', isDefault: false });
    store.close();
  });

  it('writes one measurement per kind with bounded tags, readable by plain InfluxQL (what Grafana sends)', async () => {
    const store = open(TEST_CONTEXT, { db: 'schema' });
    await store.write(
      batch({ readings: [reading('em-1', T0, { totalKWh: 12.5, powerKW: 2 }, 7), reading('tr-1', T0, { currentA: [10, 30, 20], voltageV: [230, 231, 232] })] }),
    );
    await store.rollUp();
    const [[em] = []] = await store.http.query('SELECT * FROM "raw"."electric_meter"');
    expect(em!.columns).toEqual(['time', 'building', 'class', 'device', 'powerKW', 'seq', 'site', 'totalKWh']);
    expect(em!.values).toEqual([[T0, 'main', 'g1c1', 'em-1', 2, 7, 'dongnan', 12.5]]);
    const [[tr] = []] = await store.http.query('SELECT max("currentA_b") FROM "transformer" WHERE "device" = \'tr-1\'');
    expect(tr!.values[0]![1]).toBe(30);
    const [[hour] = []] = await store.http.query('SELECT "totalKWh_n", "totalKWh_max" FROM "rollup"."electric_meter_1h"');
    expect(hour!.values).toEqual([[T0, 1, 12.5]]);
    const [[day] = []] = await store.http.query('SELECT "totalKWh_max" FROM "rollup"."electric_meter_1d"');
    expect(day!.values).toEqual([[TEST_CONTEXT.dayStart('em-1', T0), 12.5]]);
    store.close();
  });

  it('a partial write: the refused reading goes to the dead letters with the reason, the rest of the batch is stored', async () => {
    const store = open(TEST_CONTEXT, { db: 'partial' });
    await store.ensureSchema();
    // someone wrote the transformer's oil temperature as text into this shard (a day from UTC
    // midnight = T0): InfluxDB refuses our float for the transformer's reading, not the meters'
    await store.http.write([`transformer,device=tr-1,site=dongnan oilTempC="broken" ${T0 + 3_600_000}`], 'raw');
    const readings = Array.from({ length: 50 }, (_, i) =>
      i === 17
        ? reading('tr-1', T0 + i * 1000, { currentA: [1, 2, 3], voltageV: [230, 230, 230], oilTempC: 40 }, i)
        : reading('em-1', T0 + i * 1000, { totalKWh: i }, i),
    );
    const result = await store.write(batch({ readings }));
    expect(result).toEqual({ stored: 49, duplicates: 0 });
    const [dl] = store.deadLetters(10);
    expect(dl).toMatchObject({ topic: 'campus/dongnan/tr-1/telemetry' });
    expect(dl!.reason).toMatch(/InfluxDB refused the reading: .*field type conflict/);
    expect(JSON.parse(dl!.payload.toString())).toEqual({ ts: T0 + 17_000, seq: 17, currentA: [1, 2, 3], voltageV: [230, 230, 230], oilTempC: 40 });
    expect(store.lastReadings().map((l) => l.deviceId)).toEqual(['em-1']);
    const points = await store.series({ deviceId: 'em-1', paths: ['$.totalKWh'], from: T0, to: T0 + 60_000, stepMs: 60_000 });
    expect(points[0]!.n).toBe(49);
    store.close();
  });

  it('says "unavailable" (spool and retry) when InfluxDB cannot be reached, and never dead-letters for it', async () => {
    const store = open(TEST_CONTEXT, { url: 'http://127.0.0.1:9' });
    await expect(store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 })] }))).rejects.toBeInstanceOf(InfluxUnavailable);
    expect(store.deadLetters(10)).toEqual([]);
    store.close();
  });
});
