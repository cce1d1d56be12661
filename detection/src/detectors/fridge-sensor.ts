/** A fridge reading -273 °C or +200 °C is a broken or unplugged sensor, not a food-safety event. */
import type { FridgeValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { implausible } from './fridge-common.ts';

interface State {
  raised: boolean;
}

export const fridgeSensor: Detector<State> = {
  key: 'fridge.sensor_fault',
  kinds: ['fridge'],
  defaults: {},
  init: () => ({ raised: false }),

  onReading(state, obs, ctx) {
    const t = (obs.reading.values as FridgeValues).tempC;
    const ts = obs.reading.ts;
    if (implausible(t)) {
      return found(
        { raised: true },
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
    if (state.raised) return found({ raised: false }, clear(this.key, ctx.device.id, ts, `传感器读数恢复正常（${fmt(t, 1)} °C）`));
    return found(state);
  },
};
