/** What GET /api/competition answers (report/src/competition.ts), as the competition and lobby pages read it. */
export type Resource = 'electricity' | 'water';
export type Period = 'week' | 'month' | 'term' | 'custom';
export const PERIODS: readonly Period[] = ['week', 'month', 'term', 'custom'];
export interface Span {
  from: string;
  to: string;
  days: string[];
}
export type Basis = 'year_earlier' | 'school_trend';
export interface ClassScore {
  classId: string;
  name: string;
  students: number;
  rank: number;
  basis: Basis;
  baselineAvgKW: number | null;
  expectedAvgKW: number | null;
  actualAvgKW: number | null;
  savingPct: number | null;
  moneySavedYuan: number | null;
  perStudentPerDay: number | null;
  daily: { date: string; use: number }[];
}
export interface Result {
  resource: Resource;
  period: Period;
  unit: string;
  window: Span;
  baseline: Span;
  yearEarlier: Span;
  bases: Record<Basis, number>;
  schoolRatio: number | null;
  tariffYuan: number;
  classes: ClassScore[];
  winners: string[];
  nobodySaved: boolean;
  winnersSavedYuan: number;
  totalSavedYuan: number;
  measuredSavedYuan: number;
  note: string | null;
}

/** A figure with `d` decimals, "—" for none; never "-0.0". */
export const fmt = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '—' : (Number(v.toFixed(d)) || 0).toFixed(d));

/** The class of a saving (savingPct is in %): 'ok' for one of at least 0.05 % (report's MIN_SAVING_PCT), 'bad' for as much more use, else ''. */
export const savingClass = (pct: number | null) => ((pct ?? 0) >= 0.05 ? 'ok' : (pct ?? 0) <= -0.05 ? 'bad' : '');
