/** Top-oil temperature: alarm at 85 °C (major), critical at 95 °C (ONAN practice, secondary; IEC 60076-7 limit 105 °C). */
import type { TransformerValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { impossibleOil } from './transformer-sensor.ts';

interface State {
  raised: boolean;
}

export const transformerOilTemp: Detector<State> = {
  key: 'transformer.oil_temp',
  kinds: ['transformer'],
  defaults: { alarmC: 85, criticalC: 95, clearC: 80 },
  init: () => ({ raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const oil = (obs.reading.values as TransformerValues).oilTempC;
    // no reading, or one outside what oil in service can be (a probe fault: transformer-sensor.ts)
    if (oil === undefined || impossibleOil(oil)) return found(state);
    const ts = obs.reading.ts;
    if (oil >= p.alarmC!) {
      const critical = oil >= p.criticalC!;
      return found(
        { raised: true },
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
    if (state.raised && oil < p.clearC!) return found({ raised: false }, clear(this.key, device.id, ts, `油温已降至 ${fmt(oil, 1)} °C`));
    return found(state);
  },
};
