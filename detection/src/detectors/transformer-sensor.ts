/**
 * A transformer monitor reading what no transformer can do is a measurement fault (a current
 * transformer open or miswired, a monitor with a wrong ratio, a corrupted message), not an
 * overload: a phase current above IMPOSSIBLE_LOAD_PCT of rated (protection clears a fault current
 * of that size within seconds, long before a reading), or a top-oil temperature outside
 * OIL_RANGE_C (mineral oil flashes at about 140 °C). One minor ticket for the electrician; the
 * load, imbalance, capacity and oil detectors skip such readings (like fridge-sensor.ts for fridges).
 */
import { ratedCurrentA, type TransformerValues } from '@campus/contract';
import type { DeviceConfig } from '@campus/site';
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

export const IMPOSSIBLE_LOAD_PCT = 1000;
export const OIL_RANGE_C = { min: -60, max: 200 } as const;

/** Some phase current is beyond anything the transformer can carry. */
export function impossibleCurrent(values: TransformerValues, device: DeviceConfig): boolean {
  if (device.kind !== 'transformer') return false;
  return Math.max(...values.currentA) > (ratedCurrentA(device.ratedKVA, device.voltageLLV) * IMPOSSIBLE_LOAD_PCT) / 100;
}

/** The top-oil reading is outside what oil in service can be. */
export const impossibleOil = (oilC: number | undefined): boolean => oilC !== undefined && (oilC < OIL_RANGE_C.min || oilC > OIL_RANGE_C.max);

export const transformerSensor = defineDetector({
  key: 'transformer.sensor_fault',
  kinds: ['transformer'],
  params: {},
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { device } = ctx;
    const values = obs.reading.values;
    const ts = obs.reading.ts;
    const current = impossibleCurrent(values, device);
    const oil = impossibleOil(values.oilTempC);
    const h = sustain(state, ts, { active: current || oil, holdMs: 0 });
    if (h.raise) {
      const rated = ratedCurrentA(device.ratedKVA, device.voltageLLV);
      const what = [
        current ? `电流 ${values.currentA.map((a) => fmt(a, 0)).join(' / ')} A 超过额定电流（${fmt(rated, 0)} A）的 ${IMPOSSIBLE_LOAD_PCT / 100} 倍` : '',
        oil ? `油温 ${fmt(values.oilTempC!, 1)} °C 超出 ${OIL_RANGE_C.min}～${OIL_RANGE_C.max} °C` : '',
      ].filter(Boolean);
      return found(
        h.state,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'electrician',
          category: 'repair',
          title: '变压器监测读数异常',
          summary: `${what.join('，')}：变压器不可能持续如此，多为电流互感器、测温探头或监测仪故障（若同时停电，请检查是否短路）。期间不按此读数判断过载`,
          evidence: current ? [{ ts, value: Math.max(...values.currentA), unit: 'A' }] : [{ ts, value: values.oilTempC!, unit: '°C' }],
          details: { currentA: values.currentA, oilTempC: values.oilTempC, ratedCurrentA: rated },
        }),
      );
    }
    if (h.clear) return found(h.state, clear(this.key, device.id, ts, '监测读数恢复正常'));
    return found(h.state);
  },
});
