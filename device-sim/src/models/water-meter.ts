/**
 * A water meter: cumulative m³ register and flow. An upstream meter (the campus main) carries the
 * flow of the meters below it plus the unmetered use of its own.
 */
import type { WaterMeterConfig } from '@campus/site';
import { unit, smoothNoise } from '../random.ts';
import { timeContext, waterDemandM3h } from '../profiles.ts';
import { integrate, round, type ModelContext, type SimModel, type WaterFlow } from './model.ts';

export class WaterMeterModel implements SimModel, WaterFlow {
  private totalM3: number;
  private at = 0;
  private readonly scale: number;
  /** meters downstream of this one (the main meter sees everything) */
  downstream: WaterFlow[] = [];

  constructor(
    readonly config: WaterMeterConfig,
    private readonly ctx: ModelContext,
  ) {
    this.scale = 0.85 + 0.3 * unit(ctx.stream, 1);
    this.totalM3 = round((config.usage === 'campus' ? 40_000 : 500) + 5_000 * unit(ctx.stream, 2), 3);
  }

  flowM3h(ts: number): number {
    const own = waterDemandM3h(this.config.usage ?? 'office', timeContext(this.ctx.campus.calendar, ts));
    const mine = Math.max(0, own * this.scale * (1 + 0.15 * smoothNoise(this.ctx.stream, ts, 60_000)));
    let total = mine;
    for (const d of this.downstream) total += d.flowM3h(ts);
    return total;
  }

  advance(ts: number): void {
    if (this.at && ts > this.at) {
      this.totalM3 += integrate(this.at, ts, 60_000, (t) => this.flowM3h(t));
      if (this.totalM3 > this.config.registerMaxM3) this.totalM3 -= this.config.registerMaxM3 + 1;
    }
    this.at = Math.max(this.at, ts);
  }

  values(ts: number) {
    return { totalM3: round(this.totalM3, 3), flowM3h: round(this.flowM3h(ts), 3) };
  }

  snapshot() {
    return { totalM3: this.totalM3, at: this.at };
  }

  restore(state: Record<string, number>) {
    if (typeof state.totalM3 === 'number') this.totalM3 = state.totalM3;
    if (typeof state.at === 'number') this.at = state.at;
  }
}
