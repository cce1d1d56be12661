/**
 * Near capacity (planning, not a repair): the daily peak of the worst phase above `peakPct` of
 * rated on `days` school days of a rolling week (the seven days before today). The seed school
 * added an 80 kVA unit for this reason.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { worstPhaseLoadPct } from './transformer-load.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

interface State {
  date: string | null;
  peak: number;
  /** school days of the rolling week whose peak was over the threshold, with their peaks */
  hotDays: [string, number][];
  raised: boolean;
}

/** The date `n` days before a YYYY-MM-DD date. */
const daysBefore = (date: string, n: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

/**
 * Not the sustained-then-cleared helper's shape: each day that ends is booked, the hot days older
 * than a week are forgotten, and the notice is open while the week holds `days` of them (one raise,
 * one clear when too few are left: the days it cleared on are gone, so they cannot reopen it).
 */
export const transformerCapacity = defineDetector({
  key: 'transformer.near_capacity',
  kinds: ['transformer'],
  params: { peakPct: 80, days: 3 },
  init: (): State => ({ date: null, peak: 0, hotDays: [], raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    // a measurement fault (transformer-sensor.ts) is no peak to plan for
    if (impossibleCurrent(values, device)) return found(state);
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const date = calendar.local(ts).date;
    if (state.date === date) return found({ ...state, peak: Math.max(state.peak, load) });

    // a new day: book the one that ended, and keep the hot days of the seven days before today
    const booked: [string, number][] =
      state.date && calendar.isSchoolDay(state.date) && state.peak > p.peakPct ? [...state.hotDays, [state.date, state.peak]] : state.hotDays;
    const weekAgo = daysBefore(date, 7);
    const s: State = { ...state, date, peak: load, hotDays: booked.filter(([d]) => d >= weekAgo && d < date) };
    const holds = s.hotDays.length >= p.days;
    if (holds && !s.raised) {
      s.raised = true;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'info',
          trade: 'office',
          category: 'planning',
          title: '变压器容量接近上限（规划提示）',
          summary: `近 7 天 ${s.hotDays.length} 个上课日最大相负载超过 ${p.peakPct}%（${s.hotDays.map(([d, v]) => `${d.slice(5)} ${fmt(v, 0)}%`).join('，')}）：请评估增容或负荷调整`,
          details: { days: s.hotDays },
        }),
      );
    }
    if (!holds && s.raised) {
      s.raised = false;
      return found(s, clear(this.key, device.id, ts, `近 7 天超过 ${p.peakPct}% 的上课日不足 ${p.days} 天`));
    }
    return found(s);
  },
});
