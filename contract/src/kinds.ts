/** Device kinds the product understands, and the units of their telemetry fields. */

export const DEVICE_KINDS = ['water_meter', 'electric_meter', 'transformer', 'fridge'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function isDeviceKind(value: unknown): value is DeviceKind {
  return typeof value === 'string' && (DEVICE_KINDS as readonly string[]).includes(value);
}

/** Fridge classes and their food-safety meaning (docs/developing/domain-rules.md). */
export const FRIDGE_CLASSES = ['chiller', 'freezer', 'sample'] as const;
export type FridgeClass = (typeof FRIDGE_CLASSES)[number];

/** Units of the native telemetry fields; the field name carries the unit too (totalM3, powerKW). */
export const FIELD_UNITS: Readonly<Record<string, string>> = Object.freeze({
  totalM3: 'm³',
  flowM3h: 'm³/h',
  totalKWh: 'kWh',
  powerKW: 'kW',
  currentA: 'A',
  voltageV: 'V',
  oilTempC: '°C',
  tempC: '°C',
  setpointC: '°C',
});

/** Chinese names of the kinds, for pages and messages. */
export const KIND_LABELS_ZH: Readonly<Record<DeviceKind, string>> = Object.freeze({
  water_meter: '水表',
  electric_meter: '电表',
  transformer: '变压器',
  fridge: '冷柜',
});

/**
 * Food-safety air-temperature limits by fridge class, °C (docs/developing/domain-rules.md: chiller 0–8 °C per
 * GB 31654-2021 practice; freezer alarm above -12 °C, target -18 °C; 留样 sample fridge 0–8 °C).
 */
export const FRIDGE_LIMITS_C: Readonly<Record<FridgeClass, { min?: number; max: number; target?: number }>> = Object.freeze({
  chiller: { min: 0, max: 8 },
  freezer: { max: -12, target: -18 },
  sample: { min: 0, max: 8 },
});
