/**
 * InfluxDB 1.x backend of the reading store (CAMPUS_STORE=influx), for real deployments that
 * also look at their data in Grafana. The schema (README "InfluxDB schema"):
 *
 *   database CAMPUS_INFLUX_DB, retention policies "raw" (default, CAMPUS_RAW_RETENTION_DAYS) and
 *   "rollup" (kept for ever)
 *   raw:    measurement = device kind (electric_meter, water_meter, transformer, fridge)
 *           tags site, device, building, class (classroom meters only): all bounded by the ledger
 *           fields = flat values (totalKWh, currentA_a, ...; booleans as 0/1), seq (integer)
 *           time = the device's timestamp, so a redelivered reading overwrites itself
 *   rollup: measurements <kind>_1h and <kind>_1d (local days), same tags,
 *           fields <field>_n, _sum, _min, _max, _first, _last
 *
 * A 400 for some points of a batch (InfluxDB stores the others) is narrowed down by halving the
 * batch until the refused points are found; those go to the dead-letter table with InfluxDB's
 * reason. Network errors and 5xx throw `InfluxUnavailable`, which the spool handles.
 */
import { flattenValues, pathField, rollupFields, telemetryTopic, type DeviceKind, type Reading } from '@campus/contract';
import { RollupStore } from '../rollup-store.ts';
import { boundedPart, type LocalBounds } from '../bounds.ts';
import { groupBy, type Period, type RollupRow, type RollUpOptions, type RollupWrite } from '../rollups.ts';
import { escapeKey, fieldValue, InfluxHttp, InfluxRejected, InfluxUnavailable, quoteIdent, quoteString, type InfluxSeries } from './http.ts';
import type { Batch, DeadLetter, RollupResult, SeriesPoint, SeriesQuery, StoreContext, WriteResult } from '../records.ts';

export interface InfluxStoreOptions {
  url: string;
  db: string;
  /** the local SQLite file for the operational state */
  localFile: string;
  context: StoreContext;
  /** how long raw readings are kept (the "raw" retention policy) */
  rawRetentionDays?: number;
  readonly?: boolean;
  timeoutMs?: number;
  /** the dead-letter and pending-device bounds of the local file */
  bounds?: LocalBounds;
}

export const RAW_RP = 'raw';
export const ROLLUP_RP = 'rollup';
const STATS = ['n', 'sum', 'min', 'max', 'first', 'last'] as const;
/** what a register's use over a bucket needs (registerUse: its first, last, lowest and highest reading, and the count) */
const REGISTER_STATS = ['n', 'first', 'last', 'min', 'max'] as const;
/** 400 messages that are about points (the rest of the batch was stored); other 4xx are about the setup */
const POINT_REFUSED =
  /partial write|unable to parse|field type conflict|beyond retention policy|invalid (field|tag|number|boolean)|max-values-per-tag|bad timestamp/i;

export class InfluxReadingStore extends RollupStore {
  readonly name = 'influx';
  readonly http: InfluxHttp;
  private schemaReady = false;
  private readonly recent = new RecentKeys(4096);

  constructor(private readonly opts: InfluxStoreOptions) {
    super(opts.localFile, opts.context, opts.readonly ?? false, opts.bounds);
    this.http = new InfluxHttp(opts.url, opts.db, opts.timeoutMs);
  }

  /** Creates the database and its retention policies (idempotent); runs before the first write. */
  async ensureSchema(): Promise<void> {
    if (this.schemaReady || this.opts.readonly) return;
    const db = quoteIdent(this.opts.db);
    const days = this.opts.rawRetentionDays ?? 90;
    await this.http.query(`CREATE DATABASE ${db}`, { write: true });
    const [rps] = await this.http.query(`SHOW RETENTION POLICIES ON ${db}`);
    const names = new Set((rps?.[0]?.values ?? []).map((v) => v[0]));
    await this.http.query(
      names.has(RAW_RP)
        ? `ALTER RETENTION POLICY ${RAW_RP} ON ${db} DURATION ${days}d DEFAULT`
        : `CREATE RETENTION POLICY ${RAW_RP} ON ${db} DURATION ${days}d REPLICATION 1 DEFAULT`,
      { write: true },
    );
    if (!names.has(ROLLUP_RP)) await this.http.query(`CREATE RETENTION POLICY ${ROLLUP_RP} ON ${db} DURATION INF REPLICATION 1`, { write: true });
    this.schemaReady = true;
  }

