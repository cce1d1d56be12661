/**
 * The fields a chart can ask for, per kind: a stored field, a phase of one, or a derived value.
 * The store turns the name into its own expression; nothing else reaches a query.
 */
import type { DeviceKind } from './kinds.ts';

export interface SeriesField {
  name: string;
  unit: string;
  labelZh: string;
  /** JSON paths inside the stored values; several mean "the largest of them" */
  paths: string[];
}

const f = (name: string, unit: string, labelZh: string, ...paths: string[]): SeriesField => ({
  name,
  unit,
  labelZh,
  paths: paths.length ? paths : [`$.${name}`],
});

export const SERIES_FIELDS: Readonly<Record<DeviceKind, readonly SeriesField[]>> = Object.freeze({
  water_meter: [f('flowM3h', 'm³/h', '流量'), f('totalM3', 'm³', '累计用水')],
  electric_meter: [f('powerKW', 'kW', '功率'), f('totalKWh', 'kWh', '累计电量')],
  transformer: [
    f('worstPhaseA', 'A', '最大相电流', '$.currentA[0]', '$.currentA[1]', '$.currentA[2]'),
    f('powerKW', 'kW', '有功功率'),
    f('oilTempC', '°C', '顶层油温'),
    f('currentA.a', 'A', 'A相电流', '$.currentA[0]'),
    f('currentA.b', 'A', 'B相电流', '$.currentA[1]'),
    f('currentA.c', 'A', 'C相电流', '$.currentA[2]'),
    f('totalKWh', 'kWh', '累计电量'),
  ],
  fridge: [f('tempC', '°C', '温度'), f('setpointC', '°C', '设定温度')],
});

export function seriesField(kind: DeviceKind, name?: string): SeriesField | undefined {
  const fields = SERIES_FIELDS[kind];
  return name ? fields.find((x) => x.name === name) : fields[0];
}

/** Rated current per phase, A: kVA * 1000 / (sqrt(3) * V_LL) (docs/developing/domain-rules.md, transformers). */
export function ratedCurrentA(ratedKVA: number, voltageLLV: number): number {
  return (ratedKVA * 1000) / (Math.sqrt(3) * voltageLLV);
}
