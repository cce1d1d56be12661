/**
 * A water meter: cumulative m³ register and flow. An upstream meter (the campus main) carries the
 * flow of the meters below it plus the unmetered use of its own.
 */
import type { WaterMeterConfig } from '@campus/site';
import { unit, smoothNoise } from '../random.ts';
import { nightUseM3h, timeContext, waterDemandM3h } from '../profiles.ts';
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
    const t = timeContext(this.ctx.campus.calendar, ts);
    const own = waterDemandM3h(this.config.usage ?? 'office', t);
    let mine = Math.max(0, own * this.scale * (1 + 0.15 * smoothNoise(this.ctx.stream, ts, 60_000))) + this.ctx.faults.extraFlowM3h(this.config.id, ts);
    for (const f of this.ctx.faults.active(this.config.id, 'night_use', ts)) mine += nightUseM3h(this.ctx.stream, ts, f.size?.perHour ?? 3, t);
    let total = mine;
    for (const d of this.downstream) total += d.flowM3h(ts);
    return total;
  }

  advance(ts: number): void {
    // a meter close to the end of its register at the start wraps during the run (as old meters do)
    if (!this.at)
      for (const f of this.ctx.faults.active(this.config.id, 'rollover', ts)) this.totalM3 = this.config.registerMaxM3 + 1 - (f.size?.beforeM3 ?? 50);
    for (const _ of this.ctx.faults.events(this.config.id, 'replacement', this.at, ts)) this.totalM3 = 0;
    if (this.at && ts > this.at) {
      this.totalM3 += integrate(this.at, ts, 60_000, (t) => this.flowM3h(t));
      // the register shows 0 .. registerMax.999 and then starts again at 0
      if (this.totalM3 >= this.config.registerMaxM3 + 1) this.totalM3 -= this.config.registerMaxM3 + 1;
    }
    this.at = Math.max(this.at, ts);
  }

  values(ts: number) {
    // like a wM-Bus meter, it reports its own alarm flags ("OK" when there are none)
    const faults = this.ctx.faults;
    const flags = [
      ...(faults.active(this.config.id, 'meter_leak', ts).length ? ['LEAK'] : []),
      ...(faults.active(this.config.id, 'meter_burst', ts).length ? ['BURST'] : []),
    ];
    return { totalM3: round(this.totalM3, 3), flowM3h: round(this.flowM3h(ts), 3), status: flags.length ? flags.join(' ') : 'OK' };
  }

  snapshot() {
    return { totalM3: this.totalM3, at: this.at };
  }

  restore(state: Record<string, number>) {
    if (typeof state.totalM3 === 'number') this.totalM3 = state.totalM3;
    if (typeof state.at === 'number') this.at = state.at;
  }
}
