/**
 * Out-of-hours use: on a weekend, holiday or vacation day, the day's use is compared (after the
 * day ends) with the meter's learned use on such days: alarm above factor x average + floor. minor.
 * Term weekends (boarders stay), holidays (a few stay) and vacation days (the school is empty) are
 * learned apart: judged together, the first weekend after a vacation looked like a leak on every
 * meter, and so did 中秋 judged by the summer vacation.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, keepLast } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

/** judged once a day, after a day that was not a school day */
interface State extends Sustained {
  date: string | null;
  startVolume: number | null;
  lastVolume: number | null;
  /** use of past term weekends, m³ (older versions kept every non-school day here) */
  history: number[];
  /** use of past vacation days, m³ (older versions kept holidays here too) */
  awayHistory?: number[];
  /** use of past holidays, m³ */
  holidayHistory?: number[];
}

export const waterOutOfHours = defineDetector({
  key: 'water.out_of_hours',
  kinds: ['water_meter'],
  params: { factor: 1.5, floorM3: 0.5, learnDays: 8, minDays: 2 },
  init: (): State => ({ date: null, startVolume: null, lastVolume: null, history: [], awayHistory: [], holidayHistory: [], ...initSustained() }),

  onReading(state, obs, ctx) {
    const { params: p, calendar, device } = ctx;
    const ts = obs.reading.ts;
    if (obs.volumeM3 === undefined) return found(state);
    const date = calendar.local(ts).date;
    if (state.date === date) return found({ ...state, lastVolume: obs.volumeM3 });

    // a new day: judge the one that ended, if it was not a school day
    const s: State = { ...state, date, startVolume: obs.volumeM3, lastVolume: obs.volumeM3 };
    if (state.date === null || state.startVolume === null || state.lastVolume === null || calendar.isSchoolDay(state.date)) return found(s);
    const used = obs.volumeM3 - state.startVolume; // up to the first reading of the new day
    const type = calendar.dayType(state.date);
    const key = type === 'weekend' ? 'history' : type === 'holiday' ? 'holidayHistory' : 'awayHistory';
    const learned = state[key] ?? [];
    const learn = (h: number[]) => {
      s[key] = h;
    };
    learn(keepLast([...learned, used], p.learnDays));
    if (learned.length < p.minDays) return found(s);
    const avg = learned.reduce((a, b) => a + b, 0) / learned.length;
    const limit = avg * p.factor + p.floorM3;
    const h = sustain(s, ts, { active: used > limit, holdMs: 0 });
    Object.assign(s, h.state);
    if (h.raise) {
      learn(keepLast(learned, p.learnDays)); // an anomalous day does not teach
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'plumber',
          category: 'repair',
          title: '节假日用水异常',
          summary: `${state.date}（非上课日）用水 ${fmt(used, 2)} m³，以往同类日平均 ${fmt(avg, 2)} m³`,
          evidence: [{ ts, value: Math.round(used * 1000) / 1000, unit: 'm³' }],
          details: { date: state.date, usedM3: used, averageM3: avg },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, device.id, ts, `${state.date} 用水 ${fmt(used, 2)} m³，已恢复正常`));
    return found(s);
  },
});