  async write(batch: Batch): Promise<WriteResult> {
    if (this.local.readonly) throw new Error('[influx] this connection is read-only');
    if (batch.readings.length) {
      await this.ensureSchema();
    }
    const lines = batch.readings.map((r) => this.line(r));
    const refused = await this.writeNarrowing(lines, [...lines.keys()]);
    const stored: Reading[] = [];
    const deadLetters: DeadLetter[] = [...batch.deadLetters];
    let duplicates = 0;
    batch.readings.forEach((r, i) => {
      const reason = refused.get(i);
      if (reason === undefined) {
        stored.push(r);
        if (!this.recent.add(r.deviceId, r.ts)) duplicates++;
      } else {
        deadLetters.push({
          receivedAt: r.receivedAt,
          topic: telemetryTopic(r.siteId, r.deviceId),
          reason: `InfluxDB refused the reading: ${reason}`,
          payload: Buffer.from(JSON.stringify({ ts: r.ts, seq: r.seq, ...r.values })),
        });
      }
    });
    const bounded = this.local.transaction(() => this.local.record(stored, batch.statuses, deadLetters, batch.pending));
    return { stored: stored.length - duplicates, duplicates, ...boundedPart(bounded) };
  }

  /** Writes lines; on a 400 about points, halves until the refused lines are known (the others are stored, idempotently). */
  private async writeNarrowing(lines: string[], index: number[]): Promise<Map<number, string>> {
    if (!index.length) return new Map();
    try {
      await this.http.write(
        index.map((i) => lines[i]!),
        RAW_RP,
      );
      return new Map();
    } catch (err) {
      if (!(err instanceof InfluxRejected)) throw err;
      if (/database not found|retention policy not found/i.test(err.message)) {
        this.schemaReady = false; // dropped behind our back: create it again on the retry
        throw new InfluxUnavailable(`InfluxDB: ${err.message}`, { cause: err });
      }
      if (err.status !== 413 && !(err.status === 400 && POINT_REFUSED.test(err.message))) {
        // 401, 403, 404...: a setup problem, not a bad point; keep everything and retry
        throw new InfluxUnavailable(`InfluxDB refused the write (${err.status}): ${err.message}`, { cause: err });
      }
      // "partial write: ... dropped=N": when every point was dropped there is nothing to narrow down
      const dropped = Number(/dropped=(\d+)/.exec(err.message)?.[1] ?? NaN);
      if (index.length === 1 || dropped >= index.length) return new Map(index.map((i) => [i, err.message]));
      const half = Math.ceil(index.length / 2);
      const a = await this.writeNarrowing(lines, index.slice(0, half));
      const b = await this.writeNarrowing(lines, index.slice(half));
      return new Map([...a, ...b]);
    }
  }

  private tags(deviceId: string, siteId?: string): string {
    const d = this.opts.context.device(deviceId);
    const tags: [string, string][] = [
      ['building', d?.building ?? ''],
      ['class', d?.classId ?? ''],
      ['device', deviceId],
      ['site', d?.siteId ?? siteId ?? ''],
    ];
    // sorted by key (InfluxDB's preference); empty tags are left out
    return tags
      .filter(([, v]) => v)
      .map(([k, v]) => `,${k}=${escapeKey(v)}`)
      .join('');
  }

  private line(r: Reading): string {
    const fields = Object.entries(flattenValues(r.kind, r.values)).map(([k, v]) => `${escapeKey(k)}=${fieldValue(typeof v === 'boolean' ? Number(v) : v)}`);
    fields.push(`seq=${fieldValue(r.seq, true)}`);
    return `${escapeKey(r.kind)}${this.tags(r.deviceId, r.siteId)} ${fields.join(',')} ${r.ts}`;
  }

