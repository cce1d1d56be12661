/** Dates, numbers and durations as a Chinese office report writes them. */
import type { SchoolCalendar } from '@campus/site';

export const DAY_MS = 86_400_000;

/** YYYY-MM-DD plus `n` days (calendar arithmetic on dates, never on local clocks). */
export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Dates from `from` to `to`, inclusive. */
export function datesFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Days from `from` to `to`, inclusive. */
export const dayCount = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** "2026年9月7日" */
export function dateZh(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** "9月7日" */
export function monthDayZh(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

/** 12,345.6 with a fixed number of decimals; "—" for nothing. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A change as "+3.2%" / "−1.0%"; "—" when it cannot be said. */
export function pct(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const p = ratio * 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p).toFixed(digits)}%`;
}

/** "2小时10分钟", "35分钟", "3天4小时" */
export function durationZh(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '—';
  const m = Math.max(0, Math.round(minutes));
  if (m >= 48 * 60) return `${Math.floor(m / 1440)}天${Math.round((m % 1440) / 60) ? `${Math.round((m % 1440) / 60)}小时` : ''}`;
  if (m >= 60) return `${Math.floor(m / 60)}小时${m % 60 ? `${m % 60}分钟` : ''}`;
  return `${m}分钟`;
}

/** The median of some numbers, or null. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Relative change of `current` against `before`; null when either is missing or `before` is zero. */
export function change(current: number | null, before: number | null): number | null {
  return current === null || before === null || before === 0 ? null : current / before - 1;
}

/** "2026-09-15 04:00" in the site's zone. */
export function localDateTime(calendar: SchoolCalendar, ts: number): string {
  const t = calendar.local(ts);
  return `${t.date} ${String(Math.floor(t.minuteOfDay / 60)).padStart(2, '0')}:${String(t.minuteOfDay % 60).padStart(2, '0')}`;
}
