// ad hoc: a whole demo term (2025-2026学年第二学期, 130 days) backfilled at 15 min, then the report, on SQLite and InfluxDB
import { backfill } from '@campus/device-sim';
import { dbPath, InfluxReadingStore, openDb, SqliteReadingStore, storeContext, type ReadingStore } from '@campus/ingest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startInfluxd, tempDir } from '@campus/testkit';
import { buildReport, writeReportFiles } from '@campus/report';
const campus = loadCampus(DEMO_CAMPUS_FILE);
const term = '2025-2026学年第二学期';
async function run(name: string, dir: string, store: ReadingStore) {
  const t0 = performance.now();
  const n = await backfill(store, campus, { ranges: [[campus.calendar.startOfDay('2026-02-17'), campus.calendar.startOfDay('2026-11-24')]], stepMs: 900_000 });
  for (;;) { const r = await store.rollUp(50_000); if (!r.pending || !r.hours) break; }
  console.log(name, 'backfill+rollup', n, ((performance.now() - t0) / 1000).toFixed(1), 's');
  const db = openDb(dbPath(dir));
  for (let i = 0; i < 4; i++) {
    const t1 = performance.now();
    const r = await buildReport({ campus, store, db, period: { term: i % 2 ? term : '2026-2027学年第一学期' } });
    console.log(name, 'report', r.period.from, r.period.to, r.period.days, 'days', ((performance.now() - t1) / 1000).toFixed(2), 's', r.work.queries, 'queries');
    if (i === 0) writeReportFiles(`${dir}/out`, r);
  }
  db.close();
}
const a = tempDir();
await run('sqlite', a.path, new SqliteReadingStore(dbPath(a.path), { context: storeContext([campus]) }));
const b = tempDir();
const influxd = await startInfluxd();
await run('influx', b.path, new InfluxReadingStore({ url: influxd.url, db: 'campus', localFile: dbPath(b.path), context: storeContext([campus]), rawRetentionDays: 3650 }));
await influxd.remove();
a.remove(); b.remove();
