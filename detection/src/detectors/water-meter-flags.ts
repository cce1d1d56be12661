/** The meter says so: wmbusmeters / Kamstrup status flags LEAK (major) and BURST (critical). */
import type { WaterMeterValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';

interface State {
  raised: 'LEAK' | 'BURST' | null;
}

export const waterMeterFlags: Detector<State> = {
  key: 'water.meter_alarm',
  kinds: ['water_meter'],
  defaults: {},
  init: () => ({ raised: null }),

  onReading(state, obs, ctx) {
    const flags = (obs.reading.values as WaterMeterValues).status;
    if (flags === undefined) return found(state); // this meter does not report flags
    const flag = flags.includes('BURST') ? 'BURST' : flags.includes('LEAK') ? 'LEAK' : null;
    const ts = obs.reading.ts;
    if (flag) {
      return found(
        { raised: flag },
        raise(this.key, ctx.device.id, ts, {
          severity: flag === 'BURST' ? 'critical' : 'major',
          trade: 'plumber',
          category: 'repair',
          title: flag === 'BURST' ? '水表报警：爆管' : '水表报警：漏水',
          summary: `水表自身报警状态：${flags.join(' ')}`,
          details: { flags },
        }),
      );
    }
    if (state.raised) return found({ raised: null }, clear(this.key, ctx.device.id, ts, '水表报警状态已解除'));
    return found(state);
  },
};
