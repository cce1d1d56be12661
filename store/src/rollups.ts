/**
 * Rollups, the same way on every backend: the hours a write touched are queued (in the local
 * SQLite file, in the write's own transaction), and `rollUp` recomputes each queued hour from the
 * raw readings, then its local day from the hours. Recomputing instead of adding makes rollups
 * exact whatever arrives twice (QoS 1 redelivery, spool replay) or late (devices that buffered).
 *
 * A backend supplies the raw aggregation and the rollup rows' storage; the queue, the day
 * arithmetic, and the answers for series and daily use from rollups live here once.
 */
import {
  flattenValues,
  pathField,
  REGISTER_LOOKBACK_DAYS,
  registerUse,
  rollupFields,
  rollupNumber,
  type DeviceKind,
  type TelemetryValues,
} from '@campus/contract';
import type { DailyUse, DailyUseQuery, RollupPeriod, RollupResult, RollupRow, SeriesPoint, SeriesQuery, StoreContext } from './records.ts';

export type { RollupRow };
export type Period = RollupPeriod;

export const HOUR_MS = 3_600_000;

/** A device-hour waiting to be rolled up; `gen` is the generation of the write that queued it last. */
export interface QueuedHour {
  deviceId: string;
  hour: number;
  gen: number;
}

/** The rollup work queue, as `rollUp` uses it (LocalState keeps it, in the local SQLite file). */
export interface RollupQueue {
  /** the oldest queued device-hours, oldest first per device (only hours starting before `before`) */
  takeDirty(limit: number, before?: number): QueuedHour[];
  /** dequeues hours rolled up, unless a write touched them again meanwhile */
  doneDirty(done: readonly QueuedHour[]): void;
  dirtyCount(): number;
  /** the kind of a device stored before (for one no longer in any campus file) */
  kindOf(deviceId: string): DeviceKind | undefined;
}

export interface RollupBackend {
  /** hourly aggregates of raw readings of one device in [from, to), one row per (hour, field) that has readings */
  aggregateRaw(deviceId: string, kind: DeviceKind, from: number, to: number): Promise<RollupRow[]>;
  /** stored rollup rows of one device, buckets in [from, to); `fields` limits the fields when given */
  readRollups(period: Period, deviceId: string, from: number, to: number, fields?: string[]): Promise<RollupRow[]>;
  /**
   * the same for several devices at once, where one request is cheaper than one per device (InfluxDB);
   * `registerOnly` reads just what a register's use needs (n, first, last, min, max; the sum is NaN)
   */
  readRollupsOfDevices?(
    period: Period,
    deviceIds: readonly string[],
    from: number,
    to: number,
    fields?: string[],
    registerOnly?: boolean,
  ): Promise<Map<string, RollupRow[]>>;
  /** replaces the rows of these devices' buckets (buckets with no row in `rows` end up empty), in one transaction or request where the backend can */
  replaceRollups(period: Period, writes: RollupWrite[]): Promise<void>;
}

/** The new rows of some buckets of one device. */
export interface RollupWrite {
  deviceId: string;
  buckets: number[];
  rows: RollupRow[];
}

/**
 * Devices whose rollups are written together: one transaction (SQLite, one fsync) or one request
 * (InfluxDB) per chunk instead of two per device, which made a pass over 1,000 devices cost 2,000
 * fsyncs on the thread that also acknowledges MQTT.
 */
const WRITE_CHUNK = 200;

export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Items grouped by a key, in their order (one array per key, appended to, never copied). */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Aggregates raw readings (in time order) into hourly rows: the SQLite side of `aggregateRaw`. */
export function aggregateReadings(kind: DeviceKind, rows: Iterable<{ ts: number; values: TelemetryValues }>): RollupRow[] {
  const fields = rollupFields(kind);
  const out = new Map<string, RollupRow>();
  for (const r of rows) {
    const flat = flattenValues(kind, r.values);
    const bucket = hourOf(r.ts);
    for (const field of fields) {
      const x = rollupNumber(flat[field]);
      if (x === undefined) continue;
      const key = `${bucket}|${field}`;
      const agg = out.get(key);
      if (!agg) out.set(key, { bucket, field, n: 1, sum: x, min: x, max: x, first: x, last: x });
      else {
        agg.n++;
        agg.sum += x;
        if (x < agg.min) agg.min = x;
        if (x > agg.max) agg.max = x;
        agg.last = x;
      }
    }
  }
  return [...out.values()];
}

