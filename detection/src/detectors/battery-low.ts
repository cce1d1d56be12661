/**
 * A battery-powered sensor or meter running flat (Zigbee thermometers and door contacts, wM-Bus
 * meters report their charge): a minor ticket to change the battery before the device goes
 * silent, which would hide a fridge excursion or a leak. Cleared once it reports a full battery.
 */
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';

interface State {
  raised: boolean;
}

export const batteryLow: Detector<State> = {
  key: 'device.battery_low',
  kinds: ['water_meter', 'fridge'],
  defaults: { lowPct: 15, okPct: 30 },
  init: () => ({ raised: false }),

  onReading(state, obs, ctx) {
    const pct = (obs.reading.values as { batteryPct?: number }).batteryPct;
    if (pct === undefined) return found(state);
    const ts = obs.reading.ts;
    if (pct <= ctx.params.lowPct!) {
      return found(
        { raised: true },
        raise(this.key, ctx.device.id, ts, {
          severity: 'minor',
          trade: 'electrician',
          category: 'repair',
          title: '传感器电池电量低',
          summary: `电池剩余 ${Math.round(pct)}%（低于 ${ctx.params.lowPct}%），请更换电池，以免设备停报`,
          evidence: [{ ts, value: pct, unit: '%' }],
        }),
      );
    }
    if (state.raised && pct >= ctx.params.okPct!) return found({ raised: false }, clear(this.key, ctx.device.id, ts, `电池已更换（${Math.round(pct)}%）`));
    return found(state);
  },
};