  protected async rawSeries(q: SeriesQuery): Promise<SeriesPoint[]> {
    const kind = this.kindOf(q.deviceId);
    if (!kind) return [];
    const fields = q.paths.map(pathField);
    const select = fields.flatMap((f, i) => [
      `mean(${quoteIdent(f)}) AS a${i}`,
      `min(${quoteIdent(f)}) AS l${i}`,
      `max(${quoteIdent(f)}) AS h${i}`,
      `count(${quoteIdent(f)}) AS n${i}`,
    ]);
    const [series] = await this.http.query(
      `SELECT ${select.join(', ')} FROM ${RAW_RP}.${quoteIdent(kind)} WHERE device = ${quoteString(q.deviceId)} AND time >= ${Math.floor(q.from)}ms AND time < ${Math.ceil(q.to)}ms GROUP BY time(${Math.max(1, Math.round(q.stepMs))}ms) fill(none)`,
    );
    const out: SeriesPoint[] = [];
    for (const row of rowsOf(series?.[0])) {
      // several fields (the phases): the largest of each statistic
      const present = fields.map((_, i) => i).filter((i) => Number(row[`n${i}`] ?? 0) > 0);
      if (!present.length) continue;
      out.push({
        t: row.time as number,
        avg: Math.max(...present.map((i) => row[`a${i}`] as number)),
        min: Math.max(...present.map((i) => row[`l${i}`] as number)),
        max: Math.max(...present.map((i) => row[`h${i}`] as number)),
        n: Math.max(...present.map((i) => row[`n${i}`] as number)),
      });
    }
    return out;
  }

  override async rollUp(maxHours?: number, options?: RollUpOptions): Promise<RollupResult> {
    await this.ensureSchema();
    return super.rollUp(maxHours, options);
  }

  /** InfluxDB expires raw points itself (the "raw" retention policy). */
  async pruneRaw(): Promise<number> {
    return -1;
  }

  async aggregateRaw(deviceId: string, kind: DeviceKind, from: number, to: number): Promise<RollupRow[]> {
    const fields = rollupFields(kind);
    const fn = { n: 'count', sum: 'sum', min: 'min', max: 'max', first: 'first', last: 'last' } as const;
    const select = fields.flatMap((f) => STATS.map((s) => `${fn[s]}(${quoteIdent(f)}) AS ${quoteIdent(`${f}_${s}`)}`));
    const [series] = await this.http.query(
      `SELECT ${select.join(', ')} FROM ${RAW_RP}.${quoteIdent(kind)} WHERE device = ${quoteString(deviceId)} AND time >= ${from}ms AND time < ${to}ms GROUP BY time(1h) fill(none)`,
    );
    return toRollupRows(rowsOf(series?.[0]), fields);
  }

  async readRollups(period: Period, deviceId: string, from: number, to: number, only?: string[]): Promise<RollupRow[]> {
    const kind = this.kindOf(deviceId);
    if (!kind) return [];
    const fields = only?.length ? only : rollupFields(kind);
    const select = rollupColumns(fields, STATS);
    const [series] = await this.http.query(
      `SELECT ${select.join(', ')} FROM ${ROLLUP_RP}.${quoteIdent(`${kind}_${period}`)} WHERE device = ${quoteString(deviceId)} AND time >= ${from}ms AND time < ${to}ms`,
    );
    return toRollupRows(rowsOf(series?.[0]), fields);
  }

