/**
 * The reading store: one interface, one file per backend (SQLite, the default; InfluxDB 1.x for
 * real deployments). Ingest writes a batch and acknowledges its messages only after `write`
 * resolves: the batch is durable (or, when the database is down, in the spool first).
 *
 * Both backends keep the operational state (last reading and status per device, dead letters, the
 * rollup work queue) in the local SQLite file; readings and their rollups live in the backend.
 * Rollups (hourly, and daily by the site's local day) are recomputed from raw readings for every
 * hour a write touched, so a redelivered or replayed reading can never count twice.
 */
import type { DeviceKind, ExternalFormat, Reading, RegisterLimits, TelemetryValues } from '@campus/contract';

export interface StatusChange {
  deviceId: string;
  status: 'online' | 'offline';
  at: number;
}

export interface DeadLetter {
  receivedAt: number;
  topic: string;
  reason: string;
  /** the payload, or its first bytes when it was longer than the bound (bounds.ts) */
  payload: Buffer;
  /** the length of the payload as received, when it was cut */
  payloadBytes?: number;
  /** SHA-256 (hex) of the payload as received, when it was cut */
  payloadSha256?: string;
}

export interface Batch {
  readings: Reading[];
  statuses: StatusChange[];
  deadLetters: DeadLetter[];
  /** off-the-shelf devices not in the campus file yet (listed on /devices for adoption) */
  pending?: PendingDevice[];
}

/** What the bounds (bounds.ts) did in one write: counted by ingest's metrics. */
export interface BoundedCounts {
  /** dead letters deleted (oldest first) or never inserted, to keep within maxRows / maxBytes */
  deadLettersDropped: number;
  /** dead letters kept with their payload cut */
  deadLettersTruncated: number;
  /** new off-the-shelf identities not listed because the list was full */
  pendingRefused: number;
}

export interface WriteResult {
  stored: number;
  /** readings already in the store (QoS 1 redelivery): stored once */
  duplicates: number;
  /** what the dead-letter and pending-device bounds did (absent: nothing) */
  bounded?: BoundedCounts;
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
  /** local midnights: days whose start is in [from, to) */
  from: number;
  to: number;
}

export interface DailyUse {
  deviceId: string;
  /** local date YYYY-MM-DD */
  date: string;
  /** the register's use in the day (from the last reading before it: the contract's registerUse) */
  use: number;
  readings: number;
  /** a silent meter's catch-up, shared over its silent days and the one it came back in, is part of `use` */
  estimated?: true;
}

/** What a store needs to know about the devices: tags, and where local days start. */
export interface StoreContext {
  /** undefined for a device no campus file knows */
  device(
    deviceId: string,
  ):
    | {
        siteId: string;
        kind: DeviceKind;
        building: string;
        classId?: string;
        registerMax?: number;
        /** how fast its register can move (the contract's deviceRegisterLimits, the site's register.fault overrides applied): a faster jump is no use */
        registerLimits?: RegisterLimits;
      }
    | undefined;
  /** the start of the local day containing ts, at the device's site (epoch ms) */
  dayStart(deviceId: string, ts: number): number;
  /** the local date (YYYY-MM-DD) of ts at the device's site */
  localDate(deviceId: string, ts: number): string;
}

export interface RollupResult {
  /** device-hours recomputed */
  hours: number;
  /** device-days recomputed */
  days: number;
  /** device-hours still waiting (more than one pass's worth) */
  pending: number;
}

/** Rollup buckets: an hour, or a local day (rollups.ts computes them). */
export type RollupPeriod = '1h' | '1d';

/** One field of one device over one bucket (an hour, or a local day). */
export interface RollupRow {
  bucket: number;
  field: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  /** values of the earliest and the latest reading in the bucket */
  first: number;
  last: number;
}

/** Steps of at least an hour (and whole hours) are answered from hourly rollups. */
export const ROLLUP_STEP_MS = 3_600_000;

export interface ReadingStore {
  readonly name: string;
  write(batch: Batch): Promise<WriteResult>;
  lastReadings(): DeviceLast[];
  statuses(): StatusChange[];
  deadLetters(limit: number): (DeadLetter & { id: number })[];
  /** Off-the-shelf devices heard but not in the campus file (for adoption on /devices). */
  pendingDevices(): (PendingDevice & { firstSeen: number; messages: number })[];
  /** Downsampled series: raw rows for steps under an hour, hourly rollups from an hour up. */
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  /** Use per device and local day from a cumulative register (rollover, replacement and silence aware: the contract's registerUse), from daily rollups. */
  dailyUse(query: DailyUseQuery): Promise<DailyUse[]>;
  /** Stored rollup rows of one device (hourly, or daily by local day), buckets in [from, to); `fields` limits the fields. What reports read. */
  readRollups(period: RollupPeriod, deviceId: string, from: number, to: number, fields?: string[]): Promise<RollupRow[]>;
  /** Recomputes the rollups of hours that writes touched (and their days); at most `maxHours` per call; `openHours: false` leaves the running hour for later. */
  rollUp(maxHours?: number, options?: { openHours?: boolean; now?: number }): Promise<RollupResult>;
  /** Deletes raw readings older than `before` (rollups stay). Returns rows deleted, or -1 when the database expires them itself. */
  pruneRaw(before: number): Promise<number>;
  close(): void;
}

/** An external identity nobody mapped yet, as /devices lists it. */
export interface PendingDevice {
  format: ExternalFormat;
  id: string;
  bridge?: string;
  channel?: number;
  component?: string;
  /** the site when the deployment has one */
  siteId?: string;
  topic: string;
  /** the last payload, at most 2 KB of it */
  payload: string;
  /** what it said, in native field names */
  fields: Record<string, unknown>;
  seenAt: number;
}
