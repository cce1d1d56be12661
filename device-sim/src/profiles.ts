/**
 * Expected demand of a metered space, by what it is used for and what kind of time it is on the
 * school calendar. Numbers are typical of a Chinese boarding high school (about 1,200 students):
 * a classroom with 12 fluorescent fittings and a smart board draws about 0.9 kW in a lesson, plus
 * air conditioning in summer; a dormitory floor of ~190 students uses ~20 m³ of water a day,
 * peaking before 早读 and after 晚自习, with auto-flushing urinals (~20 L/h) all night.
 */
import type { SchoolCalendar, Usage } from '@campus/site';
import { unit } from './random.ts';

export interface TimeContext {
  dayType: 'school_day' | 'weekend' | 'holiday' | 'vacation';
  /** minutes since local midnight */
  minute: number;
  /** 1-12 */
  month: number;
  period: { kind: 'lesson' | 'self_study' } | null;
  inSchoolHours: boolean;
}

/** Profiles are piecewise per minute, and many devices ask about the same minutes: cache per calendar. */
const contextCache = new WeakMap<SchoolCalendar, Map<number, TimeContext>>();

export function timeContext(calendar: SchoolCalendar, ts: number): TimeContext {
  const minuteKey = Math.floor(ts / 60_000);
  let cache = contextCache.get(calendar);
  if (!cache) contextCache.set(calendar, (cache = new Map()));
  let ctx = cache.get(minuteKey);
  if (!ctx) {
    if (cache.size > 20_000) cache.clear();
    ctx = computeTimeContext(calendar, minuteKey * 60_000);
    cache.set(minuteKey, ctx);
  }
  return ctx;
}

function computeTimeContext(calendar: SchoolCalendar, ts: number): TimeContext {
  const local = calendar.local(ts);
  const dayType = calendar.dayType(local.date);
  const hours = calendar.schoolHours;
  return {
    dayType,
    minute: local.minuteOfDay,
    month: Number(local.date.slice(5, 7)),
    period: dayType === 'school_day' ? calendar.periodAt(ts) : null,
    inSchoolHours: dayType === 'school_day' && local.minuteOfDay >= hours.start && local.minuteOfDay < hours.end,
  };
}

const hm = (h: number, m = 0) => h * 60 + m;

/** Piecewise-constant daily schedule: [[fromMinute, value], ...] sorted by minute. */
function schedule(minute: number, steps: readonly (readonly [number, number])[]): number {
  let value = steps[0]![1];
  for (const [from, v] of steps) {
    if (minute >= from) value = v;
    else break;
  }
  return value;
}

/** Air conditioning / heating per classroom by month (kW while the room is in use). */
function climateKW(month: number): number {
  if (month >= 6 && month <= 9) return 2.2;
  if (month === 12 || month <= 2) return 1.0;
  return 0;
}

const DORM_KW = [
  [0, 4],
  [hm(6), 18],
  [hm(7, 30), 5],
  [hm(12), 12],
  [hm(14), 5],
  [hm(17, 40), 10],
  [hm(19), 6],
  [hm(21, 30), 30],
  [hm(23), 8],
] as const;
const CANTEEN_KW = [
  [0, 6],
  [hm(5, 30), 35],
  [hm(7, 30), 8],
  [hm(10), 45],
  [hm(12, 30), 10],
  [hm(16), 40],
  [hm(18, 30), 8],
  [hm(20), 6],
] as const;
const DORM_WATER = [
  [0, 0.02],
  [hm(5, 30), 0.5],
  [hm(6), 3.0],
  [hm(7, 20), 0.15],
  [hm(11, 50), 1.0],
  [hm(14), 0.15],
  [hm(17, 40), 1.2],
  [hm(19), 0.3],
  [hm(21, 30), 3.5],
  [hm(23), 0.4],
] as const;
const CANTEEN_WATER = [
  [0, 0.01],
  [hm(5), 2.5],
  [hm(7, 30), 0.6],
  [hm(10), 3.0],
  [hm(13), 0.5],
  [hm(16), 2.8],
  [hm(19), 0.3],
  [hm(20), 0.01],
] as const;

