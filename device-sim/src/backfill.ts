/**
 * Time acceleration: the simulated campus over any past period (a whole term in minutes),
 * written straight into the store in large batches, so the competition and the reports have
 * history. The readings go through the same validation as the ones from the broker; detection
 * does not see them (history, not news). Used by `npm run campus -- sim backfill` and the bench.
 */
import { validateTelemetry, type Reading } from '@campus/contract';
import type { Campus, DeviceConfig } from '@campus/site';
import { CampusSim } from './campus-sim.ts';
import type { Fault } from './faults.ts';

/** Where the readings go: a reading store (structurally; device-sim does not depend on ingest). */
export interface ReadingSink {
  write(batch: { readings: Reading[]; statuses: never[]; deadLetters: never[] }): Promise<unknown>;
}

export interface BackfillOptions {
  /** [from, to) epoch ms ranges, in order */
  ranges: [number, number][];
  stepMs: number;
  /** which devices (default: all of the campus) */
  devices?: (d: DeviceConfig) => boolean;
  seed?: number;
  /** faults running during the period (a leak, a silent meter...): the history then has them, labelled */
  faults?: Fault[];
  batchSize?: number;
  onProgress?: (done: number, ts: number) => void;
}

export async function backfill(sink: ReadingSink, campus: Campus, opts: BackfillOptions): Promise<number> {
  const sim = new CampusSim(campus, opts.seed ?? 1);
  sim.faults.set(opts.faults ?? []);
  const devices = campus.devices.filter(opts.devices ?? (() => true));
  const size = opts.batchSize ?? 5000;
  let batch: Reading[] = [];
  let n = 0;
  const flush = async (ts: number) => {
    if (!batch.length) return;
    const readings = batch;
    batch = [];
    await sink.write({ readings, statuses: [], deadLetters: [] });
    opts.onProgress?.(n, ts);
  };
  for (const [from, to] of opts.ranges) {
    for (let ts = from; ts < to; ts += opts.stepMs) {
      for (const d of devices) {
        if (sim.faults.silenced(d.id, ts)) continue; // a silent meter, or one behind a failed gateway
        const r = sim.reading(d.id, ts);
        // validated against the device's own clock: history is not "too old" here
        const v = validateTelemetry(d.kind, { ...r.values, ts, seq: r.seq }, ts);
        if (!v.ok) throw new Error(`simulated ${d.id} at ${new Date(ts).toISOString()}: ${v.reason}`);
        batch.push({ siteId: campus.site.id, deviceId: d.id, kind: d.kind, receivedAt: ts, ...v.value });
        n++;
      }
      if (batch.length >= size) await flush(ts);
    }
  }
  await flush(opts.ranges.at(-1)?.[1] ?? 0);
  return n;
}