/** Combines rows of one field (in bucket order) into one row for `bucket`. */
export function combine(bucket: number, field: string, rows: RollupRow[]): RollupRow {
  const sorted = [...rows].sort((a, b) => a.bucket - b.bucket);
  return {
    bucket,
    field,
    n: sorted.reduce((s, r) => s + r.n, 0),
    sum: sorted.reduce((s, r) => s + r.sum, 0),
    min: Math.min(...sorted.map((r) => r.min)),
    max: Math.max(...sorted.map((r) => r.max)),
    first: sorted[0]!.first,
    last: sorted.at(-1)!.last,
  };
}

/** Contiguous runs of hours, as [from, to) ranges. */
function hourRanges(hours: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last[1] === h) last[1] = h + HOUR_MS;
    else if (!last || last[1] < h) out.push([h, h + HOUR_MS]);
  }
  return out;
}

/** The start of the local day after the one starting at `dayStart` (23 or 25 hours on a DST change). */
const nextDay = (ctx: StoreContext, deviceId: string, dayStart: number): number => ctx.dayStart(deviceId, dayStart + 25 * HOUR_MS);

export interface RollUpOptions {
  /** also the hour still running (default true; ingest refreshes it every few minutes) */
  openHours?: boolean;
  now?: number;
}

/** One pass over the queue: recompute up to `maxHours` queued device-hours, then their days. */
export async function rollUp(
  local: RollupQueue,
  backend: RollupBackend,
  ctx: StoreContext,
  maxHours = 5000,
  options: RollUpOptions = {},
): Promise<RollupResult> {
  // the hour still running is recomputed only when asked: every write touches it, and recomputing
  // it every few seconds would reread the whole hour each time
  const queued = local.takeDirty(maxHours, options.openHours === false ? hourOf(options.now ?? Date.now()) : undefined);
  let days = 0;
  const devices = [...groupBy(queued, (q) => q.deviceId)];
  for (let i = 0; i < devices.length; i += WRITE_CHUNK) {
    const hourWrites: RollupWrite[] = [];
    const dayStarts = new Map<string, number[]>();
    for (const [deviceId, entries] of devices.slice(i, i + WRITE_CHUNK)) {
      const hours = entries.map((q) => q.hour);
      // let MQTT acknowledgements and HTTP requests through between devices (SQLite work is synchronous)
      await new Promise((r) => setImmediate(r));
      const kind = ctx.device(deviceId)?.kind ?? local.kindOf(deviceId);
      if (!kind) continue; // a device no longer in any campus file and never stored: nothing to roll up
      for (const [from, to] of hourRanges(hours)) {
        const rows = await backend.aggregateRaw(deviceId, kind, from, to);
        const buckets: number[] = [];
        for (let h = from; h < to; h += HOUR_MS) buckets.push(h);
        hourWrites.push({ deviceId, buckets, rows });
      }
      dayStarts.set(deviceId, [...new Set(hours.map((h) => ctx.dayStart(deviceId, h)))]);
    }
    await backend.replaceRollups('1h', hourWrites);
    // days from the hours just written (and the day's other hours already stored)
    const dayWrites: RollupWrite[] = [];
    for (const [deviceId, starts] of dayStarts) {
      await new Promise((r) => setImmediate(r));
      for (const day of starts) {
        const hourRows = await backend.readRollups('1h', deviceId, day, nextDay(ctx, deviceId, day));
        const rows = [...groupBy(hourRows, (r) => r.field)].map(([field, rs]) => combine(day, field, rs));
        dayWrites.push({ deviceId, buckets: [day], rows });
        days++;
      }
    }
    await backend.replaceRollups('1d', dayWrites);
  }
  local.doneDirty(queued);
  return { hours: queued.length, days, pending: local.dirtyCount() };
}

