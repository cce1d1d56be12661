/**
 * The report reads rollups only (hourly and daily, store/src/rollups.ts), never raw
 * readings: a term of 42 devices is a few thousand daily rows, and raw readings may already be
 * pruned (CAMPUS_RAW_RETENTION_DAYS). Each section asks for what it needs; the same question is
 * asked of the store once, and at most a few at a time (on InfluxDB each is an HTTP request).
 */
import type { ReadingStore, RollupPeriod, RollupRow } from '@campus/store';

export class RollupReader {
  private readonly memo = new Map<string, Promise<RollupRow[]>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** questions asked of the store (for the report's own account of its work) */
  queries = 0;

  constructor(
    private readonly store: ReadingStore,
    private readonly concurrency = 8,
  ) {}

  /** Rows of one device's `fields`, buckets in [from, to), in bucket order. */
  read(period: RollupPeriod, deviceId: string, from: number, to: number, fields: string[]): Promise<RollupRow[]> {
    const key = `${period}|${deviceId}|${from}|${to}|${fields.join(',')}`;
    let rows = this.memo.get(key);
    if (!rows) this.memo.set(key, (rows = this.limited(() => this.store.readRollups(period, deviceId, from, to, fields))));
    return rows;
  }

  private async limited(task: () => Promise<RollupRow[]>): Promise<RollupRow[]> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    this.queries++;
    try {
      return (await task()).sort((a, b) => a.bucket - b.bucket);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