  /** One query per device kind (usually one), the devices OR-ed and grouped by the device tag. */
  async readRollupsOfDevices(
    period: Period,
    deviceIds: readonly string[],
    from: number,
    to: number,
    only?: string[],
    registerOnly = false,
  ): Promise<Map<string, RollupRow[]>> {
    const out = new Map<string, RollupRow[]>();
    const byKind = new Map<DeviceKind, string[]>();
    for (const id of deviceIds) {
      const kind = this.kindOf(id);
      if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
    }
    await Promise.all(
      [...byKind].map(async ([kind, ids]) => {
        const fields = only?.length ? only : rollupFields(kind);
        const select = rollupColumns(fields, registerOnly ? REGISTER_STATS : STATS);
        // a few hundred devices per statement keeps the URL well under InfluxDB's limits
        for (let i = 0; i < ids.length; i += 200) {
          const chunk = ids.slice(i, i + 200);
          const where = chunk.map((id) => `device = ${quoteString(id)}`).join(' OR ');
          const [series] = await this.http.query(
            `SELECT ${select.join(', ')} FROM ${ROLLUP_RP}.${quoteIdent(`${kind}_${period}`)} WHERE (${where}) AND time >= ${from}ms AND time < ${to}ms GROUP BY device`,
          );
          for (const s of series ?? []) {
            const id = s.tags?.device;
            if (id) out.set(id, toRollupRows(rowsOf(s), fields));
          }
        }
      }),
    );
    return out;
  }

  async replaceRollups(period: Period, writes: RollupWrite[]): Promise<void> {
    const lines: string[] = [];
    const emptied: { measurement: string; deviceId: string; bucket: number }[] = [];
    for (const { deviceId, buckets, rows } of writes) {
      const kind = this.kindOf(deviceId);
      if (!kind) continue;
      const measurement = `${kind}_${period}`;
      const byBucket = groupBy(rows, (r) => r.bucket);
      const tags = this.tags(deviceId);
      for (const [bucket, rs] of byBucket) {
        const fields = rs.flatMap((r) => STATS.map((s) => `${escapeKey(`${r.field}_${s}`)}=${fieldValue(r[s], s === 'n')}`));
        lines.push(`${escapeKey(measurement)}${tags} ${fields.join(',')} ${bucket}`);
      }
      for (const bucket of buckets) if (!byBucket.has(bucket)) emptied.push({ measurement, deviceId, bucket });
    }
    // one request for the chunk (InfluxDB takes thousands of lines a write)
    if (lines.length) await this.http.write(lines, ROLLUP_RP);
    // a bucket that lost all its readings (never, short of someone deleting raw points) is emptied
    for (const e of emptied) {
      await this.http.query(`DELETE FROM ${quoteIdent(e.measurement)} WHERE device = ${quoteString(e.deviceId)} AND time = ${e.bucket}ms`, { write: true });
    }
  }
}

/** A series' rows as objects keyed by column. */
/** the stored rollup columns of these fields and aggregates, quoted */
const rollupColumns = (fields: string[], stats: readonly string[]): string[] => fields.flatMap((f) => stats.map((s) => quoteIdent(`${f}_${s}`)));

function rowsOf(series: InfluxSeries | undefined): Record<string, unknown>[] {
  if (!series) return [];
  return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
}

function toRollupRows(rows: Record<string, unknown>[], fields: string[]): RollupRow[] {
  const out: RollupRow[] = [];
  for (const row of rows) {
    for (const field of fields) {
      const n = row[`${field}_n`];
      if (typeof n !== 'number' || n === 0) continue;
      const get = (s: string) => Number(row[`${field}_${s}`]);
      out.push({ bucket: row.time as number, field, n, sum: get('sum'), min: get('min'), max: get('max'), first: get('first'), last: get('last') });
    }
  }
  return out;
}

/**
 * Readings this process stored lately, per device: how a redelivered reading is counted as a
 * duplicate. InfluxDB overwrites it either way (same series and time), so the count is only a
 * figure for /metrics, exact within the last `perDevice` readings of each device.
 */
class RecentKeys {
  private readonly byDevice = new Map<string, Set<number>>();
  constructor(private readonly perDevice: number) {}

  /** false when already seen */
  add(deviceId: string, ts: number): boolean {
    let set = this.byDevice.get(deviceId);
    if (!set) this.byDevice.set(deviceId, (set = new Set()));
    if (set.has(ts)) return false;
    set.add(ts);
    if (set.size > this.perDevice) set.delete(set.values().next().value!);
    return true;
  }
}
