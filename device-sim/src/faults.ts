/**
 * Faults on demand, labelled so that an evaluation can check that detection caught them.
 * A fault has a kind, a target (device or gateway), a start and an optional end; models ask the
 * book what is wrong with them at a given time.
 */
export const FAULT_KINDS = [
  'leak', // water_meter: extra flow, L/h; rampHours > 0 makes it incipient (growing to full size)
  'cistern', // water_meter: a running toilet cistern (default 50 L/h)
  'burst', // water_meter: extra flow, m³/h
  'meter_leak', // water_meter: the meter's own alarm flag LEAK (smart meters detect leaks themselves)
  'meter_burst', // water_meter: the meter's own alarm flag BURST
  'rollover', // water_meter: starts `beforeM3` below the end of its register, and wraps during the run
  'replacement', // water_meter: a new meter, register back to zero
  'overload', // transformer: worst phase driven to `pct` % of rated
  'imbalance', // transformer: phases `ratio` apart at `pct` % load
  'compressor_failure', // fridge: no cooling
  'door_open', // fridge: door left open
  'lights_on', // electric_meter: lights and air conditioning left on (kW)
  'gateway_outage', // gateway: every device behind it falls silent
  'silent', // any device: stops reporting
  // conditions that are not faults but shapes of real use the evaluation needs (labelled like faults)
  'night_use', // water_meter: students up at night (toilet flushes, taps), `perHour` (default 3), varying night to night
  'defrost_cycle', // fridge: an unreported defrost every `everyHours` (±`jitterHours`) for `minutes`, the air up to `peakC`
  'hot_spell', // transformer: hot weather, air conditioning adds up to `pct` % of rated on school afternoons
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  id: string;
  kind: FaultKind;
  /** device id, or gateway id for gateway_outage */
  target: string;
  /** epoch ms */
  from: number;
  to?: number;
  /**
   * size: lph (leak, cistern), m3h (burst), pct (overload, imbalance, hot_spell), ratio (imbalance), kw (lights_on),
   * rampHours (leak: an incipient leak grows linearly to `lph` over it, e.g. 1008 for six weeks), perHour (night_use),
   * everyHours, minutes, jitterHours, peakC, reported 0|1 (defrost_cycle)
   */
  size?: Record<string, number>;
}

/** The names a fault's `size` may use (the CLI's `--ramp-hours N` is `rampHours`). */
export const FAULT_SIZES = ['lph', 'm3h', 'pct', 'ratio', 'kw', 'rampHours', 'perHour', 'everyHours', 'minutes', 'jitterHours', 'peakC', 'reported'] as const;

export class FaultBook {
  private faults: Fault[] = [];
  private readonly gatewayOf = new Map<string, string | undefined>();

  constructor(devices: readonly { id: string; gateway?: string }[] = []) {
    for (const d of devices) this.gatewayOf.set(d.id, d.gateway);
  }

  set(faults: Fault[]): void {
    this.faults = [...faults];
  }

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Faults of `kind` on `target` running at `ts`. */
  active(target: string, kind: FaultKind, ts: number): Fault[] {
    return this.faults.filter((f) => f.target === target && f.kind === kind && ts >= f.from && (f.to === undefined || ts < f.to));
  }

  /** One-off register events (rollover, replacement) that started after `since` and by `ts`. */
  events(target: string, kind: 'rollover' | 'replacement', since: number, ts: number): Fault[] {
    return this.faults.filter((f) => f.target === target && f.kind === kind && f.from > since && f.from <= ts);
  }

  /** Whether a device stays silent at `ts` (its own fault, or its gateway's). */
  silenced(deviceId: string, ts: number): boolean {
    if (this.active(deviceId, 'silent', ts).length) return true;
    const gw = this.gatewayOf.get(deviceId);
    return gw !== undefined && this.active(gw, 'gateway_outage', ts).length > 0;
  }

  /** Extra water flow from leaks, cisterns and bursts at `ts`, m³/h. */
  extraFlowM3h(deviceId: string, ts: number): number {
    let extra = 0;
    for (const f of this.active(deviceId, 'leak', ts)) {
      const full = (f.size?.lph ?? 60) / 1000;
      const ramp = (f.size?.rampHours ?? 0) * 3600_000;
      extra += ramp > 0 ? full * Math.min(1, (ts - f.from) / ramp) : full;
    }
    for (const f of this.active(deviceId, 'cistern', ts)) extra += (f.size?.lph ?? 50) / 1000;
    for (const f of this.active(deviceId, 'burst', ts)) extra += f.size?.m3h ?? 15;
    return extra;
  }
}

/** Which kind of target each fault needs. */
export const FAULT_TARGETS: Readonly<Record<FaultKind, 'water_meter' | 'electric_meter' | 'transformer' | 'fridge' | 'gateway' | 'device'>> = {
  leak: 'water_meter',
  cistern: 'water_meter',
  burst: 'water_meter',
  meter_leak: 'water_meter',
  meter_burst: 'water_meter',
  rollover: 'water_meter',
  replacement: 'water_meter',
  overload: 'transformer',
  imbalance: 'transformer',
  compressor_failure: 'fridge',
  door_open: 'fridge',
  lights_on: 'electric_meter',
  gateway_outage: 'gateway',
  silent: 'device',
  night_use: 'water_meter',
  defrost_cycle: 'fridge',
  hot_spell: 'transformer',
};
