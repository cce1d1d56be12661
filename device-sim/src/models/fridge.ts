/**
 * A canteen fridge or freezer: air temperature under on/off compressor control with hysteresis,
 * warmed by door openings during meal preparation, and (freezers) an electric defrost every 8 h
 * for 25 min during which the air warms to a few degrees below zero and the unit reports
 * `defrost: true`. A `defrost_cycle` condition replaces that cycle with another (every 4 h to 48 h,
 * 20-60 min, the air up to a few °C above zero, hours of jitter between cycles), reported or not,
 * as many freezers defrost (see the domain rules). State advances in fixed 10-second steps on absolute time, so the series is
 * the same however often it is read.
 */
import type { FridgeConfig } from '@campus/site';
import type { Fault } from '../faults.ts';
import { unit } from '../random.ts';
import { timeContext } from '../profiles.ts';
import { round, type ModelContext, type SimModel } from './model.ts';

const STEP_MS = 10_000;
const DEFROST_EVERY_MS = 8 * 3600_000;
const DEFROST_MS = 25 * 60_000;

/** One defrost of a `defrost_cycle`: [start, end) epoch ms and the air temperature it warms to. */
export interface DefrostWindow {
  start: number;
  end: number;
  peakC: number;
}

interface Thermal {
  band: number;
  coolPerMin: number;
  warmPerMin: number;
  doorPerMin: number;
  defaultSetpoint: number;
}

const THERMAL: Record<FridgeConfig['fridgeClass'], Thermal> = {
  chiller: { band: 1.5, coolPerMin: 0.35, warmPerMin: 0.12, doorPerMin: 0.8, defaultSetpoint: 4 },
  sample: { band: 1.2, coolPerMin: 0.3, warmPerMin: 0.1, doorPerMin: 0.8, defaultSetpoint: 4 },
  freezer: { band: 2, coolPerMin: 0.4, warmPerMin: 0.1, doorPerMin: 1.2, defaultSetpoint: -18 },
};

const MEAL_PREP = [
  [5 * 60, 7 * 60 + 30],
  [10 * 60, 13 * 60],
  [16 * 60, 19 * 60],
] as const;

export class FridgeModel implements SimModel {
  private tempC: number;
  private compressorOn = true;
  private at = 0;
  private readonly thermal: Thermal;
  private readonly setpoint: number;
  private readonly defrostPhase: number;

  constructor(
    readonly config: FridgeConfig,
    private readonly ctx: ModelContext,
  ) {
    this.thermal = THERMAL[config.fridgeClass];
    this.setpoint = config.setpointC ?? this.thermal.defaultSetpoint;
    this.tempC = this.setpoint + (unit(ctx.stream, 4) - 0.5) * this.thermal.band;
    this.defrostPhase = Math.floor(unit(ctx.stream, 5) * DEFROST_EVERY_MS);
  }

  inDefrost(ts: number): boolean {
    const cycle = this.ctx.faults.active(this.config.id, 'defrost_cycle', ts)[0];
    if (cycle) return this.cycleWindow(cycle, ts) !== null;
    if (this.config.fridgeClass !== 'freezer') return false;
    return (ts + this.defrostPhase) % DEFROST_EVERY_MS < DEFROST_MS;
  }

  /** The `j`-th defrost of a cycle (from its start, jittered by ±jitterHours, never before the cycle starts). */
  private nthDefrost(cycle: Fault, j: number): DefrostWindow {
    const every = (cycle.size?.everyHours ?? 24) * 3600_000;
    const jitter = (cycle.size?.jitterHours ?? 2) * 3600_000 * (unit(this.ctx.stream, j, 31) * 2 - 1);
    const start = Math.max(cycle.from, cycle.from + j * every + jitter);
    return { start, end: start + (cycle.size?.minutes ?? 45) * 60_000, peakC: cycle.size?.peakC ?? 3 };
  }

  private cycleWindow(cycle: Fault, ts: number): DefrostWindow | null {
    const k = Math.floor((ts - cycle.from) / ((cycle.size?.everyHours ?? 24) * 3600_000));
    for (let j = Math.max(0, k - 1); j <= k + 1; j++) {
      const w = this.nthDefrost(cycle, j);
      if (ts >= w.start && ts < w.end) return w;
    }
    return null;
  }

