/**
 * A whole simulated campus: one model per ledger device, wired as on site (meters feed their
 * transformer; the main water meter sees every other water meter). Pure of I/O: the fleet
 * publishes what `reading()` returns, and tests drive it with any clock.
 */
import type { Campus, DeviceConfig } from '@campus/site';
import { ElectricMeterModel } from './models/electric-meter.ts';
import { FridgeModel } from './models/fridge.ts';
import type { SimModel } from './models/model.ts';
import { TransformerModel } from './models/transformer.ts';
import { WaterMeterModel } from './models/water-meter.ts';
import { hashString } from './random.ts';
import { FaultBook } from './faults.ts';

export interface SimReading {
  deviceId: string;
  ts: number;
  seq: number;
  values: Record<string, unknown>;
}

export class CampusSim {
  readonly models = new Map<string, SimModel>();
  readonly faults: FaultBook;
  private readonly seqs = new Map<string, number>();

  constructor(
    readonly campus: Campus,
    readonly seed = 1,
  ) {
    this.faults = new FaultBook(campus.devices);
    for (const config of campus.devices) {
      const ctx = { campus, stream: hashString(`${seed}/${campus.site.id}/${config.id}`), faults: this.faults };
      this.models.set(config.id, createModel(config, ctx));
    }
    // wiring: loads to their transformer, water meters to the campus main meter
    for (const model of this.models.values()) {
      const feeder = model.config.feeder ? this.models.get(model.config.feeder) : undefined;
      if (feeder instanceof TransformerModel && model instanceof ElectricMeterModel) feeder.loads.push(model);
    }
    const mains = [...this.models.values()].filter((m): m is WaterMeterModel => m instanceof WaterMeterModel && m.config.usage === 'campus');
    for (const main of mains) {
      main.downstream = [...this.models.values()].filter(
        (m): m is WaterMeterModel => m instanceof WaterMeterModel && m !== main && m.config.usage !== 'campus',
      );
    }
  }

  /** The reading a device reports at `ts`. Readings of one device must be asked in time order. */
  reading(deviceId: string, ts: number): SimReading {
    const model = this.models.get(deviceId);
    if (!model) throw new Error(`no simulated device ${deviceId}`);
    model.advance(ts);
    const seq = this.seqs.get(deviceId) ?? 0;
    this.seqs.set(deviceId, seq + 1);
    return { deviceId, ts, seq, values: model.values(ts) };
  }

  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [id, model] of this.models) out[id] = { ...model.snapshot(), seq: this.seqs.get(id) ?? 0 };
    return out;
  }

  restore(state: Record<string, Record<string, number>>): void {
    for (const [id, s] of Object.entries(state)) {
      const model = this.models.get(id);
      if (!model || typeof s !== 'object' || s === null) continue;
      model.restore(s);
      if (typeof s.seq === 'number') this.seqs.set(id, s.seq);
    }
  }
}

function createModel(config: DeviceConfig, ctx: { campus: Campus; stream: number; faults: FaultBook }): SimModel {
  switch (config.kind) {
    case 'electric_meter':
      return new ElectricMeterModel(config, ctx);
    case 'water_meter':
      return new WaterMeterModel(config, ctx);
    case 'transformer':
      return new TransformerModel(config, ctx);
    case 'fridge':
      return new FridgeModel(config, ctx);
  }
}
