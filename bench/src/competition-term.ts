/**
 * The class competition over a full term: 24 classroom meters of the demo campus, one reading a
 * minute from the device simulator, the 2026-2027 first term (20 weeks) and its baseline (the
 * last 10 school days before it, in June). The board's query (`scoreCompetition`, period "term")
 * reads daily rollups; its peer, run side by side on the same data, is the same daily use
 * computed from raw rows (SQL over the readings table; InfluxQL SPREAD per local day). Printed:
 * median times and the ratio peer / ours. InfluxDB keeps raw points for 10 years here: the
 * default 90-day policy would refuse last June's baseline days.
 */
import { backfill } from '@campus/device-sim';
import { baselineDays, scoreCompetition } from '@campus/dashboard';
import { InfluxReadingStore, SqliteReadingStore, storeContext, type ReadingStore } from '@campus/ingest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startInfluxd, tempDir } from '@campus/testkit';
import { join } from 'node:path';
import { median, fmtMs, type BenchResult } from './report.ts';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const TERM = { start: '2026-09-01', end: '2027-01-22' };
const meters = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class).map((d) => d.id);

/** The term's first `weeks` weeks, and its baseline: the last 10 school days before it (June, last term). */
function window(weeks: number) {
  const end = campus.calendar.startOfDay('2027-01-23');
  const termStart = campus.calendar.startOfDay(TERM.start);
  const to = Math.min(end, termStart + weeks * 7 * 86_400_000);
  const base = baselineDays(campus, TERM.start);
  const ranges: [number, number][] = base.map((d) => [campus.calendar.startOfDay(d), campus.calendar.startOfDay(d) + 86_400_000]);
  ranges.push([termStart, to]);
  const today = campus.calendar.local(to - 1).date;
  return { from: ranges[0]![0], to, today, ranges, days: base.length + Math.round((to - termStart) / 86_400_000) };
}

/** One reading a minute per classroom meter over the ranges, through the simulator's time acceleration. */
const load = (store: ReadingStore, ranges: [number, number][]) => backfill(store, campus, { ranges, stepMs: 60_000, devices: (d) => meters.includes(d.id) });

async function time(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function benchCompetitionTerm(opts: { weeks: number; backends: string[] }): Promise<BenchResult[]> {
  const { from, to, today, ranges, days } = window(opts.weeks);
  const results: BenchResult[] = [];
  const dir = tempDir('campus-bench-');
  const offset = campus.calendar.offsetAt(from);
  const board = (store: ReadingStore) => scoreCompetition(campus, store, { resource: 'electricity', period: 'term', today, now: to });
  /** loads the term, rolls it up, and checks the board ranks the classes */
  const prepare = async (store: ReadingStore, ranges: [number, number][]) => {
    const t0 = performance.now();
    const n = await load(store, ranges);
    const loaded = performance.now() - t0;
    const t1 = performance.now();
    while ((await store.rollUp(5000)).pending > 0);
    const rolled = performance.now() - t1;
    const check = await board(store);
    if (check.classes.filter((c) => c.rank > 0).length !== meters.length)
      throw new Error(`${store.name}: the board did not rank every class; the bench data is wrong`);
    return { n, loaded, rolled };
  };

  try {
    if (opts.backends.includes('sqlite')) {
      const store = new SqliteReadingStore(join(dir.path, 'campus.db'), { context: storeContext([campus]) });
      const { n, loaded, rolled } = await prepare(store, ranges);
      const ours = await time(() => board(store), 5);
      const db = store.local.db;
      const marks = meters.map(() => '?').join(', ');
      const raw = db.prepare(
        `SELECT device_id, date((ts + ?) / 1000, 'unixepoch') AS date, max(json_extract(v, '$.totalKWh')) - min(json_extract(v, '$.totalKWh')) AS use, count(*) AS n
         FROM readings WHERE device_id IN (${marks}) AND ts >= ? AND ts < ? GROUP BY device_id, date`,
      );
      const peer = await time(async () => raw.all(offset, ...meters, from, to), 3);
      results.push({
        name: 'competition, whole term (sqlite)',
        detail: `${n.toLocaleString('en')} readings (24 classes, 1/min, ${days} days: ${opts.weeks} weeks of term and 10 baseline days); load ${fmtMs(loaded)}, rollups ${fmtMs(rolled)}`,
        ours: { label: 'board from daily rollups', ms: ours },
        peer: { label: 'daily use from raw rows (SQL)', ms: peer },
      });
      store.close();
    }
    if (opts.backends.includes('influx')) {
      const influxd = await startInfluxd();
      try {
        const store = new InfluxReadingStore({
          url: influxd.url,
          db: 'bench',
          localFile: join(dir.path, 'influx-local.db'),
          context: storeContext([campus]),
          rawRetentionDays: 3650,
        });
        const { n, loaded, rolled } = await prepare(store, ranges);
        const ours = await time(() => board(store), 5);
        const offsetH = -Math.round(offset / 3_600_000);
        const q = `SELECT spread("totalKWh"), count("totalKWh") FROM "raw"."electric_meter" WHERE "class" != '' AND time >= ${from}ms AND time < ${to}ms GROUP BY time(1d, ${offsetH}h), "device" fill(none)`;
        const peer = await time(() => store.http.query(q), 3);
        results.push({
          name: 'competition, whole term (influx)',
          detail: `${n.toLocaleString('en')} readings; load ${fmtMs(loaded)}, rollups ${fmtMs(rolled)}`,
          ours: { label: 'board from daily rollups', ms: ours },
          peer: { label: 'daily use from raw points (InfluxQL SPREAD)', ms: peer },
        });
        store.close();
      } finally {
        await influxd.remove();
      }
    }
  } finally {
    dir.remove();
  }
  return results;
}
