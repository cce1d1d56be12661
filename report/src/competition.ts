/**
 * The class energy-saving competition (节约评比), scored as Campus Conservation Nationals does
 * (competetoreduce.org): saving % = 1 - (average kW in the competition / average kW in the
 * baseline), average kW = kWh / hours; only school days count, and exam weeks are left out.
 * A baseline right before the competition is fair only within one season (heating or air
 * conditioning between the two windows makes every class "use more"), so each class is judged on
 * the same school weeks a year earlier when its meter has them, else on the 10 school days before
 * times the change of all classes together (what the season did to everyone is taken out). Only a
 * class that saved against its baseline is 先进. A second board ranks kWh per student per school
 * day, which is fair between classes of different sizes; it also breaks ties. Money saved is the
 * avoided use at the campus tariff.
 */
import type { DailyUse, ReadingStore } from '@campus/store';
import type { Campus } from '@campus/site';

export type Resource = 'electricity' | 'water';
export type Period = 'week' | 'month' | 'term' | 'custom';

export interface Window {
  from: string;
  to: string;
  /** school days counted, YYYY-MM-DD */
  days: string[];
}

/**
 * What a class is judged against. `year_earlier`: the same school weeks a year (52 weeks) earlier,
 * when the class's meter has them: the same season, nothing to correct. `school_trend`: the 10
 * school days right before the competition, times the change of all classes together between the
 * two windows, which cancels what the season (heating, air conditioning) did to everyone.
 */
export type BaselineKind = 'year_earlier' | 'school_trend';

export interface ClassScore {
  rank: number;
  classId: string;
  name: string;
  grade: number;
  students: number;
  deviceId: string;
  /** the baseline this class is judged against */
  basis: BaselineKind;
  /** use and average power in the baseline window of its basis, as measured */
  baselineUse: number;
  actualUse: number;
  baselineAvgKW: number | null;
  /** what it is judged against: the measured baseline, or it times the school's change (school_trend) */
  expectedAvgKW: number | null;
  actualAvgKW: number | null;
  /** saving against `expectedAvgKW`, % (positive: used less) */
  savingPct: number | null;
  /** saving against the measured baseline, before the school's change is taken out, % */
  rawSavingPct: number | null;
  perStudentPerDay: number | null;
  /** (expected - actual) x hours x tariff: negative when the class used more */
  moneySavedYuan: number | null;
  /** days with readings, of the window's school days (the days counted also hold the silent days a catch-up was shared over) */
  coverage: { competition: number; baseline: number };
  /** `estimated`: holds a share of a silent meter's catch-up */
  daily: { date: string; use: number; estimated?: true }[];
}

export interface CompetitionResult {
  resource: Resource;
  period: Period;
  unit: string;
  window: Window;
  /** the 10 school days before the competition (school_trend) */
  baseline: Window;
  /** the same school weeks a year earlier (year_earlier), by the calendar of then */
  yearEarlier: Window;
  /** how many ranked classes were judged on each kind */
  bases: Record<BaselineKind, number>;
  /**
   * all classes together, average power in the competition / in the 10 school days before (the
   * classes with both): 1.3 = the whole school used 30 % more, what school_trend takes out
   */
  schoolRatio: number | null;
  tariffYuan: number;
  classes: ClassScore[];
  /** the 先进班级: the first three, and only a class that saved (savingPct of at least MIN_SAVING_PCT) */
  winners: string[];
  /** ranked classes, none of which used less than its baseline: no 先进班级 */
  nobodySaved: boolean;
  /** what the winners saved against their baselines (never negative) */
  winnersSavedYuan: number;
  /** every ranked class against the baseline it is judged on: negative when they used more */
  totalSavedYuan: number;
  /** every ranked class against its measured baseline, the season included: what the school really paid more or less */
  measuredSavedYuan: number;
  note: string | null;
}

/** a year earlier: 52 weeks, so that weekdays line up */
export const YEAR_EARLIER_DAYS = 364;
/** a class is judged on the year-earlier weeks when its meter has at least this share of their school days */
export const YEAR_EARLIER_COVERAGE = 0.8;
/** a 先进班级 saved at least this much, % (what the board shows as 0.1 %; the ties' tolerance) */
export const MIN_SAVING_PCT = 0.05;

const DAY = 86_400_000;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** School days that count (term, not holiday or weekend, not exam) from `from` to `to` inclusive. */
export function countedDays(campus: Campus, from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (campus.calendar.isSchoolDay(d) && !campus.calendar.isExamDay(d)) out.push(d);
  return out;
}

