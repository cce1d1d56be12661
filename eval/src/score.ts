/**
 * Scores a replay against the labels: per-group recall and time-to-ticket, false tickets per 100
 * device-days, and the peak number of new tickets in any 10 minutes (EEMUA 191: > 10 is a flood).
 */
import type { Ticket } from '@campus/contract';
import type { LabelledFault } from './scenario.ts';

export interface GroupScore {
  group: string;
  goal: string;
  faults: number;
  caught: number;
  /** time-to-ticket of each caught fault, ms */
  times: number[];
  hits: { label: string; ms: number }[];
  missed: string[];
}

export interface Score {
  groups: GroupScore[];
  falseTickets: Ticket[];
  deviceDays: number;
  falsePer100DeviceDays: number;
  peakNewIn10Min: number;
}

const DAY = 86_400_000;
const opened = (t: Ticket) => Date.parse(t.openedAt);

export function score(tickets: Ticket[], labelled: LabelledFault[], clocks: Map<string, number>, devices: number, days: number): Score {
  const groups = new Map<string, GroupScore>();
  const explained = new Set<number>();
  for (const l of labelled) {
    const windowEnd = (l.fault.to ?? l.fault.from) + DAY;
    for (const t of tickets) {
      const inWindow = opened(t) >= l.fault.from && opened(t) <= windowEnd;
      if (!inWindow) continue;
      const related = l.allow.some(
        (a) => a.subject === t.deviceId && (typeof a.condition === 'string' ? a.condition === t.condition : a.condition.test(t.condition)),
      );
      const expected = l.expect && l.expect.subject === t.deviceId && l.expect.condition === t.condition;
      if (related || expected) explained.add(t.id);
    }
    const e = l.expect;
    if (!e) continue;
    const g = groups.get(e.group) ?? { group: e.group, goal: e.goal, faults: 0, caught: 0, times: [], hits: [], missed: [] };
    groups.set(e.group, g);
    g.faults++;
    // a clock given for the fault (when a fridge left its range, when a growing leak reached its size) wins
    const start = clocks.get(l.fault.id) ?? (e.clock === 'out_of_range' ? undefined : l.fault.from);
    const hit = tickets
      .filter((t) => t.deviceId === e.subject && t.condition === e.condition && opened(t) >= l.fault.from)
      .sort((a, b) => opened(a) - opened(b))[0];
    const deadline = e.deadline ?? (start !== undefined && e.withinMs !== undefined ? start + e.withinMs : undefined);
    if (hit && start !== undefined && deadline !== undefined && opened(hit) <= deadline) {
      g.caught++;
      g.times.push(opened(hit) - start);
      g.hits.push({ label: l.label, ms: opened(hit) - start });
    } else {
      g.missed.push(`${l.label}: ${hit ? `ticket at ${hit.openedAt}, after the deadline ${deadline ? new Date(deadline).toISOString() : '?'}` : 'no ticket'}`);
    }
  }
  const falseTickets = tickets.filter((t) => !explained.has(t.id));
  const starts = tickets.map(opened).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 10 * 60_000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const deviceDays = devices * days;
  return { groups: [...groups.values()], falseTickets, deviceDays, falsePer100DeviceDays: (falseTickets.length / deviceDays) * 100, peakNewIn10Min: peak };
}

export const median = (xs: number[]): number => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
