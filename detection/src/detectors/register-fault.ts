/**
 * A register reading no meter can make is a data fault, not use: a value beyond the register's
 * own digits, or a jump that would mean a flow or a load beyond any meter of its kind (7055 ->
 * 1e15 -> 10 m³ once opened a critical burst at "1,200,000,005.86 m³/h" and paged the plumber at
 * night). The register step (register.ts) counts nothing for such a reading and keeps its
 * reference, so the flow detectors never see it; this detector opens one minor repair ticket for
 * the meter, its collector or its link, and clears it when the register reads plausibly again.
 *
 * The ceiling: `ratedFactor` x the rated flow (water, `ratedFlowM3h`) or load (`ratedKW`,
 * a transformer's `ratedKVA`), else `maxM3h` / `maxKW` (what no school meter passes): the
 * contract's registerLimits (register-limits.ts), so the store's daily use and the report count
 * no use for the jumps this detector calls faults.
 */
import { REGISTER_FAULT_DEFAULTS, REGISTER_FAULT_KEY } from '@campus/contract';
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, TRADE_OF_KIND } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

/** How fast a device's register can move (m³/h or kW), from its rating and the thresholds: the contract's rule, the one the store and the report follow. */
export { registerLimits } from '@campus/contract';

export const registerFault = defineDetector({
  key: REGISTER_FAULT_KEY,
  kinds: ['water_meter', 'electric_meter', 'transformer'],
  params: { ...REGISTER_FAULT_DEFAULTS },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { device } = ctx;
    const ts = obs.reading.ts;
    const step = obs.register;
    if (!step) return found(state);
    const water = device.kind === 'water_meter';
    const unit = water ? 'm³' : 'kWh';
    const fault = step.fault;
    const h = sustain(state, ts, { active: Boolean(fault), holdMs: 0 });
    if (fault) {
      const from = fault.reference === null ? '' : `从 ${fmt(fault.reference, 2)} ${unit} `;
      const why =
        fault.reason === 'beyond_register'
          ? `超出该表的量程（${fmt(step.registerMax, 0)} ${unit}）`
          : `，相当于 ${fmt(fault.perHour!, 0)} ${water ? 'm³/h' : 'kW'}，超过任何${water ? '水表' : '电表'}的能力（上限 ${fmt(step.maxPerHour, 0)}）`;
      return found(
        h.state,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: TRADE_OF_KIND[device.kind],
          category: 'repair',
          title: water ? '水表读数异常跳变' : '电表读数异常跳变',
          summary: `读数${from}跳到 ${fmt(fault.raw, 2)} ${unit}${why}：多为表具、采集器或通信故障。该读数不计入用量，也不据此判断爆管或过载`,
          evidence: [{ ts, value: fault.raw, unit }],
          details: { raw: fault.raw, reference: fault.reference, perHour: fault.perHour ?? null, reason: fault.reason },
        }),
      );
    }
    if (h.clear) {
      const how = step.event === 'replacement' ? '读数按换表或重置处理，从新值重新计量' : '读数恢复正常';
      return found(h.state, clear(this.key, device.id, ts, how));
    }
    return found(h.state);
  },
});
