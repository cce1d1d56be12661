/**
 * The school calendar: terms, holidays, make-up days (调休), exam weeks and the weekly timetable,
 * evaluated in the site's own time zone. Simulator and detectors ask it what kind of time it is.
 */
import type { CalendarConfig, PeriodConfig } from './schema.ts';

export type DayType = 'school_day' | 'weekend' | 'holiday' | 'vacation';

export interface LocalTime {
  /** YYYY-MM-DD in the site's zone */
  date: string;
  /** ISO weekday, 1 = Monday */
  weekday: number;
  /** minutes since local midnight */
  minuteOfDay: number;
}

const HOUR = 3600_000;

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export class SchoolCalendar {
  private readonly offsetCache = new Map<number, number>();
  private readonly zoneFormat: Intl.DateTimeFormat;
  private readonly holidays: Set<string>;
  private readonly makeupDays: Set<string>;
  private readonly periods: { name: string; kind: PeriodConfig['kind']; start: number; end: number }[];

  constructor(
    readonly config: CalendarConfig,
    readonly timezone: string,
  ) {
    this.zoneFormat = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    this.holidays = new Set(config.holidays.flatMap((h) => datesBetween(h.start, h.end)));
    this.makeupDays = new Set(config.makeupDays);
    this.periods = config.timetable.periods
      .map((p) => ({ name: p.name, kind: p.kind, start: toMinutes(p.start), end: toMinutes(p.end) }))
      .sort((a, b) => a.start - b.start);
  }

  /** Offset of the zone from UTC at `ts`, ms. Cached per hour: zones change offset on the hour. */
  offsetAt(ts: number): number {
    const hour = Math.floor(ts / HOUR);
    let offset = this.offsetCache.get(hour);
    if (offset === undefined) {
      const parts: Record<string, string> = {};
      for (const p of this.zoneFormat.formatToParts(new Date(hour * HOUR))) parts[p.type] = p.value;
      const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
      offset = asUtc - hour * HOUR;
      if (this.offsetCache.size > 50_000) this.offsetCache.clear();
      this.offsetCache.set(hour, offset);
    }
    return offset;
  }

  local(ts: number): LocalTime {
    const shifted = new Date(ts + this.offsetAt(ts));
    const weekday = shifted.getUTCDay() || 7;
    return {
      date: shifted.toISOString().slice(0, 10),
      weekday,
      minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    };
  }

  /** Epoch ms of local midnight starting `date` (YYYY-MM-DD) in the site's zone. */
  startOfDay(date: string): number {
    const guess = Date.parse(`${date}T00:00:00Z`);
    return guess - this.offsetAt(guess - this.offsetAt(guess));
  }

  inTerm(date: string): boolean {
    return this.config.terms.some((t) => date >= t.start && date <= t.end);
  }

  isExamDay(date: string): boolean {
    return this.config.examWeeks.some((w) => date >= w.start && date <= w.end);
  }

  dayType(date: string): DayType {
    if (this.holidays.has(date)) return 'holiday';
    if (!this.inTerm(date)) return 'vacation';
    if (this.makeupDays.has(date)) return 'school_day';
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
    return this.config.timetable.weekdays.includes(weekday) ? 'school_day' : 'weekend';
  }

  isSchoolDay(date: string): boolean {
    return this.dayType(date) === 'school_day';
  }

  /** The timetable period running at `ts` on a school day, or null (break, evening, night, no school). */
  periodAt(ts: number): { name: string; kind: PeriodConfig['kind'] } | null {
    const t = this.local(ts);
    if (!this.isSchoolDay(t.date)) return null;
    const p = this.periods.find((p) => t.minuteOfDay >= p.start && t.minuteOfDay < p.end);
    return p ? { name: p.name, kind: p.kind } : null;
  }

  /** First start and last end of the school day's timetable, minutes since midnight. */
  get schoolHours(): { start: number; end: number } {
    return { start: this.periods[0]!.start, end: Math.max(...this.periods.map((p) => p.end)) };
  }
}

/** Inclusive list of dates between two YYYY-MM-DD dates. */
export function datesBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`), last = Date.parse(`${end}T00:00:00Z`); t <= last; t += 24 * HOUR) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
