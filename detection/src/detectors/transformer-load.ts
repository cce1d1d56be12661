/**
 * Transformer overload on the worst phase against rated current, not on total kVA (a unit at
 * 0.88 p.u. by kVA can have one phase at 1.22 p.u.). Rated current = kVA*1000/(sqrt(3)*V_LL).
 *   > sustainedPct for sustainedMin  -> major
 *   > heavyPct for heavyMin, or > instantPct at any reading -> critical (IEC 60076-7 cyclic limit 1.5 p.u.)
 * Clears when the worst phase is back under clearPct. A current no transformer can carry is a
 * measurement fault (transformer-sensor.ts), not an overload: skipped.
 */
import { ratedCurrentA, type TransformerValues } from '@campus/contract';
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, MIN } from '../helpers.ts';
import { initSustained, since, sustain, type Sustained } from '../sustained.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

/** `since` is the run above sustainedPct (saved as `over` by older versions); `heavy` the run above heavyPct. */
interface State extends Sustained {
  heavy: number | null;
}

/** Worst-phase load in % of rated current. */
export function worstPhaseLoadPct(values: TransformerValues, ratedKVA: number, voltageLLV: number): number {
  return (Math.max(...values.currentA) / ratedCurrentA(ratedKVA, voltageLLV)) * 100;
}

export const transformerOverload = defineDetector({
  key: 'transformer.overload',
  kinds: ['transformer'],
  params: { sustainedPct: 100, sustainedMin: 15, heavyPct: 130, heavyMin: 2, instantPct: 150, clearPct: 95 },
  init: (): State => ({ ...initSustained(), heavy: null }),
  restore: (s, saved) => (typeof saved.over === 'number' && s.since === null ? { ...s, since: saved.over } : s),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    if (impossibleCurrent(values, device)) return found({ ...state, lastTs: ts });
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const heavy = since(state.heavy, load > p.heavyPct, ts, state.lastTs, 5 * MIN);
    const heavyHeld = heavy !== null && ts - heavy >= p.heavyMin * MIN;
    const h = sustain(state, ts, {
      active: load > p.sustainedPct,
      holdMs: p.sustainedMin * MIN,
      urgent: load > p.instantPct || heavyHeld,
      gone: load < p.clearPct,
      maxGapMs: 5 * MIN,
    });
    const s: State = { ...h.state, heavy };
    if (h.raise) {
      const [severity, rule]: ['critical' | 'major', string] =
        load > p.instantPct
          ? ['critical', `超过 ${p.instantPct}%`]
          : heavyHeld
            ? ['critical', `超过 ${p.heavyPct}% 已 ${Math.round((ts - heavy) / MIN)} 分钟`]
            : ['major', `超过 ${p.sustainedPct}% 已 ${Math.round(h.heldMs / MIN)} 分钟`];
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
    if (h.clear) return found(s, clear(this.key, device.id, ts, `负载已降至 ${fmt(load, 0)}%`));
    return found(s);
  },
});
