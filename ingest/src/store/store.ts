/**
 * The reading store: one interface, one file per backend (SQLite now; InfluxDB next). Ingest
 * writes a batch and acknowledges its messages only after `write` resolves: the batch is durable.
 */
import type { DeviceKind, Reading, TelemetryValues } from '@campus/contract';

export interface StatusChange {
  deviceId: string;
  status: 'online' | 'offline';
  at: number;
}

export interface DeadLetter {
  receivedAt: number;
  topic: string;
  reason: string;
  payload: Buffer;
}

export interface Batch {
  readings: Reading[];
  statuses: StatusChange[];
  deadLetters: DeadLetter[];
}

export interface WriteResult {
  stored: number;
  /** readings already in the store (QoS 1 redelivery): stored once */
  duplicates: number;
}

export interface DeviceLast {
  deviceId: string;
  siteId: string;
  kind: DeviceKind;
  ts: number;
  seq: number;
  receivedAt: number;
  values: TelemetryValues;
}

export interface SeriesPoint {
  /** bucket start, epoch ms */
  t: number;
  avg: number;
  min: number;
  max: number;
  n: number;
}

export interface SeriesQuery {
  deviceId: string;
  /** JSON paths of the field inside the values (SERIES_FIELDS); several mean their maximum */
  paths: string[];
  from: number;
  to: number;
  stepMs: number;
}

export interface DailyUseQuery {
  deviceIds: string[];
  /** JSON path of a cumulative register, e.g. "$.totalKWh" */
  path: string;
  from: number;
  to: number;
  /** the site's offset from UTC, ms: days are local days */
  tzOffsetMs: number;
}

export interface DailyUse {
  deviceId: string;
  /** local date YYYY-MM-DD */
  date: string;
  /** register increase within the day */
  use: number;
  readings: number;
}

export interface ReadingStore {
  readonly name: string;
  write(batch: Batch): Promise<WriteResult>;
  lastReadings(): DeviceLast[];
  statuses(): StatusChange[];
  series(query: SeriesQuery): SeriesPoint[];
  deadLetters(limit: number): (DeadLetter & { id: number })[];
  /** Use per device and local day from a cumulative register (max - min within the day). */
  dailyUse(query: DailyUseQuery): DailyUse[];
  close(): void;
}
