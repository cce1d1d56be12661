/**
 * What the report's figures should be, worked out here straight from the stored rollups (SQL on
 * campus.db, InfluxQL on influxd), never with the report's code: a register's use over a period
 * is its last reading in the period minus the last reading before it (or its first reading in the
 * period when there is none before).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '@campus/runtime';
import { parseCsv } from '@campus/testkit';

export interface Row {
  bucket: number;
  first: number;
  last: number;
  max: number;
}

export type RowSource = (period: '1h' | '1d', deviceId: string, kind: string, field: string, from: number, to: number) => Promise<Row[]>;

export const sqliteRows =
  (db: Db): RowSource =>
  async (period, deviceId, _kind, field, from, to) =>
    db
      .prepare('SELECT bucket, first, last, max FROM rollups WHERE period = ? AND device_id = ? AND field = ? AND bucket >= ? AND bucket < ? ORDER BY bucket')
      .all(period, deviceId, field, from, to) as Row[];

export const influxRows =
  (url: string, database: string): RowSource =>
  async (period, deviceId, kind, field, from, to) => {
    const q = `SELECT "${field}_first", "${field}_last", "${field}_max" FROM "rollup"."${kind}_${period}" WHERE "device" = '${deviceId}' AND time >= ${from}ms AND time < ${to}ms`;
    const res = await fetch(`${url}/query?db=${database}&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: { error?: string; series?: { values: number[][] }[] }[] };
    if (!res.ok || body.results[0]?.error) throw new Error(`InfluxDB ${res.status}: ${body.results[0]?.error ?? JSON.stringify(body)} (${q})`);
    return (body.results[0]?.series?.[0]?.values ?? []).map(([t, first, last, max]) => ({ bucket: t!, first: first!, last: last!, max: max! }));
  };

/** Use of a register over [from, to) from rows that start a week earlier. */
export function periodUse(rows: Row[], from: number, to: number): number | null {
  const inside = rows.filter((r) => r.bucket >= from && r.bucket < to);
  if (!inside.length) return null;
  const before = rows.filter((r) => r.bucket < from).at(-1);
  return inside.at(-1)!.last - (before ? before.last : inside[0]!.first);
}

/** Per hour of [from, to): the register's use in that hour (from the last reading of the hour before). */
export function hourlyUses(rows: Row[], from: number, to: number): { hour: number; use: number }[] {
  const out: { hour: number; use: number }[] = [];
  let prev = rows.filter((r) => r.bucket < from).at(-1)?.last;
  for (const r of rows.filter((x) => x.bucket >= from && x.bucket < to)) {
    out.push({ hour: r.bucket, use: r.last - (prev ?? r.first) });
    prev = r.last;
  }
  return out;
}

export const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A CSV file the report wrote: checks the BOM, splits RFC 4180 fields (testkit's parser). */
export function readCsv(dir: string, name: string): { header: string[]; rows: string[][]; raw: string } {
  const raw = readFileSync(join(dir, `${name}.csv`), 'utf8');
  if (!raw.startsWith('\uFEFF')) throw new Error(`${name}.csv has no byte-order mark`);
  const [header = [], ...rows] = parseCsv(raw);
  return { header, rows, raw };
}

/** The number in a CSV cell (empty: null). */
export const cellNumber = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));
