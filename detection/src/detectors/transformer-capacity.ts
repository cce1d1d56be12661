/**
 * Near capacity (planning, not a repair): the daily peak of the worst phase above `peakPct` of
 * rated on `days` school days of a rolling week (the seven days before today). The seed school
 * added an 80 kVA unit for this reason.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import type { SchoolCalendar } from '@campus/site';
import { fmt } from '../helpers.ts';
import { worstPhaseLoadPct } from './transformer-load.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

interface State {
  date: string | null;
  peak: number;
  /** the school days of the rolling week that had readings (hot or not), with their peaks */
  schoolDays: [string, number][];
  raised: boolean;
}

/** The date `n` days before a YYYY-MM-DD date. */
const daysBefore = (date: string, n: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

/** The school days of the seven days before `date` that sent no reading: their peak is unknown, not low. */
const unmeasured = (calendar: SchoolCalendar, date: string, measured: readonly [string, number][]): number => {
  let n = 0;
  for (let i = 1; i <= 7; i++) {
    const d = daysBefore(date, i);
    if (calendar.isSchoolDay(d) && !measured.some(([m]) => m === d)) n++;
  }
  return n;
};

/**
 * Not the sustained-then-cleared helper's shape: each day that ends is booked, the days older than
 * a week are forgotten, and the notice is raised once the week holds `days` hot school days. It is
 * cleared when the week can no longer hold them: a school day without readings (the monitor or its
 * gateway down) may have been hot, so it does not end a hot spell; the days it cleared on are gone,
 * so they cannot reopen it.
 */
export const transformerCapacity = defineDetector({
  key: 'transformer.near_capacity',
  kinds: ['transformer'],
  params: { peakPct: 80, days: 3 },
  init: (): State => ({ date: null, peak: 0, schoolDays: [], raised: false }),
  // saved before the cool days were kept: its hot days are the measured days it knew of
  restore: (s, saved) => (Array.isArray(saved.hotDays) && !('schoolDays' in saved) ? { ...s, schoolDays: saved.hotDays as [string, number][] } : s),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    // a measurement fault (transformer-sensor.ts) is no peak to plan for
    if (impossibleCurrent(values, device)) return found(state);
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const date = calendar.local(ts).date;
    if (state.date === date) return found({ ...state, peak: Math.max(state.peak, load) });

    // a new day: book the one that ended, and keep the school days of the seven days before today
    const booked: [string, number][] = state.date && calendar.isSchoolDay(state.date) ? [...state.schoolDays, [state.date, state.peak]] : state.schoolDays;
    const weekAgo = daysBefore(date, 7);
    const s: State = { ...state, date, peak: load, schoolDays: booked.filter(([d]) => d >= weekAgo && d < date) };
    const hot = s.schoolDays.filter(([, v]) => v > p.peakPct);
    if (hot.length >= p.days && !s.raised) {
      s.raised = true;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'info',
          trade: 'office',
          category: 'planning',
          title: '变压器容量接近上限（规划提示）',
          summary: `近 7 天 ${hot.length} 个上课日最大相负载超过 ${p.peakPct}%（${hot.map(([d, v]) => `${d.slice(5)} ${fmt(v, 0)}%`).join('，')}）：请评估增容或负荷调整`,
          details: { days: hot },
        }),
      );
    }
    if (s.raised && hot.length + unmeasured(calendar, date, s.schoolDays) < p.days) {
      s.raised = false;
      return found(s, clear(this.key, device.id, ts, `近 7 天超过 ${p.peakPct}% 的上课日不足 ${p.days} 天`));
    }
    return found(s);
  },
});
