/**
 * Cumulative time out of range in a local day: many short excursions add up. Defrost time does
 * not count. A ticket when a day's total passes `chillerMin` / `freezerMin`. minor.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise, type Finding } from '@campus/repairs';
import { defrostStep, fridgeLimits, implausible, initDefrost, limitText, outOfRange, type DefrostState } from './fridge-common.ts';
import { duration, MIN } from '../helpers.ts';

interface State {
  defrost: DefrostState;
  date: string | null;
  totalMs: number;
  lastTs: number | null;
  lastWarm: boolean;
  raised: boolean;
}

/**
 * Not the sustained-then-cleared helper's shape: a day's tally passes a limit once (one raise),
 * and the ticket clears when the day ends, whatever the temperature then.
 */
export const fridgeCumulative = defineDetector({
  key: 'fridge.cumulative',
  kinds: ['fridge'],
  params: { chillerMin: 60, freezerMin: 90, postDefrostMin: 30 },
  /** the unit's limits, by default those of its class */
  optional: ['minC', 'maxC'],
  init: (): State => ({ defrost: initDefrost(), date: null, totalMs: 0, lastTs: null, lastWarm: false, raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    if (implausible(values.tempC)) return found(state);
    const limits = fridgeLimits(device, p);
    const warm = outOfRange(values.tempC, limits);
    const d = defrostStep(state.defrost, values, ts, warm, p.postDefrostMin);
    const counting = warm && !d.suppressed;
    const date = calendar.local(ts).date;
    const s: State = { ...state, defrost: d.state, lastTs: ts, lastWarm: counting };
    const findings: Finding[] = [];
    if (state.date !== date) {
      s.date = date;
      s.totalMs = 0;
      if (state.raised) {
        s.raised = false;
        findings.push(clear(this.key, device.id, ts, `新的一天，累计超温清零（${state.date} 共 ${duration(state.totalMs)}）`));
      }
    } else if (counting && state.lastWarm && state.lastTs !== null) {
      s.totalMs += Math.min(ts - state.lastTs, 10 * MIN); // a long gap is not counted as warm
    }
    const limitMin = device.fridgeClass === 'freezer' ? p.freezerMin : p.chillerMin;
    if (s.totalMs >= limitMin * MIN && !s.raised) {
      s.raised = true;
      findings.push(
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'canteen',
          category: 'repair',
          title: '冷柜当日累计超温',
          summary: `今日累计超出 ${limitText(limits)} 已 ${duration(s.totalMs)}（多次短时超温累加，非除霜）：请检查门封、制冷和装载`,
          details: { date, cumulativeMinutes: Math.round(s.totalMs / MIN) },
        }),
      );
    }
    return found(s, ...findings);
  },
});
