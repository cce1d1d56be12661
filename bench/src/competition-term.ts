/**
 * Scenario 3, the competition query: `GET /api/competition?period=term` over a backfilled term,
 * through the real HTTP route (express, auth, JSON), for the demo campus's 24 classes (one
 * reading a minute, 20 weeks of term and its 10 baseline days) and for a campus of 500 classes.
 * The board reads daily rollups; its peer, on the same data in the same run, is the same daily
 * use computed from raw rows (SQL over the readings table; InfluxQL SPREAD on InfluxDB).
 * Goals (issue 7): under 50 ms for 24 classes and 500 ms for 500, both ≥ 20× the raw query.
 */
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseDocument, isSeq, isMap } from 'yaml';
import { backfill } from '@campus/device-sim';
import { Auth, baselineDays, DashboardService } from '@campus/dashboard';
import { InfluxReadingStore, SqliteReadingStore, storeContext, type ReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { createLog, loadOrCreateKey, MetricsRegistry } from '@campus/runtime';
import { buildCampus, DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { startInfluxd, tempDir } from '@campus/testkit';
import { fmtMs, median, type BenchResult, type Scenario } from './report.ts';

const TERM = { start: '2026-09-01', end: '2027-01-22' };
const DAY = 86_400_000;

/** The demo campus with `n` classes, each with its own classroom meter (the demo's own 24 meters replaced). */
function campusWithClasses(n: number): Campus {
  if (n === 24) return loadCampus(DEMO_CAMPUS_FILE);
  const doc = parseDocument(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  const classes = doc.get('classes', true);
  const devices = doc.get('devices', true);
  if (!isSeq(classes) || !isSeq(devices)) throw new Error('the demo campus changed shape');
  classes.items = [];
  devices.items = devices.items.filter((d) => !(isMap(d) && d.get('class')));
  for (let i = 1; i <= n; i++) {
    const id = `c${String(i).padStart(3, '0')}`;
    classes.items.push(doc.createNode({ id, name: `${Math.ceil((i / n) * 3)}年级 ${i} 班`, grade: Math.ceil((i / n) * 3), students: 40 + (i % 13) }));
    devices.items.push(
      doc.createNode({
        id: `em-${id}`,
        kind: 'electric_meter',
        name: `${id} 班电表`,
        location: { building: 'teaching', floor: 1 + (i % 5) },
        class: id,
        feeder: 'tr-main',
      }),
    );
  }
  return buildCampus(doc.toJS(), `(${n} classes)`);
}

/** The term's first `weeks` weeks and its baseline (the last 10 school days before it, in June). */
function window(campus: Campus, weeks: number) {
  const termStart = campus.calendar.startOfDay(TERM.start);
  const to = Math.min(campus.calendar.startOfDay('2027-01-23'), termStart + weeks * 7 * DAY);
  const ranges: [number, number][] = baselineDays(campus, TERM.start).map((d) => [campus.calendar.startOfDay(d), campus.calendar.startOfDay(d) + DAY]);
  ranges.push([termStart, to]);
  return { to, today: campus.calendar.local(to - 1).date, ranges, days: ranges.reduce((s, [a, b]) => s + Math.round((b - a) / DAY), 0) };
}

async function time(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn(); // warm
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** The dashboard's HTTP API on a free port over this store; `get` sends the API key. */
async function serve(campus: Campus, store: ReadingStore, dataDir: string, now: number) {
  const dashboard = new DashboardService({
    host: '127.0.0.1',
    port: 0,
    campuses: [campus],
    store: () => store,
    live: new EventEmitter(),
    tickets: () => undefined,
    auth: new Auth(dataDir),
    dataDir,
    health: () => ({}),
    metrics: new MetricsRegistry(),
    log: createLog('bench'),
    now: () => now,
  });
  await dashboard.start();
  const key = loadOrCreateKey(dataDir, 'api');
  return {
    get: async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${dashboard.port}${path}`, { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ classes: { rank: number }[] }>;
    },
    stop: () => dashboard.stop(),
  };
}

const goalFor = (classes: number) => (classes <= 24 ? 50 : 500);

export const competitionQuery: Scenario = async ({ quick, log }) => {
  const weeks = quick ? 2 : 20;
  const cases = [
    { classes: 24, stepMs: quick ? 15 * 60_000 : 60_000 },
    // the simulator's cost follows simulated device-minutes: quick mode takes 100 classes for the large case
    { classes: quick ? 100 : 500, stepMs: quick ? 3600_000 : 15 * 60_000 },
  ];
  const results: BenchResult[] = [];
  for (const c of cases) {
    const campus = campusWithClasses(c.classes);
    const meters = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class).map((d) => d.id);
    const { to, today, ranges, days } = window(campus, weeks);
    const dir = tempDir('campus-bench-competition-');
    try {
      const store = new SqliteReadingStore(dbPath(dir.path), { context: storeContext([campus]) });
      let t = performance.now();
      const n = await backfill(store, campus, { ranges, stepMs: c.stepMs, devices: (d) => meters.includes(d.id) });
      const loaded = performance.now() - t;
      t = performance.now();
      while ((await store.rollUp(5000)).pending > 0);
      const rolled = performance.now() - t;
      log(`${c.classes} classes: ${n.toLocaleString('en')} readings loaded in ${fmtMs(loaded)}, rolled up in ${fmtMs(rolled)}`);

      const api = await serve(campus, store, dir.path, to);
      const path = `/api/competition?resource=electricity&period=term&date=${today}`;
      const board = await api.get(path);
      const ranked = board.classes.filter((x) => x.rank > 0).length;
      if (ranked !== meters.length) throw new Error(`the board ranked ${ranked} of ${meters.length} classes: the bench data is wrong`);
      const ours = await time(() => api.get(path), quick ? 3 : 7);
      await api.stop();

      const marks = meters.map(() => '?').join(', ');
      const raw = store.local.db.prepare(
        `SELECT device_id, date((ts + ?) / 1000, 'unixepoch') AS date, max(json_extract(v, '$.totalKWh')) - min(json_extract(v, '$.totalKWh')) AS use, count(*) AS n
         FROM readings WHERE device_id IN (${marks}) AND ts >= ? AND ts < ? GROUP BY device_id, date`,
      );
      const offset = campus.calendar.offsetAt(ranges[0]![0]);
      const peer = await time(async () => raw.all(offset, ...meters, ranges[0]![0], to), quick ? 1 : 3);
      store.close();
      const limit = goalFor(c.classes);
      results.push({
        scenario: '3. Competition query',
        name: `term ranking, ${c.classes} classes (sqlite)`,
        detail: `GET ${path.split('&date')[0]} over ${n.toLocaleString('en')} simulated readings: ${c.classes} classroom meters every ${c.stepMs / 60_000} min for ${days} days (${weeks} weeks of term + 10 baseline days)${quick ? ' — quick mode: a shorter term, coarser data' : ''}; load ${fmtMs(loaded)}, rollups ${fmtMs(rolled)}; median of ${quick ? 3 : 7} requests after a warm-up`,
        ours: { label: 'the board over HTTP, from daily rollups', value: ours, unit: 'ms' },
        peer: { label: 'daily use from raw rows (SQL)', value: peer, unit: 'ms' },
        better: 'lower',
        goal: { text: `under ${limit} ms and ≥ 20× the raw query`, met: ours < limit && peer / ours >= 20 },
      });
    } finally {
      dir.remove();
    }
  }
  if (!quick) results.push(await influxCase(log));
  return results;
};

/** The 24-class term on InfluxDB: the same board against InfluxQL SPREAD per local day. */
async function influxCase(log: (line: string) => void): Promise<BenchResult> {
  const campus = campusWithClasses(24);
  const meters = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class).map((d) => d.id);
  const { to, today, ranges } = window(campus, 20);
  const dir = tempDir('campus-bench-competition-');
  const influxd = await startInfluxd();
  try {
    // raw kept for 10 years: the default 90-day policy would refuse last June's baseline days
    const store = new InfluxReadingStore({
      url: influxd.url,
      db: 'bench',
      localFile: dbPath(dir.path),
      context: storeContext([campus]),
      rawRetentionDays: 3650,
    });
    const n = await backfill(store, campus, { ranges, stepMs: 60_000, devices: (d) => meters.includes(d.id) });
    while ((await store.rollUp(5000)).pending > 0);
    log(`influx: ${n.toLocaleString('en')} readings loaded and rolled up`);
    const api = await serve(campus, store, dir.path, to);
    const path = `/api/competition?resource=electricity&period=term&date=${today}`;
    const ours = await time(() => api.get(path), 7);
    await api.stop();
    const offsetH = -Math.round(campus.calendar.offsetAt(ranges[0]![0]) / 3_600_000);
    const q = `SELECT spread("totalKWh"), count("totalKWh") FROM "raw"."electric_meter" WHERE "class" != '' AND time >= ${ranges[0]![0]}ms AND time < ${to}ms GROUP BY time(1d, ${offsetH}h), "device" fill(none)`;
    const peer = await time(() => store.http.query(q), 3);
    store.close();
    return {
      scenario: '3. Competition query',
      name: 'term ranking, 24 classes (InfluxDB)',
      detail: `the same term (${n.toLocaleString('en')} readings, 1 a minute) in a local influxd 1.6.7`,
      ours: { label: 'the board over HTTP, from daily rollups', value: ours, unit: 'ms' },
      peer: { label: 'daily use from raw points (InfluxQL SPREAD)', value: peer, unit: 'ms' },
      better: 'lower',
      goal: { text: 'under 50 ms and ≥ 20× the raw query', met: ours < 50 && peer / ours >= 20 },
    };
  } finally {
    await influxd.remove();
    dir.remove();
  }
}
