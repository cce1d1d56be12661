/**
 * Why ingest writes batches of up to 2000 readings (closing a batch 50 ms after its first item):
 * store throughput and the time one batch takes, per batch size, on both backends, with the
 * chosen size as the peer every other size is compared with. Readings come from the device
 * simulator (the demo campus, every device, one reading a minute of device time).
 */
import { CampusSim } from '@campus/device-sim';
import { InfluxReadingStore, SqliteReadingStore, storeContext, type ReadingStore } from '@campus/store';
import { validateTelemetry, type Reading } from '@campus/contract';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startInfluxd, tempDir } from '@campus/testkit';
import { join } from 'node:path';
import { fmtMs, type BenchResult, type Scenario } from './report.ts';

export const CHOSEN_BATCH = 2000;
const SIZES = [10, 100, 500, CHOSEN_BATCH, 5000];

const campus = loadCampus(DEMO_CAMPUS_FILE);

function readings(n: number): Reading[] {
  const sim = new CampusSim(campus, 3);
  const out: Reading[] = [];
  const t0 = Date.now() - 20 * 86_400_000;
  for (let ts = t0; out.length < n; ts += 60_000) {
    for (const d of campus.devices) {
      const r = sim.reading(d.id, ts);
      // through the same validation as a message from the broker (flags normalised, and so on)
      const v = validateTelemetry(d.kind, { ts, seq: r.seq, ...r.values }, ts);
      if (!v.ok) throw new Error(`simulated ${d.id} reading refused: ${v.reason}`);
      out.push({ siteId: campus.site.id, deviceId: d.id, kind: d.kind, ts, seq: r.seq, receivedAt: ts, values: v.value.values });
    }
  }
  return out.slice(0, n);
}

async function run(store: ReadingStore, data: Reading[], size: number): Promise<{ perSecond: number; batchMs: number }> {
  const t = performance.now();
  let batches = 0;
  for (let i = 0; i < data.length; i += size) {
    await store.write({ readings: data.slice(i, i + size), statuses: [], deadLetters: [] });
    batches++;
  }
  const ms = performance.now() - t;
  return { perSecond: (data.length / ms) * 1000, batchMs: ms / batches };
}

/** Store throughput per batch size; ours = the chosen 2000, peer = 10 readings a batch (next to unbatched). */
export const batchSize: Scenario = async ({ quick, log }) => {
  const backends = quick ? ['sqlite'] : ['sqlite', 'influx'];
  const dir = tempDir('campus-bench-batch-');
  const data = readings(quick ? 20_000 : 100_000);
  const influxd = backends.includes('influx') ? await startInfluxd() : undefined;
  const results: BenchResult[] = [];
  try {
    for (const backend of backends) {
      const rows: { size: number; perSecond: number; batchMs: number }[] = [];
      for (const size of SIZES) {
        const store: ReadingStore =
          backend === 'sqlite'
            ? new SqliteReadingStore(join(dir.path, `b${size}.db`), { context: storeContext([campus]) })
            : new InfluxReadingStore({ url: influxd!.url, db: `b${size}`, localFile: join(dir.path, `i${size}.db`), context: storeContext([campus]) });
        rows.push({ size, ...(await run(store, size < 100 ? data.slice(0, Math.min(10_000, data.length)) : data, size)) });
        store.close();
        log(`${backend}: ${size} a batch done`);
      }
      const chosen = rows.find((r) => r.size === CHOSEN_BATCH)!;
      const smallest = rows[0]!;
      results.push({
        scenario: 'Batch size',
        name: `readings per second, ${backend}`,
        detail: `${data.length.toLocaleString('en')} simulated readings of the demo campus per size (10 a batch: the first 10,000), straight into the store; why ingest closes a batch at ${CHOSEN_BATCH} readings or 50 ms`,
        ours: { label: `${CHOSEN_BATCH} readings a batch (${fmtMs(chosen.batchMs)} a batch)`, value: Math.round(chosen.perSecond), unit: 'readings/s' },
        peer: { label: `${smallest.size} readings a batch`, value: Math.round(smallest.perSecond), unit: 'readings/s' },
        better: 'higher',
        notes: rows.map(
          (r) =>
            `${r.size} a batch: ${Math.round(r.perSecond).toLocaleString('en')} readings/s, ${fmtMs(r.batchMs)} a batch (${(r.perSecond / chosen.perSecond).toFixed(2)}x the chosen size)`,
        ),
      });
    }
  } finally {
    await influxd?.remove();
    dir.remove();
  }
  return results;
};
