/**
 * Flat field names: how a reading's values look in a column store and in rollups.
 * `currentA: [a, b, c]` becomes `currentA_a`, `currentA_b`, `currentA_c`; booleans stay booleans
 * (rollups count them as 0/1, so an average is a share of time); flags become one string.
 * The InfluxDB schema (README "InfluxDB schema") is these names, so Grafana needs none of our code.
 */
import type { DeviceKind } from './kinds.ts';
import { TELEMETRY_FIELDS, type TelemetryValues } from './telemetry.ts';

export type FlatValue = number | boolean | string;

const PHASES = ['a', 'b', 'c'] as const;

/** The flat fields of one reading (absent optional fields are absent here too). */
export function flattenValues(kind: DeviceKind, values: TelemetryValues): Record<string, FlatValue> {
  const out: Record<string, FlatValue> = {};
  const v = values as unknown as Record<string, unknown>;
  for (const [name, spec] of Object.entries(TELEMETRY_FIELDS[kind])) {
    const x = v[name];
    if (x === undefined || x === null) continue;
    if (spec.type === 'phases') (x as number[]).forEach((p, i) => (out[`${name}_${PHASES[i]}`] = p));
    else if (spec.type === 'flags') out[name] = Array.isArray(x) ? x.join(' ') : String(x);
    else out[name] = x as number | boolean;
  }
  return out;
}

/** The flat fields of a kind that have a number to aggregate (numbers, phases, booleans as 0/1). */
export function rollupFields(kind: DeviceKind): string[] {
  return Object.entries(TELEMETRY_FIELDS[kind]).flatMap(([name, spec]) =>
    spec.type === 'phases' ? PHASES.map((p) => `${name}_${p}`) : spec.type === 'flags' ? [] : [name],
  );
}

/** The number a rollup aggregates for a flat value (undefined for strings). */
export function rollupNumber(value: FlatValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** A series path of SERIES_FIELDS ('$.totalKWh', '$.currentA[1]') as a flat field name. */
export function pathField(path: string): string {
  const m = /^\$\.([A-Za-z][A-Za-z0-9]*)(?:\[([0-2])\])?$/.exec(path);
  if (!m) throw new Error(`not a field path: ${path}`);
  return m[2] === undefined ? m[1]! : `${m[1]}_${PHASES[Number(m[2])]}`;
}
