/**
 * What the water detectors remember and how they read it: the kind of a day on the school
 * calendar (students in, or away), a low or high percentile, and a robust trend (Theil–Sen slope
 * with the Mann–Kendall test). See docs/developing/domain-rules.md, "A reference must not learn
 * the leak".
 */
import type { SchoolCalendar } from '@campus/site';

/**
 * "school": a night or day of a school day (调休 make-up days included); "weekend": a term weekend
 * (boarders stay, and are up later: more use at night); "holiday": a public holiday (a few stay);
 * "vacation": the buildings are empty, and the urinals may be turned off. A day is learned and
 * judged only against days of its kind.
 */
export type DayKind = 'school' | 'weekend' | 'holiday' | 'vacation';

export function dayKind(calendar: SchoolCalendar, date: string): DayKind {
  const t = calendar.dayType(date);
  return t === 'school_day' ? 'school' : t;
}

/** The `q` quantile (0..1) of the values, linearly interpolated; null when there are none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Trend {
  /** Theil–Sen slope: the median of the pairwise slopes, per unit of x */
  slope: number;
  /** the fitted line at the first and the last x */
  from: number;
  to: number;
  /** Mann–Kendall statistic, normal approximation (ties ignored); above 2.33: rising at p < 0.01 */
  z: number;
}

/** The robust trend of (x, y) points, x ascending; null with fewer than 3 points. */
export function theilSen(points: readonly (readonly [number, number])[]): Trend | null {
  const n = points.length;
  if (n < 3) return null;
  const slopes: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      s += Math.sign(yj - yi);
      if (xj !== xi) slopes.push((yj - yi) / (xj - xi));
    }
  const slope = quantile(slopes, 0.5) ?? 0;
  const intercept = quantile(
    points.map(([x, y]) => y - slope * x),
    0.5,
  )!;
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  const z = s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
  return { slope, from: intercept + slope * points[0]![0], to: intercept + slope * points[n - 1]![0], z };
}

/** Days since the epoch of a local date "YYYY-MM-DD" (the x of a nightly series). */
export const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** A flow rounded for the saved state (m³/h to 0.01 L/h): keeps detector_state small. */
export const keepFlow = (m3h: number): number => Math.round(m3h * 1e5) / 1e5;
