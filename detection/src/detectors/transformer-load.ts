/**
 * Transformer overload on the worst phase against rated current, not on total kVA (a unit at
 * 0.88 p.u. by kVA can have one phase at 1.22 p.u.). Rated current = kVA*1000/(sqrt(3)*V_LL).
 *   > sustainedPct for sustainedMin  -> major
 *   > heavyPct for heavyMin, or > instantPct at any reading -> critical (IEC 60076-7 cyclic limit 1.5 p.u.)
 * Clears when the worst phase is back under clearPct. A current no transformer can carry is a
 * measurement fault (transformer-sensor.ts), not an overload: skipped.
 */
import { ratedCurrentA, type TransformerValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, MIN, since } from '../helpers.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

interface State {
  over: number | null;
  heavy: number | null;
  lastTs: number | null;
  raised: boolean;
}

/** Worst-phase load in % of rated current. */
export function worstPhaseLoadPct(values: TransformerValues, ratedKVA: number, voltageLLV: number): number {
  return (Math.max(...values.currentA) / ratedCurrentA(ratedKVA, voltageLLV)) * 100;
}

export const transformerOverload: Detector<State> = {
  key: 'transformer.overload',
  kinds: ['transformer'],
  defaults: { sustainedPct: 100, sustainedMin: 15, heavyPct: 130, heavyMin: 2, instantPct: 150, clearPct: 95 },
  init: () => ({ over: null, heavy: null, lastTs: null, raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    if (device.kind !== 'transformer') return found(state);
    const ts = obs.reading.ts;
    const values = obs.reading.values as TransformerValues;
    if (impossibleCurrent(values, device)) return found({ ...state, lastTs: ts });
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const s: State = {
      over: since(state.over, load > p.sustainedPct!, ts, state.lastTs, 5 * MIN),
      heavy: since(state.heavy, load > p.heavyPct!, ts, state.lastTs, 5 * MIN),
      lastTs: ts,
      raised: state.raised,
    };
    let severity: 'critical' | 'major' | null = null;
    let rule = '';
    if (load > p.instantPct!) ((severity = 'critical'), (rule = `超过 ${p.instantPct}%`));
    else if (s.heavy !== null && ts - s.heavy >= p.heavyMin! * MIN)
      ((severity = 'critical'), (rule = `超过 ${p.heavyPct}% 已 ${Math.round((ts - s.heavy) / MIN)} 分钟`));
    else if (s.over !== null && ts - s.over >= p.sustainedMin! * MIN)
      ((severity = 'major'), (rule = `超过 ${p.sustainedPct}% 已 ${Math.round((ts - s.over) / MIN)} 分钟`));
    if (severity) {
      s.raised = true;
      const phase = 'ABC'[values.currentA.indexOf(Math.max(...values.currentA))];
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity,
          trade: 'electrician',
          category: 'repair',
          title: severity === 'critical' ? '变压器严重过载' : '变压器过载',
          summary: `${phase}相负载 ${fmt(load, 0)}%（电流 ${fmt(Math.max(...values.currentA), 0)} A / 额定 ${fmt(ratedCurrentA(device.ratedKVA, device.voltageLLV), 0)} A），${rule}`,
          evidence: [{ ts, value: Math.round(load), unit: '%' }],
          details: { loadPct: load, phase, currentA: values.currentA },
        }),
      );
    }
    if (state.raised && load < p.clearPct!) {
      s.raised = false;
      return found(s, clear(this.key, device.id, ts, `负载已降至 ${fmt(load, 0)}%`));
    }
    return found(s);
  },
};
