/**
 * SQLite backend of the reading store (the default). A batch is one transaction: readings
 * (duplicates ignored by the (device, ts) key), the last reading per device, status changes, dead
 * letters and the rollup queue. Rollups live in the same file (table `rollups`).
 */
import type { DeviceKind } from '@campus/contract';
import { RollupStore } from '../rollup-store.ts';
import { boundedPart, type LocalBounds } from '../bounds.ts';
import type { LocalState } from '../local-state.ts';
import type { Statement } from 'better-sqlite3';
import { storeContext } from '../context.ts';
import { aggregateReadings, type Period, type RollupRow, type RollupWrite } from '../rollups.ts';
import type { Batch, SeriesPoint, SeriesQuery, StoreContext, WriteResult } from '../records.ts';

export class SqliteReadingStore extends RollupStore {
  readonly name = 'sqlite';

  /** prepared once: the write path runs for every batch */
  private readonly insert?: Statement<[string, number, number, number, string]>;

  constructor(file: string, options: { readonly?: boolean; context?: StoreContext; bounds?: LocalBounds } = {}) {
    super(file, options.context ?? storeContext([]), options.readonly ?? false, options.bounds);
    if (!options.readonly) this.insert = this.db.prepare('INSERT OR IGNORE INTO readings (device_id, ts, seq, received_at, v) VALUES (?, ?, ?, ?, ?)');
  }

  private get db() {
    return this.local.db;
  }

  /** statements of the rollup passes, prepared once each (a pass runs them for every device) */
  private readonly statements = new Map<string, Statement>();
  private statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  async write(batch: Batch): Promise<WriteResult> {
    const insert = this.insert;
    if (!insert) throw new Error('[sqlite] this connection is read-only');
    return this.local.transaction(() => {
      let stored = 0;
      for (const r of batch.readings) stored += insert.run(r.deviceId, r.ts, r.seq, r.receivedAt, JSON.stringify(r.values)).changes;
      const bounded = this.local.record(batch.readings, batch.statuses, batch.deadLetters, batch.pending);
      return { stored, duplicates: batch.readings.length - stored, ...boundedPart(bounded) };
    });
  }

  protected async rawSeries(q: SeriesQuery): Promise<SeriesPoint[]> {
    // paths are bound as parameters, never spliced into the SQL; several paths -> their maximum
    const params: Record<string, unknown> = { step: q.stepMs, device: q.deviceId, from: q.from, to: q.to };
    const extracts = q.paths.map((p, i) => {
      params[`p${i}`] = p;
      return `json_extract(v, @p${i})`;
    });
    const x = extracts.length === 1 ? extracts[0] : `max(${extracts.join(', ')})`;
    // one row per bucket; buckets are aligned to multiples of the step (CAST: JS numbers bind as REAL)
    return this.db
      .prepare(
        `SELECT (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS t, avg(x) AS avg, min(x) AS min, max(x) AS max, count(x) AS n
         FROM (SELECT ts, ${x} AS x FROM readings WHERE device_id = @device AND ts >= @from AND ts < @to)
         WHERE x IS NOT NULL GROUP BY t ORDER BY t`,
      )
      .all(params) as SeriesPoint[];
  }

  async pruneRaw(before: number): Promise<number> {
    // never delete raw rows of an hour still waiting for its rollup
    const queued = (this.db.prepare('SELECT min(hour) AS h FROM rollup_queue').get() as { h: number | null }).h;
    const cutoff = queued === null ? before : Math.min(before, queued);
    const devices = this.db.prepare('SELECT device_id AS id FROM device_last').all() as { id: string }[];
    const del = this.db.prepare('DELETE FROM readings WHERE device_id = ? AND ts < ?');
    let deleted = 0;
    // a device at a time (the primary key finds the rows), so the write lock is never held for long
    for (const { id } of devices) {
      deleted += del.run(id, cutoff).changes;
      await new Promise((r) => setImmediate(r));
    }
    return deleted;
  }

  async aggregateRaw(deviceId: string, kind: DeviceKind, from: number, to: number): Promise<RollupRow[]> {
    const rows = this.statement('SELECT ts, v FROM readings WHERE device_id = ? AND ts >= ? AND ts < ? ORDER BY ts').all(deviceId, from, to) as {
      ts: number;
      v: string;
    }[];
    return aggregateReadings(
      kind,
      rows.map((r) => ({ ts: r.ts, values: JSON.parse(r.v) })),
    );
  }

  async readRollups(period: Period, deviceId: string, from: number, to: number, fields?: string[]): Promise<RollupRow[]> {
    const only = fields?.length ? `AND field IN (${fields.map(() => '?').join(', ')})` : '';
    return this.statement(
      `SELECT bucket, field, n, sum, min, max, first, last FROM rollups WHERE period = ? AND device_id = ? AND bucket >= ? AND bucket < ? ${only} ORDER BY bucket`,
    ).all(period, deviceId, from, to, ...(fields ?? [])) as RollupRow[];
  }

  async replaceRollups(period: Period, writes: RollupWrite[]): Promise<void> {
    if (!writes.length) return;
    const del = this.statement('DELETE FROM rollups WHERE period = ? AND device_id = ? AND bucket = ?');
    const ins = this.statement('INSERT INTO rollups (period, device_id, field, bucket, n, sum, min, max, first, last) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.local.transaction(() => {
      for (const { deviceId, buckets, rows } of writes) {
        for (const b of buckets) del.run(period, deviceId, b);
        for (const r of rows) ins.run(period, deviceId, r.field, r.bucket, r.n, r.sum, r.min, r.max, r.first, r.last);
      }
    });
  }

  /** Row counts, for tests and the health page. */
  count(table: Parameters<LocalState['count']>[0]): number {
    return this.local.count(table);
  }
}
