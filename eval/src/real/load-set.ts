/**
 * A real building load on a transformer: the hourly electricity use of a university dormitory
 * (Building Data Genome project 1, UnivDorm_Prince, 2015-08-26 → 09-11, a hot spell at the start
 * of term; eval/fixtures/real/bdg1-univdorm-prince/README.md) scaled so that the window's highest
 * hour puts the worst phase at `peakPct` % of the transformer's rated current.
 *
 * The truth is the rule applied to the series itself (domain rules, "Transformers"): an overload
 * episode is the worst phase above 100 % for 15 min, a heavy one above 130 % for 2 min or above
 * 150 %; a hot school day is one whose peak is above 80 %, and the planning notice holds while 3
 * of them are in the seven days before today. The detectors must open what the rule opens and
 * nothing else.
 */
import type { Ticket, TransformerValues } from '@campus/contract';
import type { Campus } from '@campus/site';
import { realCampus } from './campus.ts';
import { chinaTime, readCsv } from './fixtures.ts';
import { replaySeries } from './replay-series.ts';
import { median } from '../score.ts';
import { falseTicketRow, type RealRow } from './rows.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const LOAD_SET = 'bdg1-univdorm-prince';
/** source gaps longer than this are not bridged (none in the committed window is) */
const MAX_GAP_MS = 8 * HOUR;
/** phase shares of the load (worst first): a mild, constant imbalance of 6.7 %, below the 15 % rule */
const PHASE_SHARES = [0.345, 0.333, 0.322] as const;
const INTERVAL_S = 10;

export interface LoadPoint {
  /** the middle of the source hour, in the campus' zone */
  ts: number;
  kw: number;
}

/** The fixture's hourly use (kWh in the hour = mean kW), each placed at the middle of its hour. */
export function loadSeries(): LoadPoint[] {
  return readCsv(`${LOAD_SET}/load.csv`).map((r) => ({ ts: chinaTime(r.timestamp!) + HOUR / 2, kw: Number(r.energy) }));
}

/** Linear between the hourly points (a source gap up to MAX_GAP_MS is bridged the same way). */
export function interpolate(points: readonly LoadPoint[], ts: number): number {
  let lo = 0;
  let hi = points.length - 1;
  if (ts <= points[0]!.ts) return points[0]!.kw;
  if (ts >= points[hi]!.ts) return points[hi]!.kw;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.ts <= ts) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  if (b.ts - a.ts > MAX_GAP_MS) throw new Error(`the load series has a gap of ${(b.ts - a.ts) / HOUR} h at ${new Date(a.ts).toISOString()}`);
  return a.kw + ((b.kw - a.kw) * (ts - a.ts)) / (b.ts - a.ts);
}

export interface LoadSetOptions {
  /** the worst phase at the window's highest hour, % of rated current */
  peakPct?: number;
  ratedKVA?: number;
  voltageLLV?: number;
}

export function loadCampus(o: Required<LoadSetOptions>): Campus {
  return realCampus({
    // the source's own calendar: term from 08-31, 09-07 marked "Holiday" in the source
    terms: [{ name: '2015秋季学期', start: '2015-08-31', end: '2016-01-22' }],
    holidays: [{ name: '源数据假日', start: '2015-09-07', end: '2015-09-07' }],
    devices: [
      `{ id: tr-dorm, kind: transformer, name: 学生公寓变压器（真实负荷）, location: { building: utility, floor: 1 }, ratedKVA: ${o.ratedKVA}, voltageLLV: ${o.voltageLLV}, reportingIntervalS: ${INTERVAL_S} }`,
    ],
  });
}

/** The worst phase, % of rated, at `ts`. */
const worstPct = (points: readonly LoadPoint[], maxKw: number, peakPct: number, ts: number) => (peakPct * interpolate(points, ts)) / maxKw;

export function transformerValues(o: Required<LoadSetOptions>, worst: number): TransformerValues {
  const ratedA = (o.ratedKVA * 1000) / (Math.sqrt(3) * o.voltageLLV);
  const vPhase = o.voltageLLV / Math.sqrt(3);
  const currentA = PHASE_SHARES.map((s) => Math.round(((worst / 100) * ratedA * s * 10) / PHASE_SHARES[0]) / 10) as [number, number, number];
  const powerKW = (currentA.reduce((a, b) => a + b, 0) * vPhase * 0.92) / 1000;
  return { currentA, voltageV: [vPhase, vPhase, vPhase].map((v) => Math.round(v * 10) / 10) as [number, number, number], powerKW: Math.round(powerKW * 100) / 100 };
}

export interface Episode {
  from: number;
  to: number;
  heavy: boolean;
}

/** Overload episodes by the rule, sampled at the device's interval. */
export function overloadEpisodes(samples: { ts: number; pct: number }[]): Episode[] {
  const out: Episode[] = [];
  let start: number | null = null;
  let heavyRun: number | null = null;
  let heavy = false;
  for (const s of [...samples, { ts: Number.POSITIVE_INFINITY, pct: 0 }]) {
    if (s.pct > 100) {
      start ??= s.ts;
      if (s.pct > 150) heavy = true;
      if (s.pct > 130) {
        heavyRun ??= s.ts;
        if (s.ts - heavyRun >= 2 * MIN) heavy = true;
      } else heavyRun = null;
    } else if (start !== null) {
      const last = s.ts === Number.POSITIVE_INFINITY ? samples[samples.length - 1]!.ts : s.ts;
      if (last - start >= 15 * MIN || heavy) out.push({ from: start, to: last, heavy });
      start = null;
      heavyRun = null;
      heavy = false;
    }
  }
  return out;
}