/** A series from hourly rollups: steps are whole hours, buckets aligned like the raw query's. */
export async function seriesFromRollups(backend: RollupBackend, q: SeriesQuery): Promise<SeriesPoint[]> {
  const fields = q.paths.map(pathField);
  const rows = await backend.readRollups('1h', q.deviceId, hourOf(q.from), q.to, fields);
  // per step bucket and field, then the largest of the fields (several paths = worst phase)
  const perStep = groupBy(
    rows.filter((r) => r.bucket + HOUR_MS > q.from),
    (r) => Math.floor(r.bucket / q.stepMs) * q.stepMs,
  );
  const out: SeriesPoint[] = [];
  for (const [t, stepRows] of [...perStep].sort((a, b) => a[0] - b[0])) {
    const each = [...groupBy(stepRows, (r) => r.field)].map(([field, rs]) => combine(t, field, rs));
    out.push({
      t,
      avg: Math.max(...each.map((c) => c.sum / c.n)),
      min: Math.max(...each.map((c) => c.min)),
      max: Math.max(...each.map((c) => c.max)),
      n: Math.max(...each.map((c) => c.n)),
    });
  }
  return out;
}

/**
 * Use per device and local day of a cumulative register, from daily rollups, by the contract's one
 * rule for a register over any span (registerUse: rollover at the device's digits, a meter
 * replaced mid-day, jitter, a jump beyond the device's register limits counted as no use), the
 * one the report's energy tables follow: a day's use runs from the last reading before it, read
 * REGISTER_LOOKBACK_DAYS back. Days with readings are listed; a silent day only when it holds a
 * share of the catch-up after its silence (`readings: 0, estimated`).
 */
export async function dailyUseFromRollups(backend: RollupBackend, ctx: StoreContext, q: DailyUseQuery): Promise<DailyUse[]> {
  if (!q.deviceIds.length) return [];
  const field = pathField(q.path);
  const read = (deviceId: string) => ctx.dayStart(deviceId, q.from - REGISTER_LOOKBACK_DAYS * 24 * HOUR_MS);
  const lookback = Math.min(...q.deviceIds.map(read));
  // one request for all devices where the backend can (InfluxDB: a round trip per device cost 82 ms for
  // 24 classes, bench scenario 3); otherwise one query per device, in parallel
  const many = await backend.readRollupsOfDevices?.('1d', q.deviceIds, lookback, q.to, [field], true);
  const perDevice = many
    ? q.deviceIds.map((id) => many.get(id) ?? [])
    : await Promise.all(q.deviceIds.map((deviceId) => backend.readRollups('1d', deviceId, lookback, q.to, [field])));
  return perDevice.flatMap((rows, i) => {
    const deviceId = q.deviceIds[i]!;
    const days: number[] = [];
    for (let d = ctx.dayStart(deviceId, q.from); d < q.to; d = nextDay(ctx, deviceId, d)) if (d >= q.from) days.push(d);
    const readings = new Map(rows.map((r) => [r.bucket, r.n]));
    const device = ctx.device(deviceId);
    // a jump beyond the register's limits is no use (a register fault, as detection calls it)
    const use = registerUse(rows, days, device?.registerMax, { bucketMs: 24 * HOUR_MS, limits: device?.registerLimits });
    return use.buckets
      .filter((b) => !b.missing || b.estimated)
      .map((b) => ({
        deviceId,
        date: ctx.localDate(deviceId, b.bucket),
        use: b.use,
        readings: readings.get(b.bucket) ?? 0,
        ...(b.estimated ? { estimated: true as const } : {}),
      }));
  });
}
