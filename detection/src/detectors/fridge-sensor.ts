/** A fridge reading -273 °C or +200 °C is a broken or unplugged sensor, not a food-safety event. */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { implausible } from './fridge-common.ts';

export const fridgeSensor = defineDetector({
  key: 'fridge.sensor_fault',
  kinds: ['fridge'],
  params: {},
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const t = obs.reading.values.tempC;
    const ts = obs.reading.ts;
    const h = sustain(state, ts, { active: implausible(t), holdMs: 0 });
    if (h.raise) {
      return found(
        h.state,
        raise(this.key, ctx.device.id, ts, {
          severity: 'minor',
          trade: 'office',
          category: 'repair',
          title: '温度传感器故障',
          summary: `读数 ${fmt(t, 1)} °C 不可能出现：传感器损坏、脱落或接线故障，期间无法监测食品安全`,
          evidence: [{ ts, value: t, unit: '°C' }],
        }),
      );
    }
    if (h.clear) return found(h.state, clear(this.key, ctx.device.id, ts, `传感器读数恢复正常（${fmt(t, 1)} °C）`));
    return found(h.state);
  },
});
