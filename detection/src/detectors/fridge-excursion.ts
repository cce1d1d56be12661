/**
 * Food-safety excursion: air temperature beyond the unit's limits (chiller / 留样 0-8 °C,
 * freezer above -12 °C; docs/developing/domain-rules.md) for 30 min (chiller, sample) or 45 min (freezer) -> major,
 * critical after 2 h (the 2-hour / 4-hour rule: food must then be used or discarded). The ticket
 * says how long the food has been out of range. Defrost cycles are suppressed (fridge-common.ts);
 * a warm spell excused as a defrost that then lasts longer or gets warmer than the learned defrost
 * counts from its start (it raises at once if that is already past the limit's minutes).
 * Impossible readings are a sensor fault (fridge-sensor.ts), not an excursion.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { DEFROST_PARAMS, EXCURSION_MIN, implausible, initDefrost, judgeTemperature, limitText, restoreDefrost, type DefrostState, type NotDefrost } from './fridge-common.ts';
import { duration, fmt, MIN } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

interface State extends Sustained {
  defrost: DefrostState;
  peak: number | null;
}

/** A warm spell first excused as a defrost, and why it was none. */
const NOT_DEFROST: Record<NotDefrost, string> = { longer: '比以往除霜更久', warmer: '比以往除霜更热', slower: '比以往除霜升温更慢' };

export const fridgeExcursion = defineDetector({
  key: 'fridge.excursion',
  kinds: ['fridge'],
  params: { ...EXCURSION_MIN, criticalMin: 120, ...DEFROST_PARAMS },
  /** the unit's limits, by default those of its class */
  optional: ['minC', 'maxC'],
  init: (): State => ({ defrost: initDefrost(), ...initSustained(), peak: null }),
  restore: (merged) => ({ ...merged, defrost: restoreDefrost(merged.defrost) }),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const ts = obs.reading.ts;
    const values = obs.reading.values;
    if (implausible(values.tempC)) return found({ ...state, lastTs: ts });
    const d = judgeTemperature(state.defrost, values, ts, device, p);
    const { limits, counting } = d;
    const limitMin = device.fridgeClass === 'freezer' ? p.freezerMin : p.chillerMin;
    // no longer a defrost: the food has been out of range since the warm spell began
    const prev = counting && d.outSince !== null && state.since === null ? { ...state, since: d.outSince } : state;
    const h = sustain(prev, ts, { active: counting, holdMs: limitMin * MIN, maxGapMs: 10 * MIN });
    const s: State = { ...state, ...h.state, defrost: d.state };
    if (s.since === null) {
      s.peak = null;
      if (h.clear) {
        const lasted = state.since !== null && state.lastTs !== null ? state.lastTs - state.since : 0;
        return found(s, clear(this.key, device.id, ts, `温度已恢复至 ${fmt(values.tempC, 1)} °C，超温共约 ${duration(lasted)}`));
      }
      return found(s);
    }
    s.peak = s.peak === null ? values.tempC : values.tempC > limits.max ? Math.max(s.peak, values.tempC) : Math.min(s.peak, values.tempC);
    if (d.outSince !== null && d.state.episode) s.peak = Math.max(s.peak, d.state.episode.peakC); // the warmest while it passed for a defrost
    const lasted = h.heldMs;
    if (!h.raise) return found(s);
    const critical = lasted >= p.criticalMin * MIN;
    const kind = { chiller: '冷藏柜', freezer: '冷冻柜', sample: '留样柜' }[device.fridgeClass];
    return found(
      s,
      raise(this.key, device.id, ts, {
        severity: critical ? 'critical' : 'major',
        trade: 'canteen',
        category: 'repair',
        title: `${kind}温度超标`,
        summary: `当前 ${fmt(values.tempC, 1)} °C（限值 ${limitText(limits)}），食品已超温 ${duration(lasted)}${d.notDefrost ? `（${NOT_DEFROST[d.notDefrost]}，不是除霜）` : ''}${critical ? '：超过 2 小时，按规定食品须立即使用或废弃' : ''}`,
        evidence: [{ ts, value: values.tempC, unit: '°C' }],
        // notDefrost: first excused as a defrost, it lasted longer / got warmer than the learned ones (dashboard/web/ticket-summary.ts)
        details: { outOfRangeMinutes: Math.round(lasted / MIN), since: s.since, peakC: s.peak, limits, ...(d.notDefrost ? { notDefrost: d.notDefrost } : {}) },
      }),
    );
  },
});
