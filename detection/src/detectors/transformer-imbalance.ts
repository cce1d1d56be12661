/**
 * Phase imbalance: (I_max - I_min) / I_max above `ratio` for `minutes` while the worst phase is
 * above `minLoadPct` of rated (light loads are naturally uneven). minor. (15 %: secondary
 * sources; some give 25 %.)
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, MIN } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { worstPhaseLoadPct } from './transformer-load.ts';
import { impossibleCurrent } from './transformer-sensor.ts';

export const transformerImbalance = defineDetector({
  key: 'transformer.imbalance',
  kinds: ['transformer'],
  params: { ratio: 0.15, minutes: 30, minLoadPct: 30 },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    // a measurement fault (transformer-sensor.ts) says nothing about the balance of the load
    if (impossibleCurrent(values, device)) return found({ ...state, lastTs: ts });
    const max = Math.max(...values.currentA);
    const min = Math.min(...values.currentA);
    const imbalance = max > 0 ? (max - min) / max : 0;
    const load = worstPhaseLoadPct(values, device.ratedKVA, device.voltageLLV);
    const h = sustain(state, ts, { active: imbalance > p.ratio && load > p.minLoadPct, holdMs: p.minutes * MIN });
    if (h.raise) {
      return found(
        h.state,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'electrician',
          category: 'repair',
          title: '变压器三相不平衡',
          summary: `三相电流 ${values.currentA.map((a) => fmt(a, 0)).join(' / ')} A，不平衡度 ${fmt(imbalance * 100, 0)}%，已持续 ${Math.round(h.heldMs / MIN)} 分钟：请调整单相负荷分配`,
          evidence: [{ ts, value: Math.round(imbalance * 100), unit: '%' }],
          details: { imbalance, currentA: values.currentA },
        }),
      );
    }
    if (h.clear) return found(h.state, clear(this.key, device.id, ts, `不平衡度已降至 ${fmt(imbalance * 100, 0)}%`));
    return found(h.state);
  },
});
