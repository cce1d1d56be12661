/**
 * Why ingest writes batches of up to 2000 readings (closing a batch 50 ms after its first item):
 * store throughput and the time one batch takes, per batch size, on both backends, with the
 * chosen size as the peer every other size is compared with. Readings come from the device
 * simulator (the demo campus, every device, one reading a minute of device time).
 */
import { CampusSim } from '@campus/device-sim';
import { InfluxReadingStore, SqliteReadingStore, storeContext, type ReadingStore } from '@campus/ingest';
import { validateTelemetry, type Reading } from '@campus/contract';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startInfluxd, tempDir } from '@campus/testkit';
import { join } from 'node:path';
import { fmtMs } from './report.ts';

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

export async function benchBatchSize(backends: string[]): Promise<void> {
  const dir = tempDir('campus-bench-batch-');
  const data = readings(100_000);
  const influxd = backends.includes('influx') ? await startInfluxd() : undefined;
  try {
    for (const backend of backends) {
      console.log(`\nbatch size, ${backend}: ${data.length.toLocaleString('en')} simulated readings per size (10 per batch: the first 10,000)`);
      const rows: { size: number; perSecond: number; batchMs: number }[] = [];
      for (const size of SIZES) {
        const store: ReadingStore =
          backend === 'sqlite'
            ? new SqliteReadingStore(join(dir.path, `b${size}.db`), { context: storeContext([campus]) })
            : new InfluxReadingStore({ url: influxd!.url, db: `b${size}`, localFile: join(dir.path, `i${size}.db`), context: storeContext([campus]) });
        rows.push({ size, ...(await run(store, size < 100 ? data.slice(0, 10_000) : data, size)) });
        store.close();
      }
      const chosen = rows.find((r) => r.size === CHOSEN_BATCH)!;
      for (const r of rows) {
        const mark = r.size === CHOSEN_BATCH ? '  <- chosen (peer)' : `  ${(r.perSecond / chosen.perSecond).toFixed(2)}x the chosen size's throughput`;
        console.log(
          `  ${String(r.size).padStart(5)} per batch: ${Math.round(r.perSecond).toLocaleString('en').padStart(8)} readings/s, ${fmtMs(r.batchMs).padStart(8)} a batch${mark}`,
        );
      }
    }
  } finally {
    await influxd?.remove();
    dir.remove();
  }
}
