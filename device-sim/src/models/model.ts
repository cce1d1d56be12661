/** What every simulated device model offers the simulator. */
import type { Campus, DeviceConfig } from '@campus/site';
import type { FaultBook } from '../faults.ts';

export interface SimModel {
  readonly config: DeviceConfig;
  /** Moves internal state (registers, temperatures) forward to `ts`. Never backwards. */
  advance(ts: number): void;
  /** The native telemetry values at `ts` (after `advance(ts)`). */
  values(ts: number): Record<string, unknown>;
  /** State worth keeping across a restart (registers), and its restore. */
  snapshot(): Record<string, number>;
  restore(state: Record<string, number>): void;
}

/** Models that draw electricity report their power, so a transformer can carry their sum. */
export interface ElectricLoad {
  powerKW(ts: number): number;
}

/** Water meters report their flow, so an upstream meter can carry the sum. */
export interface WaterFlow {
  flowM3h(ts: number): number;
}

export interface ModelContext {
  campus: Campus;
  /** per-device random stream */
  stream: number;
  faults: FaultBook;
}

export const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/**
 * Integrates a rate over time in fixed steps aligned to absolute time, so the result does not
 * depend on how often the caller advances. Returns the increment of `rate * hours`.
 */
export function integrate(fromTs: number, toTs: number, stepMs: number, ratePerHour: (ts: number) => number): number {
  let total = 0;
  let t = fromTs;
  while (t < toTs) {
    const next = Math.min(toTs, (Math.floor(t / stepMs) + 1) * stepMs);
    total += ratePerHour((t + next) / 2) * ((next - t) / 3600_000);
    t = next;
  }
  return total;
}
