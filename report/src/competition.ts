/**
 * The class energy-saving competition (节约评比), scored as Campus Conservation Nationals does
 * (competetoreduce.org): saving % = 1 - (average kW in the competition / average kW in the
 * baseline), average kW = kWh / hours. The baseline is the 10 school days right before the
 * competition; only school days count in both, and exam weeks are left out. A second board ranks
 * kWh per student per school day, which is fair between classes of different sizes; it also breaks
 * ties. Money saved is the avoided use at the campus tariff.
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

export interface ClassScore {
  rank: number;
  classId: string;
  name: string;
  grade: number;
  students: number;
  deviceId: string;
  baselineUse: number;
  actualUse: number;
  baselineAvgKW: number | null;
  actualAvgKW: number | null;
  savingPct: number | null;
  perStudentPerDay: number | null;
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
  baseline: Window;
  tariffYuan: number;
  classes: ClassScore[];
  winners: string[];
  totalSavedYuan: number;
  note: string | null;
}

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

  const meters = campus.devices.filter((d) => d.kind === kind && d.class);
  const classes = new Map(campus.classes.map((c) => [c.id, c]));
  const fromTs = campus.calendar.startOfDay(baseline.from);
  const toTs = campus.calendar.startOfDay(addDays(span.to, 1));
  // daily rollups, never raw rows: a term is 24 classes x 140 days of one row each
  const rows = await store.dailyUse({ deviceIds: meters.map((m) => m.id), path, from: fromTs, to: toTs });
  const byDevice = new Map<string, Map<string, DailyUse>>();
  for (const r of rows) {
    if (!byDevice.has(r.deviceId)) byDevice.set(r.deviceId, new Map());
    byDevice.get(r.deviceId)!.set(r.date, r);
  }

  const scores: ClassScore[] = meters.map((m) => {
    const klass = classes.get(m.class!)!;
    const use = byDevice.get(m.id) ?? new Map<string, DailyUse>();
    // a day the meter was silent counts with its share of the catch-up when it came back (the
    // store's daily use, the same rule as the report's energy tables): the averages are per day
    const compDays = days.filter((d) => use.has(d));
    const baseDays = base.filter((d) => use.has(d));
    const read = (ds: string[]) => ds.filter((d) => use.get(d)!.readings > 0).length;
    const actualUse = compDays.reduce((s, d) => s + use.get(d)!.use, 0);
    const baselineUse = baseDays.reduce((s, d) => s + use.get(d)!.use, 0);
    const actualHours = compDays.length * 24;
    const actualAvg = compDays.length ? actualUse / actualHours : null;
    const baseAvg = baseDays.length ? baselineUse / (baseDays.length * 24) : null;
    const saving = actualAvg !== null && baseAvg ? 1 - actualAvg / baseAvg : null;
    return {
      rank: 0,
      classId: klass.id,
      name: klass.name,
      grade: klass.grade,
      students: klass.students,
      deviceId: m.id,
      baselineUse,
      actualUse,
      baselineAvgKW: baseAvg,
      actualAvgKW: actualAvg,
      savingPct: saving === null ? null : saving * 100,
      perStudentPerDay: compDays.length ? actualUse / compDays.length / klass.students : null,
      moneySavedYuan: actualAvg !== null && baseAvg !== null ? (baseAvg - actualAvg) * actualHours * tariffYuan : null,
      coverage: { competition: read(compDays), baseline: read(baseDays) },
      daily: [...base, ...days]
        .filter((d) => use.has(d))
        .map((d) => ({ date: d, use: use.get(d)!.use, ...(use.get(d)!.estimated ? { estimated: true as const } : {}) })),
    };
  });
  // saving % first; equal savings (within 0.05 points) are broken by the lower use per student
  scores.sort((a, b) => {
    if (a.savingPct === null || b.savingPct === null) return a.savingPct === null ? (b.savingPct === null ? 0 : 1) : -1;
    if (Math.abs(a.savingPct - b.savingPct) >= 0.05) return b.savingPct - a.savingPct;
    return (a.perStudentPerDay ?? Infinity) - (b.perStudentPerDay ?? Infinity);
  });
  scores.forEach((s, i) => (s.rank = s.savingPct === null ? 0 : i + 1));
  const ranked = scores.filter((s) => s.rank > 0);
  const note = !meters.length
    ? resource === 'water'
      ? '没有按班级计量的水表，节水评比暂不开展'
      : '没有按班级计量的电表'
    : !base.length || ranked.length === 0
      ? days.length === 0
        ? '评比期内还没有完整的上课日（当天数据次日计入）'
        : '基线或评比期数据不足（需要评比开始前两周的上课日数据）'
      : null;
  return {
    resource,
    period,
    unit: resource === 'electricity' ? 'kWh' : 'm³',
    window,
    baseline,
    tariffYuan,
    classes: scores,
    winners: ranked.slice(0, 3).map((s) => s.classId),
    totalSavedYuan: ranked.reduce((s, c) => s + (c.moneySavedYuan ?? 0), 0),
    note,
  };
}