/** The days the planning notice opens on, by the rule (daily peaks over `peakPct` on `days` school days of the week before). */
export function nearCapacityOpenings(dailyPeaks: Map<string, number>, campus: Campus, peakPct = 80, days = 3): string[] {
  const dates = [...dailyPeaks.keys()].sort();
  const opens: string[] = [];
  let holding = false;
  for (const date of dates) {
    const weekAgo = new Date(Date.parse(`${date}T00:00:00Z`) - 7 * DAY).toISOString().slice(0, 10);
    const hot = dates.filter((d) => d >= weekAgo && d < date && campus.calendar.isSchoolDay(d) && dailyPeaks.get(d)! > peakPct).length;
    if (hot >= days && !holding) opens.push(date);
    holding = hot >= days;
  }
  return opens;
}

export interface LoadSetResult {
  rows: RealRow[];
  tickets: Ticket[];
  episodes: Episode[];
  notices: string[];
  readings: number;
  wallMs: number;
}

export function runLoadSet(options: LoadSetOptions = {}): LoadSetResult {
  const o: Required<LoadSetOptions> = { peakPct: 108, ratedKVA: 80, voltageLLV: 400, ...options };
  const points = loadSeries();
  const maxKw = Math.max(...points.map((p) => p.kw));
  const campus = loadCampus(o);
  // replay whole local days: the first day's first half hour and the last day's last one hold the end points
  const from = chinaTime(new Date(points[0]!.ts + 8 * HOUR).toISOString().slice(0, 10) + ' 00:00');
  const to = chinaTime(new Date(points[points.length - 1]!.ts + 8 * HOUR).toISOString().slice(0, 10) + ' 00:00') + DAY;

  // the truth by the rule
  const samples: { ts: number; pct: number }[] = [];
  const dailyPeaks = new Map<string, number>();
  for (let ts = from; ts < to; ts += INTERVAL_S * 1000) {
    const pct = worstPct(points, maxKw, o.peakPct, ts);
    samples.push({ ts, pct });
    const date = campus.calendar.local(ts).date;
    dailyPeaks.set(date, Math.max(dailyPeaks.get(date) ?? 0, pct));
  }
  const episodes = overloadEpisodes(samples);
  // a notice is judged when a day ends: the rule's opening day, seen at its first reading
  const notices = nearCapacityOpenings(dailyPeaks, campus);

  const result = replaySeries({
    campus,
    from,
    to,
    devices: [{ id: 'tr-dorm', values: (ts) => transformerValues(o, worstPct(points, maxKw, o.peakPct, ts)) }],
  });
  const tickets = result.tickets;
  const opened = (t: Ticket) => Date.parse(t.openedAt);
  const explained = new Set<number>();

  // overload: each episode must be ticketed within its rule (15 min, or 2 min for a heavy one) + one interval
  const overloads = tickets.filter((t) => t.condition === 'transformer.overload');
  let caught = 0;
  const overloadTimes: number[] = [];
  const misses: string[] = [];
  for (const e of episodes) {
    const within = (e.heavy ? 2 : 15) * MIN + INTERVAL_S * 1000 + 30_000;
    // one open ticket per (device, condition): a ticket still open from an earlier episode covers this one
    const covering = overloads.find((t) => opened(t) <= e.from && (!t.resolvedAt || Date.parse(t.resolvedAt) >= e.from));
    const hit = covering ?? overloads.find((t) => opened(t) >= e.from && opened(t) <= e.from + within);
    if (hit) {
      caught++;
      explained.add(hit.id);
      if (!covering) overloadTimes.push(opened(hit) - e.from);
    } else misses.push(`${new Date(e.from).toISOString()} (${Math.round((e.to - e.from) / MIN)} min)`);
  }
  for (const t of overloads) if (episodes.some((e) => opened(t) >= e.from && opened(t) <= e.to + 30 * MIN)) explained.add(t.id);

  // near capacity: one notice per opening of the rule, none more
  const capacity = tickets.filter((t) => t.condition === 'transformer.near_capacity');
  const capacityCaught = notices.filter((d) => capacity.some((t) => campus.calendar.local(opened(t)).date === d)).length;
  for (const t of capacity) if (notices.includes(campus.calendar.local(opened(t)).date)) explained.add(t.id);

  const days = (to - from) / DAY;
  const falses = tickets.filter((t) => !explained.has(t.id));
  const rows: RealRow[] = [
    {
      set: LOAD_SET,
      shape: `overload > 100 % for 15 min (peak ${o.peakPct} %)`,
      cases: episodes.length,
      caught,
      medianMs: median(overloadTimes),
      goal: 'each episode within 15 min + one interval',
      met: caught === episodes.length,
      notes: misses.map((m) => `missed ${m}`),
    },
    {
      set: LOAD_SET,
      shape: 'near capacity: hot spell',
      cases: notices.length,
      caught: capacityCaught,
      medianMs: Number.NaN,
      goal: 'one notice per hot spell, no more',
      met: capacityCaught === notices.length && capacity.length === notices.length,
      notes: [`${capacity.length} notice(s) opened: ${capacity.map((t) => campus.calendar.local(opened(t)).date).join(', ') || '—'}; the rule opens on ${notices.join(', ') || '—'}`],
    },
    falseTicketRow(LOAD_SET, falses, 1, days, campus),
  ];
  return { rows, tickets, episodes, notices, readings: result.readings, wallMs: result.wallMs };
}
