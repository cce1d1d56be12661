/**
 * How fast a device's register can plausibly move (RegisterLimits): beyond it a jump is a register
 * fault, no use. One rule for detection's register.fault detector, the store's daily use (the
 * competition board) and the report's energy tables, so a jump no meter makes (a classroom meter
 * at 100 kWh reading 9,000,000 kWh) is no use anywhere.
 *
 * The ceiling: `ratedFactor` x the rated flow (water, `ratedFlowM3h`) or load (`ratedKW`, a
 * transformer's `ratedKVA`), else `maxM3h` / `maxKW` (what no school meter passes). The thresholds
 * are register.fault's: its defaults, then the campus file's `detection.defaults`, the device's
 * profile (`detection.profiles`), the device's own `thresholds` (the detection engine's order).
 */
import type { RegisterLimits } from './register-use.ts';

/** The register.fault detector's key in the campus file's detector settings. */
export const REGISTER_FAULT_KEY = 'register.fault';

export interface RegisterFaultThresholds {
  /** the ceiling as a multiple of the rated flow or load */
  ratedFactor: number;
  /** m³/h no school water meter passes (a meter without a rated flow) */
  maxM3h: number;
  /** kW no school electric meter passes (a meter without a rated load) */
  maxKW: number;
}

export const REGISTER_FAULT_DEFAULTS: Readonly<RegisterFaultThresholds> = Object.freeze({ ratedFactor: 10, maxM3h: 2000, maxKW: 5000 });

/** What the limits need of a device as the campus file gives it. */
export interface RatedDevice {
  kind: string;
  ratedFlowM3h?: number | undefined;
  ratedKW?: number | undefined;
  ratedKVA?: number | undefined;
}

/** How fast this device's register can move (m³/h or kW), from its rating and the thresholds; undefined for a device without a register. */
export function registerLimits(device: RatedDevice, p: RegisterFaultThresholds): RegisterLimits | undefined {
  const limits = (rated: number | undefined, ceiling: number): RegisterLimits =>
    rated === undefined ? { maxPerHour: ceiling } : { maxPerHour: rated * p.ratedFactor, ratedPerHour: rated };
  switch (device.kind) {
    case 'water_meter':
      return limits(device.ratedFlowM3h, p.maxM3h);
    case 'electric_meter':
      return limits(device.ratedKW, p.maxKW);
    case 'transformer':
      return limits(device.ratedKVA, p.maxKW);
    default:
      return undefined;
  }
}

type ThresholdSets = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The campus file's detector settings (`detection`): the site's thresholds and the named profiles. */
export interface DetectionSettings {
  defaults: ThresholdSets;
  profiles: Readonly<Record<string, ThresholdSets>>;
}

/** A device's thresholds as the campus file gives them: its profile's name and its own. */
export interface ThresholdedDevice {
  profile?: string | undefined;
  thresholds?: ThresholdSets | undefined;
}

/** register.fault's thresholds for a device: the defaults, then the site's, the device's profile's, the device's own. */
export function registerFaultThresholds(device: ThresholdedDevice, detection?: DetectionSettings): RegisterFaultThresholds {
  const profile = device.profile ? detection?.profiles[device.profile] : undefined;
  return {
    ...REGISTER_FAULT_DEFAULTS,
    ...detection?.defaults[REGISTER_FAULT_KEY],
    ...profile?.[REGISTER_FAULT_KEY],
    ...device.thresholds?.[REGISTER_FAULT_KEY],
  };
}

/** A device's register limits from the campus file: its rating, and register.fault's thresholds with the site's overrides. */
export const deviceRegisterLimits = (device: RatedDevice & ThresholdedDevice, detection?: DetectionSettings): RegisterLimits | undefined =>
  registerLimits(device, registerFaultThresholds(device, detection));
