/**
 * Near capacity (planning, not a repair): the daily peak of the worst phase above `peakPct` of
 * rated on `days` school days of one week. The seed school added an 80 kVA unit for this reason.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { worstPhaseLoadPct } from './transformer-load.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

interface State {
  date: string | null;
  peak: number;
  /** ISO week (Monday's date) -> school days over the threshold, with their peaks */
  week: string | null;
  hotDays: [string, number][];
  raised: boolean;
}

/** Monday of the week of a YYYY-MM-DD date. */
const mondayOf = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

/**
 * Not the sustained-then-cleared helper's shape: a week's count of hot days passes a limit once
 * (one raise), and the notice clears when a new week starts.
 */
export const transformerCapacity = defineDetector({
  key: 'transformer.near_capacity',
  kinds: ['transformer'],
  params: { peakPct: 80, days: 3 },
  init: (): State => ({ date: null, peak: 0, week: null, hotDays: [], raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    // a measurement fault (transformer-sensor.ts) is no peak to plan for
    if (impossibleCurrent(values, device)) return found(state);
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const date = calendar.local(ts).date;
    if (state.date === date) return found({ ...state, peak: Math.max(state.peak, load) });

    // a new day: book the one that ended
    const s: State = { ...state, date, peak: load };
    if (state.date && calendar.isSchoolDay(state.date) && state.peak > p.peakPct) {
      const week = mondayOf(state.date);
      s.hotDays = s.week === week ? [...s.hotDays, [state.date, state.peak]] : [[state.date, state.peak]];
      s.week = week;
    }
    if (s.hotDays.length >= p.days && !s.raised) {
      s.raised = true;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'info',
          trade: 'office',
          category: 'planning',
          title: '变压器容量接近上限（规划提示）',
          summary: `本周 ${s.hotDays.length} 个上课日最大相负载超过 ${p.peakPct}%（${s.hotDays.map(([d, v]) => `${d.slice(5)} ${fmt(v, 0)}%`).join('，')}）：请评估增容或负荷调整`,
          details: { days: s.hotDays },
        }),
      );
    }
    if (s.raised && s.week !== mondayOf(date)) {
      s.raised = false;
      return found(s, clear(this.key, device.id, ts, '新的一周，负载峰值未再超过限值'));
    }
    return found(s);
  },
});
