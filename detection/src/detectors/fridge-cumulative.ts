/**
 * Cumulative time out of range in a local day: many short excursions add up. It counts what
 * fridge.excursion counts as out of range (the same defrost learning, fridge-common.ts): defrost
 * time does not count, and a warm spell that stops being excused as a defrost adds the time it
 * was excused. Nor does a spell fridge.excursion has ticketed (out of range for its
 * `excursionChillerMin` / `excursionFreezerMin`) that then ends with a defrost's shape (a defrost
 * not learned yet: it has its ticket, the same minutes get no second one): from the moment
 * fridge.excursion tickets it, its time waits until the spell is known to be no defrost (it left
 * a learned envelope, lasted longer than any defrost, or ended without a defrost's shape) and
 * is taken off the day when it ends as one. A ticket when a day's total passes `chillerMin` /
 * `freezerMin`. minor.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise, type Finding } from '@campus/repairs';
import {
  DEFROST_PARAMS,
  EXCURSION_MIN,
  implausible,
  initDefrost,
  judgeTemperature,
  limitText,
  mayBeDefrost,
  restoreDefrost,
  type DefrostState,
} from './fridge-common.ts';
import { duration, MIN } from '../helpers.ts';

interface State {
  defrost: DefrostState;
  date: string | null;
  totalMs: number;
  lastTs: number | null;
  lastWarm: boolean;
  raised: boolean;
  /** the warm spell under way: the time it counted, and of that the time waiting since fridge.excursion ticketed it (absent in older saved state) */
  spellMs?: number;
  pendingMs?: number;
}

/**
 * Not the sustained-then-cleared helper's shape: a day's tally passes a limit once (one raise),
 * and the ticket clears when the day ends, whatever the temperature then.
 */
export const fridgeCumulative = defineDetector({
  key: 'fridge.cumulative',
  kinds: ['fridge'],
  params: {
    chillerMin: 60,
    freezerMin: 90,
    /** fridge.excursion's chillerMin / freezerMin: a spell out of range this long has its ticket */
    excursionChillerMin: EXCURSION_MIN.chillerMin,
    excursionFreezerMin: EXCURSION_MIN.freezerMin,
    ...DEFROST_PARAMS,
  },
  /** the unit's limits, by default those of its class */
  optional: ['minC', 'maxC'],
  /** set once, on fridge.excursion: the limits, its minutes, the defrost thresholds */
  inherits: {
    from: 'fridge.excursion',
    params: {
      minC: 'minC',
      maxC: 'maxC',
      excursionChillerMin: 'chillerMin',
      excursionFreezerMin: 'freezerMin',
      ...(Object.fromEntries(Object.keys(DEFROST_PARAMS).map((k) => [k, k])) as Record<keyof typeof DEFROST_PARAMS, string>),
    },
  },
  init: (): State => ({ defrost: initDefrost(), date: null, totalMs: 0, lastTs: null, lastWarm: false, raised: false, spellMs: 0, pendingMs: 0 }),
  restore: (merged) => ({ ...merged, defrost: restoreDefrost(merged.defrost) }),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    if (implausible(values.tempC)) return found(state);
    const d = judgeTemperature(state.defrost, values, ts, device, p);
    const { limits, counting } = d;
    const date = calendar.local(ts).date;
    const s: State = { ...state, defrost: d.state, lastTs: ts, lastWarm: counting };
    const findings: Finding[] = [];
    let counted = 0;
    if (state.date !== date) {
      s.date = date;
      s.totalMs = 0;
      if (state.raised) {
        s.raised = false;
        findings.push(clear(this.key, device.id, ts, `新的一天，累计超温清零（${state.date} 共 ${duration(state.totalMs)}）`));
      }
    } else if (counting && state.lastWarm && state.lastTs !== null) {
      counted = Math.min(ts - state.lastTs, 10 * MIN); // a long gap is not counted as warm
    }
    if (d.revoked && d.outSince !== null) s.totalMs += ts - d.outSince; // excused as a defrost until now, and it was not one
    const spellMs = (state.spellMs ?? 0) + counted;
    const pendingMs = state.pendingMs ?? 0;
    const ticketedMs = (device.fridgeClass === 'freezer' ? p.excursionFreezerMin : p.excursionChillerMin) * MIN;
    const ep = d.state.episode;
    s.spellMs = ep ? spellMs : 0;
    s.pendingMs = 0;
    if (d.closed?.shaped && spellMs >= ticketedMs) s.totalMs = Math.max(0, s.totalMs - (spellMs - pendingMs)); // a defrost fridge.excursion ticketed
    else if (ep && spellMs >= ticketedMs && mayBeDefrost(ep, ts, p)) s.pendingMs = pendingMs + counted; // ticketed: is it a defrost?
    else s.totalMs += pendingMs + counted;
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
