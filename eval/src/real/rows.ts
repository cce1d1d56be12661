/** The per-set, per-shape rows of the real-data evaluation, and how they print. */
import type { Ticket } from '@campus/contract';
import type { Campus } from '@campus/site';
import { fmtDuration, localClock, pad } from '../shape-row.ts';

export interface RealRow {
  set: string;
  shape: string;
  /** labelled cases of this shape (for the false-ticket row: the device-days) */
  cases: number;
  caught: number;
  /** median time-to-ticket of the caught cases, ms (NaN when none or not meaningful) */
  medianMs: number;
  goal: string;
  met: boolean;
  notes: string[];
}

/** False tickets per 100 device-days against the goal (<= 1), listing each false ticket. */
export function falseTicketRow(set: string, falses: Ticket[], devices: number, days: number, campus: Campus): RealRow {
  const deviceDays = devices * days;
  const per100 = (falses.length / deviceDays) * 100;
  const at = (iso: string) => localClock(campus, Date.parse(iso));
  return {
    set,
    shape: `false tickets (${deviceDays.toFixed(0)} device-days)`,
    cases: falses.length,
    caught: falses.length,
    medianMs: Number.NaN,
    goal: '<= 1 per 100 device-days',
    met: per100 <= 1,
    notes: [`${per100.toFixed(2)} per 100 device-days`, ...falses.map((t) => `${at(t.openedAt)} ${t.deviceId} ${t.condition} [${t.severity}] ${t.summary}`)],
  };
}

/** The rows as the evaluation's table: set, shape, cases, caught, median time-to-ticket, goal, met, then the notes. */
export function formatRealRows(rows: readonly RealRow[]): string[] {
  const out = [`${pad('set', 24)}${pad('shape', 52)}${pad('cases', 7)}${pad('caught', 8)}${pad('median', 10)}${pad('goal', 44)}met`];
  for (const r of rows) {
    out.push(
      `${pad(r.set, 24)}${pad(r.shape, 52)}${pad(String(r.cases), 7)}${pad(String(r.caught), 8)}${pad(fmtDuration(r.medianMs), 10)}${pad(r.goal, 44)}${r.met ? 'yes' : 'NO'}`,
    );
    for (const n of r.notes) out.push(`    ${n}`);
  }
  return out;
}