/** The competition window for a period ending at `today` (or a custom one). */
export function competitionWindow(campus: Campus, period: Period, today: string, custom?: { from: string; to: string }): { from: string; to: string } {
  switch (period) {
    case 'week': {
      const weekday = new Date(`${today}T00:00:00Z`).getUTCDay() || 7;
      return { from: addDays(today, 1 - weekday), to: today };
    }
    case 'month':
      return { from: `${today.slice(0, 8)}01`, to: today };
    case 'term': {
      const term =
        campus.calendar.config.terms.find((t) => today >= t.start && today <= t.end) ?? campus.calendar.config.terms.filter((t) => t.start <= today).at(-1);
      return { from: term?.start ?? today, to: today };
    }
    case 'custom':
      if (!custom) throw new Error('a custom competition needs from and to');
      return custom;
  }
}

/** The baseline: the `n` counted school days right before `from`. */
export function baselineDays(campus: Campus, from: string, n = 10): string[] {
  const out: string[] = [];
  for (let d = addDays(from, -1), guard = 0; out.length < n && guard < 120; d = addDays(d, -1), guard++) {
    if (campus.calendar.isSchoolDay(d) && !campus.calendar.isExamDay(d)) out.unshift(d);
  }
  return out;
}

/** The same school weeks a year (52 weeks) earlier: their counted school days by the calendar. */
export function yearEarlierWindow(campus: Campus, window: { from: string; to: string }): Window {
  const from = addDays(window.from, -YEAR_EARLIER_DAYS);
  const to = addDays(window.to, -YEAR_EARLIER_DAYS);
  return { from, to, days: countedDays(campus, from, to) };
}

type Use = Map<string, DailyUse>;

/** A meter's use and average power over the days of `window` it has a day's use for. */
function measure(use: Use, window: string[]) {
  const days = window.filter((d) => use.has(d));
  const total = days.reduce((s, d) => s + use.get(d)!.use, 0);
  return { days, total, avgKW: days.length ? total / (days.length * 24) : null, read: days.filter((d) => use.get(d)!.readings > 0).length };
}

/** The meter has the year-earlier weeks: enough of them are school days, and it read on most of those. */
function hasYearEarlier(use: Use, year: string[], competitionDays: number): boolean {
  if (!year.length || year.length < Math.ceil(competitionDays / 2)) return false;
  return measure(use, year).read >= Math.ceil(YEAR_EARLIER_COVERAGE * year.length);
}

async function dailyUseByDevice(store: ReadingStore, campus: Campus, deviceIds: string[], path: string, days: string[], into: Map<string, Use>) {
  if (!days.length || !deviceIds.length) return;
  const rows = await store.dailyUse({ deviceIds, path, from: campus.calendar.startOfDay(days[0]!), to: campus.calendar.startOfDay(addDays(days.at(-1)!, 1)) });
  for (const r of rows) {
    if (!into.has(r.deviceId)) into.set(r.deviceId, new Map());
    into.get(r.deviceId)!.set(r.date, r);
  }
}

