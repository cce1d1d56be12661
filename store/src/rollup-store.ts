/**
 * What both backends share: the local state (last readings, statuses, dead letters, the rollup
 * queue) and every answer that comes from rollups. A backend adds its raw writes and queries and
 * where its rollup rows live.
 */
import { LocalState } from './local-state.ts';
import type { LocalBounds } from './bounds.ts';
import {
  dailyUseFromRollups,
  rollUp,
  seriesFromRollups,
  type Period,
  type RollupBackend,
  type RollupRow,
  type RollUpOptions,
  type RollupWrite,
} from './rollups.ts';
import { ROLLUP_STEP_MS } from './records.ts';
import type { DeviceKind } from '@campus/contract';
import type {
  Batch,
  DailyUse,
  DailyUseQuery,
  DeadLetter,
  DeviceLast,
  ReadingStore,
  RollupResult,
  SeriesPoint,
  SeriesQuery,
  StatusChange,
  StoreContext,
  WriteResult,
} from './records.ts';

export abstract class RollupStore implements ReadingStore, RollupBackend {
  abstract readonly name: string;
  readonly local: LocalState;

  constructor(
    localFile: string,
    protected readonly ctx: StoreContext,
    readonly: boolean,
    bounds?: LocalBounds,
  ) {
    this.local = new LocalState(localFile, { readonly, bounds });
  }

  abstract write(batch: Batch): Promise<WriteResult>;
  abstract pruneRaw(before: number): Promise<number>;
  /** a series from raw readings (steps under an hour) */
  protected abstract rawSeries(q: SeriesQuery): Promise<SeriesPoint[]>;
  abstract aggregateRaw(deviceId: string, kind: DeviceKind, from: number, to: number): Promise<RollupRow[]>;
  abstract readRollups(period: Period, deviceId: string, from: number, to: number, fields?: string[]): Promise<RollupRow[]>;
  abstract replaceRollups(period: Period, writes: RollupWrite[]): Promise<void>;

  lastReadings(): DeviceLast[] {
    return this.local.lastReadings();
  }

  statuses(): StatusChange[] {
    return this.local.statuses();
  }

  deadLetters(limit: number): (DeadLetter & { id: number })[] {
    return this.local.deadLetters(limit);
  }

  pendingDevices() {
    return this.local.pendingDevices();
  }

  async series(q: SeriesQuery): Promise<SeriesPoint[]> {
    if (q.paths.length === 0 || q.paths.length > 8) throw new Error('series needs 1 to 8 paths');
    if (q.stepMs >= ROLLUP_STEP_MS && q.stepMs % ROLLUP_STEP_MS === 0) return seriesFromRollups(this, q);
    return this.rawSeries(q);
  }

  dailyUse(q: DailyUseQuery): Promise<DailyUse[]> {
    return dailyUseFromRollups(this, this.ctx, q);
  }

  rollUp(maxHours?: number, options?: RollUpOptions): Promise<RollupResult> {
    return rollUp(this.local, this, this.ctx, maxHours, options);
  }

  /** the kind of a device: from the campus files, else from its last stored reading */
  protected kindOf(deviceId: string): DeviceKind | undefined {
    return this.ctx.device(deviceId)?.kind ?? this.local.kindOf(deviceId);
  }

  close(): void {
    this.local.close();
  }
}
