/**
 * Water meters with realistic use, for the leak and burst tests: seeded, stepped at the meters'
 * real interval (30 s), a 1-litre register. Not the simulator's smooth profile: use comes in
 * fixture events and fluctuates minute by minute.
 * - dormitory floor (~190 students): urinals auto-flush 4 L every ~12 min day and night (off in a
 *   vacation); toilets flushed now and then at night (more on weekend nights); the morning peak
 *   before 早读 and the evening peak after 晚自习 (21:30–23:00) start and end at a different time
 *   every day; term weekends at half the use and later; holidays nearly empty; a vacation empty.
 * - canteen: cooking hours on school days, half on weekends, a trickle at night.
 * - teaching building: toilets and taps in breaks and lessons, cisterns that drip at night.
 * - main: everything above plus the grounds (the campus main meter carries the whole school).
 * Means follow device-sim/src/profiles.ts.
 */
import type { Campus } from '@campus/site';
import { HOUR, MIN, type Run } from './harness.ts';

export const STEP = 30_000;
export const DAY = 24 * HOUR;

/** mulberry32: a small seeded generator */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());

export type Shape = 'dormitory' | 'canteen' | 'teaching' | 'main';

/** A meter's flow, m³/h averaged over each step, asked in time order. */
export type FlowSource = (ts: number) => number;

interface DayPlan {
  date: string;
  kind: 'school_day' | 'weekend' | 'holiday' | 'vacation';
  factor: number;
  morning: number;
  peakStart: number;
  peakEnd: number;
}

const hm = (h: number, m = 0) => h * 60 + m;

function dormMean(d: DayPlan, m: number): number {
  if (d.kind === 'vacation') return 0;
  const late = m < hm(0, 45) ? 0.5 * (1 - m / hm(0, 45)) : 0; // late washing tails off after midnight
  let base: number;
  if (d.kind === 'school_day') {
    if (m < hm(5, 30)) base = late;
    else if (m < d.morning) base = 0.5;
    else if (m < hm(7, 20)) base = 3.0;
    else if (m < hm(11, 50)) base = 0.15;
    else if (m < hm(14)) base = 1.0;
    else if (m < hm(17, 40)) base = 0.15;
    else if (m < hm(19)) base = 1.2;
    else if (m < d.peakStart) base = 0.3;
    else if (m < d.peakEnd) base = 3.5;
    else base = 0.5;
  } else {
    // term weekend (boarders stay, up later) or a holiday (a few stay)
    if (m < hm(6, 30)) base = late;
    else if (m < d.morning + 90) base = 0.6;
    else if (m < d.morning + 180) base = 1.6;
    else if (m < d.peakStart - 30) base = 0.7;
    else if (m < d.peakEnd + 30) base = 2.2;
    else base = 0.5;
    if (d.kind === 'holiday') base *= 0.12;
  }
  return base * d.factor;
}

function canteenMean(d: DayPlan, m: number): number {
  if (d.kind === 'vacation' || d.kind === 'holiday') return 0.01;
  // breakfast (its start moves with the day), lunch and supper cooking, washing up between
  let v = 0.01;
  if (m >= hm(20)) v = 0.01;
  else if (m >= hm(19)) v = 0.3;
  else if (m >= hm(16)) v = 2.8;
  else if (m >= hm(13)) v = 0.5;
  else if (m >= hm(10)) v = 3.0;
  else if (m >= hm(7, 30)) v = 0.6;
  else if (m >= d.morning - hm(1)) v = 2.5;
  return (d.kind === 'weekend' ? Math.max(0.01, v * 0.5) : v) * d.factor;
}

function teachingMean(d: DayPlan, m: number, period: boolean): number {
  if (d.kind !== 'school_day' || m < hm(7, 10) || m >= hm(21, 40)) return 0.03;
  return (period ? 0.8 : 2.5) * d.factor;
}

/** the grounds' and the pipes' own use on the main, m³/h */
const GROUNDS_M3H = 0.05;

/** What the main carries: six dormitory floors, the canteen and the teaching building (then the grounds). */
const mainParts = (campus: Campus, seed: number): FlowSource[] => [
  ...Array.from({ length: 6 }, (_, i) => shapedFlow('dormitory', campus, seed * 31 + i + 1)),
  shapedFlow('canteen', campus, seed * 31 + 7),
  shapedFlow('teaching', campus, seed * 31 + 8),
];

/**
 * The main meter with its sub-meters, the demo campus's: the six floors (wm-dorm-1…6) and the
 * canteen, metered; the teaching building and the grounds not (the unmetered residual). The same
 * flows as `shapedFlow('main', campus, seed)`; each source is asked once per step, in any order.
 */
