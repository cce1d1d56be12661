/** The meter says so: wmbusmeters / Kamstrup status flags LEAK (major) and BURST (critical). */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

export const waterMeterFlags = defineDetector({
  key: 'water.meter_alarm',
  kinds: ['water_meter'],
  params: {},
  init: (): Sustained => initSustained(),
  // older versions saved the flag raised ('LEAK' / 'BURST' / null)
  restore: (s) => ({ ...s, raised: Boolean(s.raised) }),

  onReading(state, obs, ctx) {
    const flags = obs.reading.values.status;
    if (flags === undefined) return found(state); // this meter does not report flags
    const flag = flags.includes('BURST') ? 'BURST' : flags.includes('LEAK') ? 'LEAK' : null;
    const ts = obs.reading.ts;
    const h = sustain(state, ts, { active: flag !== null, holdMs: 0 });
    if (flag) {
      return found(
        h.state,
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
    if (h.clear) return found(h.state, clear(this.key, ctx.device.id, ts, '水表报警状态已解除'));
    return found(h.state);
  },
});