  /** The defrosts of this unit's `defrost_cycle` conditions that start in [from, to): for labelling. */
  defrosts(from: number, to: number): DefrostWindow[] {
    const out: DefrostWindow[] = [];
    for (const cycle of this.ctx.faults.list()) {
      if (cycle.kind !== 'defrost_cycle' || cycle.target !== this.config.id) continue;
      for (let j = 0; ; j++) {
        const w = this.nthDefrost(cycle, j);
        if (w.start >= to || (cycle.to !== undefined && w.start >= cycle.to)) break;
        if (w.start >= from) out.push(w);
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  doorOpen(ts: number): boolean {
    if (this.ctx.faults.active(this.config.id, 'door_open', ts).length) return true;
    const t = timeContext(this.ctx.campus.calendar, ts);
    if (t.dayType === 'vacation' || !MEAL_PREP.some(([from, to]) => t.minute >= from && t.minute < to)) return false;
    const minute = Math.floor(ts / 60_000);
    const perMinute = (this.config.fridgeClass === 'sample' ? 0.03 : 0.12) * (t.dayType === 'school_day' ? 1 : 0.5);
    if (unit(this.ctx.stream, minute, 6) >= perMinute) return false;
    // one opening a minute at most, closed again within the minute (cooks do not chain openings)
    const openAt = minute * 60_000 + unit(this.ctx.stream, minute, 7) * 10_000;
    const openFor = 15_000 + unit(this.ctx.stream, minute, 8) * 30_000;
    return ts >= openAt && ts < openAt + openFor;
  }

  private step(ts: number, minutes: number): void {
    const th = this.thermal;
    let rate: number;
    const cycle = this.ctx.faults.active(this.config.id, 'defrost_cycle', ts)[0];
    const window = cycle ? this.cycleWindow(cycle, ts) : null;
    if (window) {
      // the heater warms the air to the cycle's peak by the end of the defrost
      this.compressorOn = false;
      rate = Math.max(0, window.peakC - this.tempC) / Math.max(0.5, (window.end - ts) / 60_000);
    } else if (!cycle && this.inDefrost(ts)) {
      this.compressorOn = false;
      rate = this.tempC < -3 ? 0.9 : 0;
    } else if (this.ctx.faults.active(this.config.id, 'compressor_failure', ts).length) {
      // no cooling: the cabinet warms towards the kitchen's temperature
      this.compressorOn = false;
      rate = this.tempC < 22 ? th.warmPerMin * 1.5 : 0;
    } else {
      if (this.tempC > this.setpoint + th.band) this.compressorOn = true;
      else if (this.tempC < this.setpoint - th.band) this.compressorOn = false;
      rate = this.compressorOn ? -th.coolPerMin : th.warmPerMin;
    }
    if (this.doorOpen(ts)) rate += th.doorPerMin;
    this.tempC += rate * minutes;
  }

  advance(ts: number): void {
    if (!this.at) this.at = ts;
    let t = this.at;
    while (t < ts) {
      const next = Math.min(ts, (Math.floor(t / STEP_MS) + 1) * STEP_MS);
      this.step(t, (next - t) / 60_000);
      t = next;
    }
    this.at = Math.max(this.at, ts);
  }

  values(ts: number) {
    const values: Record<string, unknown> = { tempC: round(this.tempC, 1), setpointC: this.setpoint, doorOpen: this.doorOpen(ts) };
    const cycle = this.ctx.faults.active(this.config.id, 'defrost_cycle', ts)[0];
    if (cycle ? cycle.size?.reported === 1 : this.config.fridgeClass === 'freezer') values.defrost = this.inDefrost(ts);
    return values;
  }

  snapshot() {
    return { tempC: this.tempC, at: this.at };
  }

  restore(state: Record<string, number>) {
    if (typeof state.tempC === 'number') this.tempC = state.tempC;
    if (typeof state.at === 'number') this.at = state.at;
  }
}
