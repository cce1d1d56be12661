/** Top-oil temperature: alarm at 85 °C (major), critical at 95 °C (ONAN practice, secondary; IEC 60076-7 limit 105 °C). */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { impossibleOil } from './transformer-sensor.ts';

export const transformerOilTemp = defineDetector({
  key: 'transformer.oil_temp',
  kinds: ['transformer'],
  params: { alarmC: 85, criticalC: 95, clearC: 80 },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const oil = obs.reading.values.oilTempC;
    // no reading, or one outside what oil in service can be (a probe fault: transformer-sensor.ts)
    if (oil === undefined || impossibleOil(oil)) return found(state);
    const ts = obs.reading.ts;
    const h = sustain(state, ts, { active: oil >= p.alarmC, holdMs: 0, gone: oil < p.clearC });
    if (h.raise) {
      const critical = oil >= p.criticalC;
      return found(
        h.state,
        raise(this.key, device.id, ts, {
          severity: critical ? 'critical' : 'major',
          trade: 'electrician',
          category: 'repair',
          title: '变压器油温过高',
          summary: `顶层油温 ${fmt(oil, 1)} °C，${critical ? `超过 ${p.criticalC} °C 紧急限值` : `超过 ${p.alarmC} °C 报警值`}`,
          evidence: [{ ts, value: oil, unit: '°C' }],
        }),
      );
    }
    if (h.clear) return found(h.state, clear(this.key, device.id, ts, `油温已降至 ${fmt(oil, 1)} °C`));
    return found(h.state);
  },
});
