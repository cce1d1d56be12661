/**
 * SQLite backend of the reading store. A batch is one transaction: readings (duplicates ignored
 * by the (device, ts) key), the last reading per device, status changes and dead letters.
 */
import type { Reading } from '@campus/contract';
import { openDb, type Db } from './sqlite-db.ts';
import type { Batch, DailyUse, DailyUseQuery, DeadLetter, DeviceLast, ReadingStore, SeriesPoint, SeriesQuery, StatusChange, WriteResult } from './store.ts';

export class SqliteReadingStore implements ReadingStore {
  readonly name = 'sqlite';
  private readonly db: Db;
  /** the write transaction; absent on a read-only connection (a standalone dashboard) */
  private readonly writeTx?: (batch: Batch) => WriteResult;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = openDb(file, options);
    if (!options.readonly) this.writeTx = prepareWrite(this.db);
  }

  async write(batch: Batch): Promise<WriteResult> {
    if (!this.writeTx) throw new Error('[sqlite] this connection is read-only');
    return this.writeTx(batch);
  }

  lastReadings(): DeviceLast[] {
    const rows = this.db.prepare('SELECT device_id, site_id, kind, ts, seq, received_at, v FROM device_last').all() as {
      device_id: string;
      site_id: string;
      kind: DeviceLast['kind'];
      ts: number;
      seq: number;
      received_at: number;
      v: string;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      siteId: r.site_id,
      kind: r.kind,
      ts: r.ts,
      seq: r.seq,
      receivedAt: r.received_at,
      values: JSON.parse(r.v),
    }));
  }

  statuses(): StatusChange[] {
    const rows = this.db.prepare('SELECT device_id, status, at FROM device_status').all() as {
      device_id: string;
      status: StatusChange['status'];
      at: number;
    }[];
    return rows.map((r) => ({ deviceId: r.device_id, status: r.status, at: r.at }));
  }

  series(q: SeriesQuery): SeriesPoint[] {
    if (q.paths.length === 0 || q.paths.length > 8) throw new Error('series needs 1 to 8 paths');
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

  dailyUse(q: DailyUseQuery): DailyUse[] {
    if (!q.deviceIds.length) return [];
    const marks = q.deviceIds.map(() => '?').join(', ');
    // raw rows for now; rollups (issue 5) will answer this for long periods
    const rows = this.db
      .prepare(
        `SELECT device_id AS deviceId, date((ts + ?) / 1000, 'unixepoch') AS date,
                max(json_extract(v, ?)) - min(json_extract(v, ?)) AS use, count(*) AS readings
         FROM readings WHERE device_id IN (${marks}) AND ts >= ? AND ts < ?
         GROUP BY device_id, date ORDER BY device_id, date`,
      )
      .all(q.tzOffsetMs, q.path, q.path, ...q.deviceIds, q.from, q.to) as DailyUse[];
    return rows.filter((r) => r.use !== null);
  }

  deadLetters(limit: number): (DeadLetter & { id: number })[] {
    const rows = this.db.prepare('SELECT id, received_at, topic, reason, payload FROM dead_letters ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number;
      received_at: number;
      topic: string;
      reason: string;
      payload: Buffer;
    }[];
    return rows.map((r) => ({ id: r.id, receivedAt: r.received_at, topic: r.topic, reason: r.reason, payload: r.payload }));
  }

  /** Counts for tests and the health page. */
  count(table: 'readings' | 'dead_letters' | 'device_last'): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepareWrite(db: Db): (batch: Batch) => WriteResult {
  const insertReading = db.prepare('INSERT OR IGNORE INTO readings (device_id, ts, seq, received_at, v) VALUES (?, ?, ?, ?, ?)');
  // lastSeen moves with every message; the "last reading" only with a newer device time
  const upsertLast = db.prepare(`
    INSERT INTO device_last (device_id, site_id, kind, ts, seq, received_at, v) VALUES (@deviceId, @siteId, @kind, @ts, @seq, @receivedAt, @v)
    ON CONFLICT (device_id) DO UPDATE SET
      received_at = max(received_at, excluded.received_at),
      seq = CASE WHEN excluded.ts >= ts THEN excluded.seq ELSE seq END,
      v   = CASE WHEN excluded.ts >= ts THEN excluded.v   ELSE v   END,
      ts  = max(ts, excluded.ts)`);
  const upsertStatus = db.prepare(`
    INSERT INTO device_status (device_id, status, at) VALUES (?, ?, ?)
    ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, at = excluded.at WHERE excluded.at >= at`);
  const insertDeadLetter = db.prepare('INSERT INTO dead_letters (received_at, topic, reason, payload) VALUES (?, ?, ?, ?)');
  const tx = db.transaction((batch: Batch): WriteResult => {
    let stored = 0;
    const latest = new Map<string, Reading>();
    for (const r of batch.readings) {
      stored += insertReading.run(r.deviceId, r.ts, r.seq, r.receivedAt, JSON.stringify(r.values)).changes;
      const prev = latest.get(r.deviceId);
      if (!prev || r.ts >= prev.ts) latest.set(r.deviceId, r);
    }
    for (const r of latest.values()) {
      upsertLast.run({ deviceId: r.deviceId, siteId: r.siteId, kind: r.kind, ts: r.ts, seq: r.seq, receivedAt: r.receivedAt, v: JSON.stringify(r.values) });
    }
    for (const s of batch.statuses) upsertStatus.run(s.deviceId, s.status, s.at);
    for (const d of batch.deadLetters) insertDeadLetter.run(d.receivedAt, d.topic, d.reason, d.payload);
    return { stored, duplicates: batch.readings.length - stored };
  });
  // IMMEDIATE: take the write lock at BEGIN, so a reader never forces a retry mid-batch
  return (batch) => tx.immediate(batch);
}
