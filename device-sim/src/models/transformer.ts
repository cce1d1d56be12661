/**
 * A distribution transformer: carries the sum of the loads it feeds plus the unmetered share
 * (offices, corridor and street lighting, pumps), split over three phases with a small imbalance.
 * Top-oil temperature follows the load with a first-order lag (IEC 60076-7 style exponential model,
 * time constant 180 min, rated top-oil rise 55 K, loss ratio R = 5, exponent n = 0.8).
 * The summer peak comes from the classrooms' air conditioning (profiles.ts); a `hot_spell` adds the
 * air conditioning of a heat wave: up to `pct` % of rated at 15:00 of a school day, a seventh of it
 * when the school is empty (offices, dormitories), nothing at night.
 */
import type { TransformerConfig } from '@campus/site';
import { smoothNoise, unit } from '../random.ts';
import { timeContext } from '../profiles.ts';
import { integrate, round, type ElectricLoad, type ModelContext, type SimModel } from './model.ts';

const POWER_FACTOR = 0.92;
const OIL_TAU_MIN = 180;
const RATED_OIL_RISE_K = 55;

export class TransformerModel implements SimModel, ElectricLoad {
  /** loads fed by this transformer */
  loads: ElectricLoad[] = [];
  private totalKWh: number;
  private oilTempC = Number.NaN;
  private at = 0;
  private readonly phaseWeights: [number, number, number];
  private readonly unmeteredBaseKW: number;

  constructor(
    readonly config: TransformerConfig,
    private readonly ctx: ModelContext,
  ) {
    this.totalKWh = round(100_000 + 400_000 * unit(ctx.stream, 2), 3);
    // a well-balanced unit: phases within a few per cent (imbalance < 10 %)
    const skew = 0.005 + 0.01 * unit(ctx.stream, 3);
    this.phaseWeights = [1 / 3 + skew, 1 / 3, 1 / 3 - skew];
    this.unmeteredBaseKW = config.ratedKVA * 0.04;
  }

  powerKW(ts: number): number {
    let metered = 0;
    for (const load of this.loads) metered += load.powerKW(ts);
    return this.unmeteredBaseKW + metered * 1.1 + this.hotSpellKW(ts);
  }

  private hotSpellKW(ts: number): number {
    const spells = this.ctx.faults.active(this.config.id, 'hot_spell', ts);
    if (!spells.length) return 0;
    const t = timeContext(this.ctx.campus.calendar, ts);
    const heat = Math.max(0, -Math.cos(((t.minute - 180) / 1440) * 2 * Math.PI)); // 1 at 15:00, 0 before 09:00 and after 21:00
    const occupancy = t.dayType === 'school_day' && t.inSchoolHours ? 1 : 1 / 7;
    return spells.reduce((kw, f) => kw + ((f.size?.pct ?? 35) / 100) * this.config.ratedKVA * POWER_FACTOR * heat * occupancy, 0);
  }

  private loadPU(ts: number): number {
    return this.powerKW(ts) / POWER_FACTOR / this.config.ratedKVA;
  }

  private ambientC(ts: number): number {
    const local = this.ctx.campus.calendar.local(ts);
    const month = Number(local.date.slice(5, 7));
    const seasonal = -Math.cos(((month - 1) / 12) * 2 * Math.PI); // -1 in January, +1 in July
    const diurnal = -Math.cos(((local.minuteOfDay - 240) / 1440) * 2 * Math.PI); // coolest ~04:00
    return 18 + 10 * seasonal + 4 * diurnal;
  }

  private ultimateOilC(ts: number): number {
    const k = this.loadPU(ts);
    return this.ambientC(ts) + RATED_OIL_RISE_K * ((k * k * 5 + 1) / 6) ** 0.8;
  }

  advance(ts: number): void {
    if (Number.isNaN(this.oilTempC)) this.oilTempC = this.ultimateOilC(ts);
    if (this.at && ts > this.at) {
      this.totalKWh += integrate(this.at, ts, 60_000, (t) => this.powerKW(t));
      for (let t = this.at; t < ts; t += 60_000) {
        const dt = Math.min(60_000, ts - t) / 60_000;
        this.oilTempC += ((this.ultimateOilC(t) - this.oilTempC) * dt) / OIL_TAU_MIN;
      }
    }
    this.at = Math.max(this.at, ts);
  }

  values(ts: number) {
    let p = this.powerKW(ts);
    let weights: readonly number[] = this.phaseWeights;
    const faults = this.ctx.faults;
    const overload = faults.active(this.config.id, 'overload', ts)[0];
    const imbalance = faults.active(this.config.id, 'imbalance', ts)[0];
    if (imbalance) {
      const r = imbalance.size?.ratio ?? 0.25;
      const w = [1, 1 - r / 2, 1 - r];
      const sum = w.reduce((a, b) => a + b, 0);
      weights = w.map((x) => x / sum);
    }
    const target = overload?.size?.pct ?? (imbalance ? (imbalance.size?.pct ?? 45) : undefined);
    if (target !== undefined) {
      // drive the worst phase to `target` % of rated current (extra load from the fault)
      const vPhase = this.config.voltageLLV / Math.sqrt(3);
      const ratedA = (this.config.ratedKVA * 1000) / (Math.sqrt(3) * this.config.voltageLLV);
      const worstKVA = ((target / 100) * ratedA * vPhase) / 1000;
      p = (worstKVA / Math.max(...weights)) * POWER_FACTOR;
    }
    const s = p / POWER_FACTOR;
    const vPhase = (this.config.voltageLLV / Math.sqrt(3)) * (target !== undefined ? 1 : 1.02 - 0.03 * (s / this.config.ratedKVA));
    const currents = weights.map((w, i) => {
      const phaseKVA = s * w * (1 + 0.01 * smoothNoise(this.ctx.stream, ts, 30_000, i));
      return round((phaseKVA * 1000) / vPhase, 1);
    });
    const voltages = [0, 1, 2].map((i) => round(vPhase * (1 + 0.003 * smoothNoise(this.ctx.stream, ts, 30_000, 10 + i)), 1));
    return { currentA: currents, voltageV: voltages, powerKW: round(p, 2), oilTempC: round(this.oilTempC, 1), totalKWh: round(this.totalKWh, 2) };
  }

  snapshot() {
    return { totalKWh: this.totalKWh, oilTempC: this.oilTempC, at: this.at };
  }

  restore(state: Record<string, number>) {
    if (typeof state.totalKWh === 'number') this.totalKWh = state.totalKWh;
    if (typeof state.oilTempC === 'number') this.oilTempC = state.oilTempC;
    if (typeof state.at === 'number') this.at = state.at;
  }
}
