/**
 * The store behind its spool, against a real influxd that comes and goes: batches written while
 * it is down are on disk before `write` resolves, survive a restart of ingest (with or without a
 * clean close), and reach InfluxDB in order, once, when it answers again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLog } from '@campus/runtime';
import { InfluxReadingStore, InfluxUnavailable } from '@campus/store';
import { SpooledStore } from '@campus/ingest';
import { influxdSuite, waitFor } from '@campus/testkit';
import { batch, reading, T0, TEST_CONTEXT } from '@campus/store/conformance';

const suite = influxdSuite();

const log = createLog('test');
let n = 0;
function open(db: string, spoolDir: string) {
  const inner = new InfluxReadingStore({ url: suite.influxd.url, db, localFile: join(suite.dir, `local-${++n}.db`), context: TEST_CONTEXT });
  const replayed: number[] = [];
  const store = new SpooledStore(inner, {
    dir: spoolDir,
    maxBytes: 1024 * 1024,
    log,
    isUnavailable: (err) => err instanceof InfluxUnavailable,
    onReplayed: (b) => replayed.push(...b.readings.map((r) => r.seq)),
    maxBackoffMs: 500,
  });
  return { inner, store, replayed };
}

const seqs = async (inner: InfluxReadingStore) => {
  const [series] = await inner.http.query(`SELECT "seq" FROM "raw"."electric_meter" WHERE "device" = 'em-1'`);
  return (series?.[0]?.values ?? []).map((v) => v[1] as number);
};

describe('the spooled store', () => {
  it.each([
    ['closed cleanly', true],
    ['killed (never closed)', false],
  ])('keeps what was spooled across a restart (%s) and replays it in order, once', { timeout: 120_000 }, async (_how, cleanly) => {
    const db = `spool${cleanly ? 'a' : 'b'}`;
    const spoolDir = join(suite.dir, `spool-${db}`);
    const first = open(db, spoolDir);
    await first.store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 0 }, 0)] }));
    expect(await seqs(first.inner)).toEqual([0]);

    await suite.influxd.stop();
    for (let i = 1; i <= 5; i++) {
      const r = await first.store.write(batch({ readings: [reading('em-1', T0 + i * 1000, { totalKWh: i }, i)] }));
      expect(r).toEqual({ stored: 0, duplicates: 0, spooled: 1 });
    }
    expect(first.store.downSince).toBeDefined();
    expect(first.store.depth.batches).toBe(5);
    if (cleanly) first.store.close();
    first.inner.close();

    await suite.influxd.start();
    const second = open(db, spoolDir);
    await waitFor('the spool replayed', () => second.store.spool.empty, { timeoutMs: 60_000 });
    expect(second.replayed).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(second.inner)).toEqual([0, 1, 2, 3, 4, 5]);
    // and new batches go straight to the database again
    expect(await second.store.write(batch({ readings: [reading('em-1', T0 + 6000, { totalKWh: 6 }, 6)] }))).toEqual({ stored: 1, duplicates: 0, spooled: 0 });
    second.store.close();
    second.inner.close();
  });
});
