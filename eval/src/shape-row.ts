/**
 * One row of the evaluation per shape of the real world: how many cases, how many caught, the
 * median and worst time-to-ticket, the goal, whether it was met, and the false tickets per 100
 * device-days of the replay the shape ran in. Simulated shapes (shapes.ts) and replays of public
 * data sets print through the same table.
 */
import type { Campus } from '@campus/site';
import { median } from './score.ts';

export interface ShapeRow {
  /** what the row is about, e.g. "incipient leak 0→30 L/h over 2/4/6 weeks" */
  shape: string;
  /** where the readings came from: "simulated", or the data set's name */
  source: string;
  faults: number;
  caught: number;
  /** time-to-ticket of each caught case, ms (negative: ticketed before the clock started) */
  times: number[];
  goal: string;
  met: boolean;
  falseTickets: number;
  deviceDays: number;
  /** one line per case: what happened */
  notes: string[];
  /** wall time of the replay(s) behind the row, s */
  seconds: number;
}

export const fmtDuration = (ms: number): string => {
  if (Number.isNaN(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a >= 86_400_000) return `${sign}${(a / 86_400_000).toFixed(1)} d`;
  if (a >= 3600_000) return `${sign}${Math.floor(a / 3600_000)} h ${Math.round((a % 3600_000) / 60_000)} min`;
  if (a >= 60_000) return `${sign}${(a / 60_000).toFixed(1)} min`;
  return `${sign}${Math.round(a / 1000)} s`;
};

/** 'YYYY-MM-DD HH:MM' on the campus' clock */
export const localClock = (campus: Campus, ts: number): string => {
  const l = campus.calendar.local(ts);
  return `${l.date} ${String(Math.floor(l.minuteOfDay / 60)).padStart(2, '0')}:${String(l.minuteOfDay % 60).padStart(2, '0')}`;
};

export const pad = (text: string, n: number): string => text + ' '.repeat(Math.max(0, n - [...text].length));

export const falsePer100 = (r: Pick<ShapeRow, 'falseTickets' | 'deviceDays'>): number => (r.deviceDays ? (100 * r.falseTickets) / r.deviceDays : 0);

/** Prints the rows as a table with their notes; returns whether every row met its goal. */
export function printShapes(rows: readonly ShapeRow[], log: (line: string) => void = console.log): boolean {
  log(`${pad('shape', 48)}${pad('source', 11)}${pad('caught', 9)}${pad('median', 12)}${pad('worst', 12)}${pad('false/100 dd', 14)}${pad('goal', 52)}met`);
  for (const r of rows) {
    const worst = r.times.length ? Math.max(...r.times) : Number.NaN;
    log(
      `${pad(r.shape, 48)}${pad(r.source, 11)}${pad(`${r.caught}/${r.faults}`, 9)}${pad(fmtDuration(median(r.times)), 12)}${pad(fmtDuration(worst), 12)}${pad(`${falsePer100(r).toFixed(2)} (${r.falseTickets})`, 14)}${pad(r.goal, 52)}${r.met ? 'yes' : 'NO'}`,
    );
    for (const n of r.notes) log(`    ${n}`);
  }
  return rows.every((r) => r.met);
}