export function campusMeters(campus: Campus, seed: number): { id: string; flow: FlowSource; extra?: (ts: number) => number }[] {
  const parts = mainParts(campus, seed).map((f) => {
    let last: [number, number] | null = null;
    return (ts: number) => (last?.[0] === ts ? last[1] : (last = [ts, f(ts)])[1]);
  });
  const ids = ['wm-dorm-1', 'wm-dorm-2', 'wm-dorm-3', 'wm-dorm-4', 'wm-dorm-5', 'wm-dorm-6', 'wm-canteen'];
  return [
    { id: 'wm-main', flow: (ts) => parts.reduce((sum, f) => sum + f(ts), GROUNDS_M3H) },
    ...ids.map((id, i) => ({ id, flow: parts[i]! })),
  ];
}

/** A meter of `shape` on `campus`'s calendar, with seed `seed`. */
export function shapedFlow(shape: Shape, campus: Campus, seed: number): FlowSource {
  if (shape === 'main') {
    const parts = mainParts(campus, seed);
    return (ts) => parts.reduce((sum, f) => sum + f(ts), GROUNDS_M3H);
  }
  const r = rng(seed);
  const cal = campus.calendar;
  let plan: DayPlan | null = null;
  let noise = 0;
  const a = Math.exp(-STEP / (3 * MIN)); // fluctuation correlated over ~3 minutes
  let nextUrinal = 0;
  let pending = 0; // litres of fixture events still to come out in this step
  return (ts) => {
    const local = cal.local(ts);
    if (plan?.date !== local.date) {
      plan = {
        date: local.date,
        kind: cal.dayType(local.date),
        factor: Math.exp(0.06 * gauss(r)),
        morning: hm(6) + Math.round((r() - 0.5) * 20),
        peakStart: hm(21, 30) + Math.round(-10 + r() * 25),
        peakEnd: hm(23) + Math.round(-15 + r() * 35),
      };
    }
    const m = local.minuteOfDay;
    noise = a * noise + Math.sqrt(1 - a * a) * gauss(r);
    const period = shape === 'teaching' && cal.periodAt(ts) !== null;
    const mean = shape === 'dormitory' ? dormMean(plan, m) : shape === 'canteen' ? canteenMean(plan, m) : teachingMean(plan, m, period);
    let litres = Math.max(0, mean * (1 + 0.15 * noise)) * (STEP / HOUR) * 1000;
    if (shape === 'dormitory') {
      // urinals: a 4-litre flush every ~12 minutes, except in a vacation
      if (plan.kind !== 'vacation' && ts >= nextUrinal) {
        litres += 4;
        nextUrinal = ts + (11 + 2 * r()) * MIN;
      }
      // toilets at night: a 6-litre flush, about 1.5 an hour (3 on weekend nights, rare on holidays)
      const night = m < hm(5, 30);
      const weekendNight = cal.dayType(local.date) === 'weekend'; // Friday and Saturday nights
      const perHour = plan.kind === 'vacation' ? 0 : plan.kind === 'holiday' ? 0.2 : weekendNight ? 3 : 1.5;
      if (night && r() < (perHour * STEP) / HOUR) pending += 6 + 3 * r();
    } else if (shape === 'teaching') {
      if (r() < (0.1 * STEP) / HOUR) pending += 6; // a night guard or a cleaner
    } else if (shape === 'canteen' && m >= hm(20) && r() < (0.2 * STEP) / HOUR) pending += 10 + 20 * r();
    // an event's water comes out over a minute or so
    const out = Math.min(pending, 6);
    pending -= out;
    litres += out;
    return (litres / 1000) * (HOUR / STEP);
  };
}

/** Feeds `deviceId`'s register from `flow` (plus `extra`) every 30 s over [from, to); returns the register. */
export function feedMeter(r: Run, deviceId: string, from: number, to: number, flow: FlowSource, extra: (ts: number) => number = () => 0, start = 1000): number {
  let total = start;
  for (let ts = from; ts < to; ts += STEP) {
    total += ((flow(ts) + extra(ts)) * STEP) / HOUR;
    r.feed(deviceId, ts, { totalM3: Math.round(total * 1000) / 1000 });
  }
  return total;
}

/**
 * Several meters fed in step, one reading each every 30 s (`silent(id, ts)`: that reading is not
 * sent, the register goes on); returns the registers, to go on from with `starts`.
 */
export function feedMeters(
  r: Run,
  meters: { id: string; flow: FlowSource; extra?: (ts: number) => number }[],
  from: number,
  to: number,
  starts: readonly number[] = meters.map(() => 1000),
  silent: (id: string, ts: number) => boolean = () => false,
): number[] {
  const totals = [...starts];
  for (let ts = from; ts < to; ts += STEP)
    meters.forEach((m, i) => {
      totals[i]! += ((m.flow(ts) + (m.extra?.(ts) ?? 0)) * STEP) / HOUR;
      if (!silent(m.id, ts)) r.feed(m.id, ts, { totalM3: Math.round(totals[i]! * 1000) / 1000 });
    });
  return totals;
}
