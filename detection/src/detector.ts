/**
 * A detector: a pure function of (state, observation, context) -> { state, findings }, plus a
 * descriptor (key, device kinds, default thresholds). All detectors are listed in registry.ts.
 */
import type { DeviceKind, Reading } from '@campus/contract';
import type { DeviceConfig, SchoolCalendar } from '@campus/site';
import type { Finding } from '@campus/repairs';
import type { RegisterFault, RegisterStep } from './detectors/register.ts';

export interface Observation {
  reading: Reading;
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

export interface DetectorContext {
  device: DeviceConfig;
  siteId: string;
  calendar: SchoolCalendar;
  /** thresholds: the detector's defaults, overridden by the campus file */
  params: Readonly<Record<string, number>>;
}

export interface Result<S> {
  state: S;
  findings: Finding[];
}

export interface Detector<S = unknown> {
  key: string;
  kinds: readonly DeviceKind[];
  /** further narrowing (e.g. only classroom meters) */
  appliesTo?: (device: DeviceConfig) => boolean;
  defaults: Readonly<Record<string, number>>;
  init(): S;
  onReading(state: S, obs: Observation, ctx: DetectorContext): Result<S>;
}
