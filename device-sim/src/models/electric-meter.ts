/** An electricity (sub-)meter: cumulative kWh register and instantaneous power. */
import type { ElectricMeterConfig } from '@campus/site';
import { noise, unit, smoothNoise } from '../random.ts';
import { electricDemandKW, timeContext } from '../profiles.ts';
import { integrate, round, type ElectricLoad, type ModelContext, type SimModel } from './model.ts';

export class ElectricMeterModel implements SimModel, ElectricLoad {
  private totalKWh: number;
  private at = 0;
  /** some classes are thriftier than others: the competition has something to rank */
  private readonly scale: number;

  constructor(
    readonly config: ElectricMeterConfig,
    private readonly ctx: ModelContext,
  ) {
    this.scale = 0.85 + 0.3 * unit(ctx.stream, 1);
    this.totalKWh = round(1000 + 20_000 * unit(ctx.stream, 2), 3);
  }

  powerKW(ts: number): number {
    const usage = this.config.usage ?? (this.config.class ? 'classroom' : 'office');
    const demand = electricDemandKW(usage, timeContext(this.ctx.campus.calendar, ts));
    const leftOn = this.ctx.faults.active(this.config.id, 'lights_on', ts).reduce((kw, f) => kw + (f.size?.kw ?? 0.9), 0);
    // habits change from week to week (a class that switches off more one week): ±12 %
    const habit = 1 + 0.12 * noise(this.ctx.stream, Math.floor((ts + 3 * 86_400_000) / (7 * 86_400_000)), 9);
    return Math.max(0, demand * this.scale * habit * (1 + 0.08 * smoothNoise(this.ctx.stream, ts, 60_000))) + leftOn;
  }

  advance(ts: number): void {
    if (this.at && ts > this.at) this.totalKWh += integrate(this.at, ts, 60_000, (t) => this.powerKW(t));
    this.at = Math.max(this.at, ts);
  }

  values(ts: number) {
    return { totalKWh: round(this.totalKWh, 3), powerKW: round(this.powerKW(ts), 3) };
  }

  snapshot() {
    return { totalKWh: this.totalKWh, at: this.at };
  }

  restore(state: Record<string, number>) {
    if (typeof state.totalKWh === 'number') this.totalKWh = state.totalKWh;
    if (typeof state.at === 'number') this.at = state.at;
  }
}