/** Night minimum of a dormitory floor: urinal auto-flush, the same every night. */
export const DORM_NIGHT_FLOW_M3H = 0.02;

/** Electricity demand, kW, before per-device scaling and noise. */
export function electricDemandKW(usage: Usage, t: TimeContext): number {
  const schoolDay = t.dayType === 'school_day';
  switch (usage) {
    case 'classroom': {
      if (t.period?.kind === 'lesson') return 0.9 + climateKW(t.month);
      if (t.period?.kind === 'self_study') return 0.7 + climateKW(t.month) * 0.6;
      if (t.inSchoolHours) return 0.25;
      return 0.04; // smart board and router on standby
    }
    case 'laboratory':
      if (schoolDay && t.minute >= hm(8) && t.minute < hm(17, 40)) return 10 + climateKW(t.month) * 3;
      if (schoolDay && t.minute >= hm(19) && t.minute < hm(21, 30)) return 2;
      return 1.2;
    case 'dormitory': {
      const base = schedule(t.minute, DORM_KW);
      return t.dayType === 'vacation' ? 2 : schoolDay ? base : base * 0.5;
    }
    case 'canteen': {
      const base = schedule(t.minute, CANTEEN_KW);
      return t.dayType === 'vacation' ? 5 : schoolDay ? base : Math.max(6, base * 0.5);
    }
    case 'office':
    case 'campus':
      return schoolDay && t.minute >= hm(7, 30) && t.minute < hm(18) ? 8 : 2;
  }
}

/** Water demand, m³/h, before per-device scaling and noise. */
export function waterDemandM3h(usage: Usage, t: TimeContext): number {
  const schoolDay = t.dayType === 'school_day';
  switch (usage) {
    case 'dormitory': {
      if (t.dayType === 'vacation') return DORM_NIGHT_FLOW_M3H;
      const base = schedule(t.minute, DORM_WATER);
      return schoolDay ? base : Math.max(DORM_NIGHT_FLOW_M3H, base * 0.45);
    }
    case 'canteen': {
      if (t.dayType === 'vacation') return 0.01;
      const base = schedule(t.minute, CANTEEN_WATER);
      return schoolDay ? base : Math.max(0.01, base * 0.5);
    }
    case 'classroom':
    case 'laboratory':
    case 'office':
    case 'campus':
      // toilets and taps of the teaching buildings: during school hours only
      return t.inSchoolHours ? (t.period ? 0.8 : 2.5) : 0.03;
  }
}

/** How many flushes of the night fall in each hour (23:00-06:00): busy late and early, fewest 01:00-05:00. */
const NIGHT_HOURS = [0.6, 0.6, 0.6, 0.6, 0.6, 1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5] as const;
const FLUSH_M3 = 0.006;

/**
 * Real night use of a dormitory floor, m³/h: students up at night flush a toilet (6 L in a minute),
 * about `perHour` times an hour on average (fewer 01:00-05:00), and a tap drips 0-4 L/h, both
 * different from night to night (a night is local noon to noon for UTC+5..+10). Few are in on
 * holidays, none in the vacation. Noise is a function of the minute, so any reporting interval sees the same.
 */
export function nightUseM3h(stream: number, ts: number, perHour: number, t: TimeContext): number {
  const hour = Math.floor(t.minute / 60);
  const share = NIGHT_HOURS[hour]!;
  const occupancy = t.dayType === 'vacation' ? 0 : t.dayType === 'holiday' ? 0.1 : 1;
  if (!share || !occupancy) return 0;
  const night = Math.floor((ts + 12 * 3600_000) / 86_400_000);
  const busy = 0.4 + 1.2 * unit(stream, night, 21);
  const minute = Math.floor(ts / 60_000);
  const flush = unit(stream, minute, 22) < (perHour * share * busy * occupancy) / 60 ? FLUSH_M3 * 60 : 0;
  return flush + 0.004 * unit(stream, night, 23) * occupancy;
}