export async function scoreCompetition(
  campus: Campus,
  store: ReadingStore,
  opts: { resource: Resource; period: Period; today: string; custom?: { from: string; to: string }; now?: number },
): Promise<CompetitionResult> {
  const { resource, period } = opts;
  const kind = resource === 'electricity' ? 'electric_meter' : 'water_meter';
  const path = resource === 'electricity' ? '$.totalKWh' : '$.totalM3';
  const tariffYuan = resource === 'electricity' ? campus.tariffs.electricityYuanPerKWh : campus.tariffs.waterYuanPerM3;
  const span = competitionWindow(campus, period, opts.today, opts.custom);
  // only complete days count: a morning's average power is not comparable with whole days
  const now = opts.now ?? Date.now();
  const todayLocal = campus.calendar.local(now).date;
  const days = countedDays(campus, span.from, span.to).filter((d) => d < todayLocal);
  const base = baselineDays(campus, span.from);
  const window: Window = { ...span, days };
  const baseline: Window = { from: base[0] ?? span.from, to: base.at(-1) ?? span.from, days: base };
  const yearEarlier = yearEarlierWindow(campus, { from: span.from, to: days.at(-1) ?? span.to });

  const meters = campus.devices.filter((d) => d.kind === kind && d.class);
  const classes = new Map(campus.classes.map((c) => [c.id, c]));
  // daily rollups, never raw rows (a term is 24 classes x 140 days of one row each): the baseline
  // and the competition in one query, the year-earlier weeks in another
  const byDevice = new Map<string, Use>();
  const ids = meters.map((m) => m.id);
  await dailyUseByDevice(store, campus, ids, path, [baseline.from, span.to], byDevice);
  await dailyUseByDevice(store, campus, ids, path, yearEarlier.days, byDevice);

  const measured = meters.map((m) => {
    const use = byDevice.get(m.id) ?? new Map<string, DailyUse>();
    const basis: BaselineKind = hasYearEarlier(use, yearEarlier.days, days.length) ? 'year_earlier' : 'school_trend';
    return { m, use, basis, actual: measure(use, days), before: measure(use, base), year: measure(use, yearEarlier.days) };
  });
  // the school's change between the 10 school days before and the competition: all classes with both, together
  const both = measured.filter((x) => x.actual.avgKW !== null && x.before.avgKW);
  const sum = (f: (x: (typeof both)[number]) => number) => both.reduce((s, x) => s + f(x), 0);
  const schoolRatio = both.length
    ? sum((x) => x.actual.total) / sum((x) => x.actual.days.length) / (sum((x) => x.before.total) / sum((x) => x.before.days.length))
    : null;

  const measuredSaved = new Map<string, number>();
  const scores: ClassScore[] = measured.map(({ m, use, basis, actual, before, year }) => {
    const klass = classes.get(m.class!)!;
    const judged = basis === 'year_earlier' ? year : before;
    const factor = basis === 'year_earlier' ? 1 : schoolRatio;
    const expected = judged.avgKW !== null && factor !== null ? judged.avgKW * factor : null;
    const hours = actual.days.length * 24;
    if (actual.avgKW !== null && judged.avgKW !== null) measuredSaved.set(klass.id, (judged.avgKW - actual.avgKW) * hours * tariffYuan);
    const saving = (against: number | null) => (actual.avgKW !== null && against ? (1 - actual.avgKW / against) * 100 : null);
    return {
      rank: 0,
      classId: klass.id,
      name: klass.name,
      grade: klass.grade,
      students: klass.students,
      deviceId: m.id,
      basis,
      baselineUse: judged.total,
      actualUse: actual.total,
      baselineAvgKW: judged.avgKW,
      expectedAvgKW: expected,
      actualAvgKW: actual.avgKW,
      savingPct: saving(expected),
      rawSavingPct: saving(judged.avgKW),
      perStudentPerDay: actual.days.length ? actual.total / actual.days.length / klass.students : null,
      moneySavedYuan: actual.avgKW !== null && expected !== null ? (expected - actual.avgKW) * hours * tariffYuan : null,
      coverage: { competition: actual.read, baseline: judged.read },
      daily: [...judged.days, ...actual.days].map((d) => ({ date: d, use: use.get(d)!.use, ...(use.get(d)!.estimated ? { estimated: true as const } : {}) })),
    };
  });
  // saving % first; equal savings (within 0.05 points) are broken by the lower use per student
  scores.sort((a, b) => {
    if (a.savingPct === null || b.savingPct === null) return a.savingPct === null ? (b.savingPct === null ? 0 : 1) : -1;
    if (Math.abs(a.savingPct - b.savingPct) >= MIN_SAVING_PCT) return b.savingPct - a.savingPct;
    return (a.perStudentPerDay ?? Infinity) - (b.perStudentPerDay ?? Infinity);
  });
  scores.forEach((s, i) => (s.rank = s.savingPct === null ? 0 : i + 1));
  const ranked = scores.filter((s) => s.rank > 0);
  // a class that used more than the baseline it is judged on is never 先进, whatever its rank
  const winners = ranked.filter((s) => s.savingPct! >= MIN_SAVING_PCT).slice(0, 3);
  const note = !meters.length
    ? resource === 'water'
      ? '没有按班级计量的水表，节水评比暂不开展'
      : '没有按班级计量的电表'
    : ranked.length === 0
      ? days.length === 0
        ? '评比期内还没有完整的上课日（当天数据次日计入）'
        : '基线或评比期数据不足（需要评比开始前两周或去年同期的上课日数据）'
      : null;
  const total = (f: (s: ClassScore) => number | null, of: ClassScore[]) => of.reduce((s, c) => s + (f(c) ?? 0), 0);
  return {
    resource,
    period,
    unit: resource === 'electricity' ? 'kWh' : 'm³',
    window,
    baseline,
    yearEarlier,
    bases: { year_earlier: ranked.filter((s) => s.basis === 'year_earlier').length, school_trend: ranked.filter((s) => s.basis === 'school_trend').length },
    schoolRatio,
    tariffYuan,
    classes: scores,
    winners: winners.map((s) => s.classId),
    nobodySaved: ranked.length > 0 && winners.length === 0,
    winnersSavedYuan: total((c) => c.moneySavedYuan, winners),
    totalSavedYuan: total((c) => c.moneySavedYuan, ranked),
    measuredSavedYuan: total((c) => measuredSaved.get(c.classId) ?? null, ranked),
    note,
  };
}
