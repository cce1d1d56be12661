/**
 * A detector: a pure function of (state, observation, context) -> { state, findings }, plus a
 * descriptor (key, device kinds, thresholds with their defaults), made with `defineDetector`.
 * All detectors are listed in registry.ts.
 */
import type { DeviceKind, ElectricMeterValues, FridgeValues, Reading, TransformerValues, WaterMeterValues } from '@campus/contract';
import type { DeviceConfig, SchoolCalendar } from '@campus/site';
import type { Finding } from '@campus/repairs';
import type { RegisterFault, RegisterStep } from './detectors/register.ts';

/** What a reading of each kind of device carries. */
export interface ValuesByKind {
  water_meter: WaterMeterValues;
  electric_meter: ElectricMeterValues;
  transformer: TransformerValues;
  fridge: FridgeValues;
}

/** A device of one of the kinds `K`. */
export type DeviceOf<K extends DeviceKind> = Extract<DeviceConfig, { kind: K }>;

/** A reading from a device of one of the kinds `K` (the engine gives a detector only those). */
export type ReadingOf<K extends DeviceKind> = Omit<Reading, 'kind' | 'values'> & { [k in K]: { kind: k; values: ValuesByKind[k] } }[K];

export interface Observation<K extends DeviceKind = DeviceKind> {
  reading: ReadingOf<K>;
  /** water meters: register value after rollover / replacement handling (continuous), m³ */
  volumeM3?: number;
  /** water meters: average flow since the previous reading, from the register, m³/h */
  flowM3h?: number;
  /** ms since the previous reading of this device */
  intervalMs?: number;
  /** meters with a cumulative register (m³, kWh): what the register step made of this reading */
  register?: {
    event: RegisterStep['event'];
    /** no meter reading: nothing counted, no volume given to the flow detectors */
    fault?: RegisterFault;
    registerMax: number;
    maxPerHour: number;
  };
}

/** A detector's thresholds by name. Every threshold is a number: the campus file's schema says so. */
export type Thresholds = Readonly<Record<string, number>>;

/** A meter's newest register reading as the engine stepped it (the other devices of a site, for a water balance). */
export interface LatestRegister {
  ts: number;
  /** register after rollover / replacement handling (continuous); null on a register fault */
  volume: number | null;
  /** the reading before it that had a volume (to interpolate between), null before the second */
  prev: { ts: number; volume: number } | null;
}

/** The site's devices and the newest register of each that has one: read-only, kept by the engine. */
export interface SiteRegisters {
  devices: readonly DeviceConfig[];
  latest: ReadonlyMap<string, LatestRegister>;
}

export interface DetectorContext<P = Thresholds, K extends DeviceKind = DeviceKind> {
  device: DeviceOf<K>;
  siteId: string;
  calendar: SchoolCalendar;
  /** thresholds: the detector's defaults, overridden by the campus file */
  params: Readonly<P>;
  /** the other devices' newest registers (given by the engine; absent where a detector is run alone) */
  site?: SiteRegisters;
}

export interface Result<S> {
  state: S;
  findings: Finding[];
}

export interface Detector<S = unknown, P = Thresholds, K extends DeviceKind = DeviceKind> {
  key: string;
  kinds: readonly K[];
  /** further narrowing (e.g. only classroom meters) */
  appliesTo?: (device: DeviceOf<K>) => boolean;
  /** every threshold that has a default, with it */
  defaults: Readonly<P>;
  /** thresholds without a default: unset unless the campus file sets them */
  optional: readonly string[];
  /**
   * Thresholds that follow another detector's: what the campus file sets for `from` (at each level:
   * the site, a profile, the device) applies to these names too, unless set here at the same level.
   * So a school sets a fridge's limits and excursion minutes once, on fridge.excursion.
   */
  inherits?: Inherits;
  init(): S;
  /**
   * State saved by this or an older version (its known fields already laid over `init()`), made
   * current: e.g. a field that was renamed. Without it the merged state is used as it is.
   */
  restore?(merged: S, saved: Readonly<Record<string, unknown>>): S;
  onReading(state: S, obs: Observation<K>, ctx: DetectorContext<P, K>): Result<S>;
  /** called on the engine's clock tick, for a detector that judges silence or the time of day */
  onTick?(state: S, now: number, ctx: DetectorContext<P, K>): Result<S>;
}

/** The thresholds a detector defined with defaults `D` and optional thresholds `O` is given. */
export type ParamsOf<D, O extends string = never> = D & { readonly [K in O]?: number };

/** this detector's threshold name -> the name it has in detector `from` */
export interface Inherits {
  from: string;
  params: Readonly<Record<string, string>>;
}

export interface DetectorDefinition<S, D extends Thresholds, O extends string, K extends DeviceKind> {
  key: string;
  /** the kinds of device it judges: `obs.reading.values` and `ctx.device` are typed by them */
  kinds: readonly K[];
  appliesTo?: (device: DeviceOf<K>) => boolean;
  /** the thresholds and their defaults: the types of `ctx.params` are inferred from these */
  params: D;
  /** thresholds that have no default (e.g. a fridge's limits, which come from its class) */
  optional?: readonly O[];
  /** thresholds set once on another detector (see Detector.inherits); keys are this detector's names */
  inherits?: { from: string; params: Readonly<Partial<Record<keyof D | O, string>>> };
  init(): S;
  restore?(merged: S, saved: Readonly<Record<string, unknown>>): S;
  onReading(state: S, obs: Observation<K>, ctx: DetectorContext<ParamsOf<D, O>, K>): Result<S>;
  onTick?(state: S, now: number, ctx: DetectorContext<ParamsOf<D, O>, K>): Result<S>;
}

/**
 * Defines a detector: its thresholds' types come from their defaults (and `optional`), so a
 * detector reads `ctx.params.minutes` as a number and `ctx.params.maxC` as `number | undefined`,
 * and a fridge detector reads `obs.reading.values.tempC` and `ctx.device.fridgeClass` without a cast;
 * the engine refuses a campus-file override that the definition does not name.
 */
export function defineDetector<S, D extends Thresholds, K extends DeviceKind, O extends string = never>(
  definition: DetectorDefinition<S, D, O, K>,
): Detector<S, ParamsOf<D, O>, K> {
  const { params, optional = [], inherits, ...rest } = definition;
  return {
    ...rest,
    ...(inherits && { inherits: inherits as Inherits }),
    defaults: Object.freeze({ ...params }),
    optional: Object.freeze([...optional]),
  };
}

/** What the campus file set for a detector's thresholds, checked against its definition: one line per problem, by path. */
export function thresholdProblems(
  detector: Pick<Detector<unknown, Readonly<Record<string, unknown>>, DeviceKind>, 'key' | 'defaults' | 'optional'>,
  set: Readonly<Record<string, unknown>>,
  at: string,
): string[] {
  const { defaults } = detector;
  const names = [...Object.keys(defaults), ...detector.optional];
  return Object.entries(set).flatMap(([name, value]) => {
    if (!names.includes(name)) return [`${at}.${name}: not a threshold of ${detector.key} (${names.join(', ')})`];
    const expected = typeof (defaults[name] ?? 0);
    if (typeof value !== expected || (typeof value === 'number' && !Number.isFinite(value)))
      return [`${at}.${name}: must be a finite ${expected}, not ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`];
    return [];
  });
}
