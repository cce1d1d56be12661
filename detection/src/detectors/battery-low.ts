/**
 * A battery-powered sensor or meter running flat (Zigbee thermometers and door contacts, wM-Bus
 * meters report their charge): a minor ticket to change the battery before the device goes
 * silent, which would hide a fridge excursion or a leak. Cleared once it reports a full battery.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

export const batteryLow = defineDetector({
  key: 'device.battery_low',
  kinds: ['water_meter', 'fridge'],
  params: { lowPct: 15, okPct: 30 },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { params: p } = ctx;
    const pct = obs.reading.values.batteryPct;
    if (pct === undefined) return found(state);
    const ts = obs.reading.ts;
    const h = sustain(state, ts, { active: pct <= p.lowPct, holdMs: 0, gone: pct >= p.okPct });
    if (h.raise) {
      return found(
        h.state,
        raise(this.key, ctx.device.id, ts, {
          severity: 'minor',
          trade: 'electrician',
          category: 'repair',
          title: '传感器电池电量低',
          summary: `电池剩余 ${Math.round(pct)}%（低于 ${p.lowPct}%），请更换电池，以免设备停报`,
          evidence: [{ ts, value: pct, unit: '%' }],
        }),
      );
    }
    if (h.clear) return found(h.state, clear(this.key, ctx.device.id, ts, `电池已更换（${Math.round(pct)}%）`));
    return found(h.state);
  },
});
