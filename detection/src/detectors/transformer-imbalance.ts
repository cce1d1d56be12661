/**
 * Phase imbalance: (I_max - I_min) / I_max above `ratio` for `minutes` while the worst phase is
 * above `minLoadPct` of rated (light loads are naturally uneven). minor. (15 %: secondary
 * sources; some give 25 %.)
 */
import type { TransformerValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, MIN, since } from '../helpers.ts';
import { worstPhaseLoadPct } from './transformer-load.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

interface State {
  since: number | null;
  lastTs: number | null;
  raised: boolean;
}

export const transformerImbalance: Detector<State> = {
  key: 'transformer.imbalance',
  kinds: ['transformer'],
  defaults: { ratio: 0.15, minutes: 30, minLoadPct: 30 },
  init: () => ({ since: null, lastTs: null, raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    if (device.kind !== 'transformer') return found(state);
    const ts = obs.reading.ts;
    const values = obs.reading.values as TransformerValues;
    // a measurement fault (transformer-sensor.ts) says nothing about the balance of the load
    if (impossibleCurrent(values, device)) return found({ ...state, lastTs: ts });
    const max = Math.max(...values.currentA);
    const min = Math.min(...values.currentA);
    const imbalance = max > 0 ? (max - min) / max : 0;
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const s: State = { since: since(state.since, imbalance > p.ratio! && load > p.minLoadPct!, ts, state.lastTs), lastTs: ts, raised: state.raised };
    if (s.since !== null && ts - s.since >= p.minutes! * MIN) {
      s.raised = true;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'electrician',
          category: 'repair',
          title: '变压器三相不平衡',
          summary: `三相电流 ${values.currentA.map((a) => fmt(a, 0)).join(' / ')} A，不平衡度 ${fmt(imbalance * 100, 0)}%，已持续 ${Math.round((ts - s.since) / MIN)} 分钟：请调整单相负荷分配`,
          evidence: [{ ts, value: Math.round(imbalance * 100), unit: '%' }],
          details: { imbalance, currentA: values.currentA },
        }),
      );
    }
    if (state.raised && s.since === null) {
      s.raised = false;
      return found(s, clear(this.key, device.id, ts, `不平衡度已降至 ${fmt(imbalance * 100, 0)}%`));
    }
    return found(s);
  },
};
