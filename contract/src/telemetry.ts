/**
 * Native telemetry payloads: what a device of each kind sends, and the one validator that turns
 * a parsed payload (json.ts: size, depth, reserved keys) into a Reading or a reason a facilities
 * office can read.
 *
 * Validation keeps only the fields of the contract and builds a fresh object, so unknown keys
 * never reach the store. It rejects what is malformed (a string or 1e400 where a number belongs,
 * a number beyond ±2^53, a time that is no date); it does not judge what is implausible (a
 * fridge at -273 °C is a sensor fault that a detector must see).
 */
import type { DeviceKind } from './kinds.ts';

export interface WaterMeterValues {
  totalM3: number;
  flowM3h?: number;
  status?: string[];
  /** battery-powered meters and sensors (wM-Bus, Zigbee): remaining charge, % */
  batteryPct?: number;
}
export interface ElectricMeterValues {
  totalKWh: number;
  powerKW?: number;
}
export type Phases = [number, number, number];
export interface TransformerValues {
  currentA: Phases;
  voltageV: Phases;
  powerKW?: number;
  oilTempC?: number;
  totalKWh?: number;
}
export interface FridgeValues {
  tempC: number;
  doorOpen?: boolean;
  setpointC?: number;
  defrost?: boolean;
  /** a battery-powered thermometer or door contact (Zigbee): remaining charge, % */
  batteryPct?: number;
}
export type TelemetryValues = WaterMeterValues | ElectricMeterValues | TransformerValues | FridgeValues;

export interface Reading {
  siteId: string;
  deviceId: string;
  kind: DeviceKind;
  /** device time, epoch ms */
  ts: number;
  /** per-device counter */
  seq: number;
  /** when ingest received it, epoch ms */
  receivedAt: number;
  values: TelemetryValues;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface TelemetryLimits {
  /** largest payload accepted, bytes */
  maxBytes: number;
  /** how far in the future a device clock may be, ms */
  maxFutureSkewMs: number;
  /** how old a reading may be (devices that buffered while offline), ms */
  maxAgeMs: number;
}

export const DEFAULT_TELEMETRY_LIMITS: Readonly<TelemetryLimits> = Object.freeze({
  maxBytes: 64 * 1024,
  maxFutureSkewMs: 5 * 60_000,
  maxAgeMs: 35 * 24 * 3600_000,
});

type FieldType = 'number' | 'nonNegative' | 'percent' | 'boolean' | 'phases' | 'flags';
interface FieldSpec {
  type: FieldType;
  required?: boolean;
}

/** The contract, as a table: the fields of each kind (docs/contract/mqtt.md). */
export const TELEMETRY_FIELDS: Readonly<Record<DeviceKind, Readonly<Record<string, FieldSpec>>>> = Object.freeze({
  water_meter: {
    totalM3: { type: 'nonNegative', required: true },
    flowM3h: { type: 'nonNegative' },
    status: { type: 'flags' },
    batteryPct: { type: 'percent' },
  },
  electric_meter: { totalKWh: { type: 'nonNegative', required: true }, powerKW: { type: 'number' } },
  transformer: {
    currentA: { type: 'phases', required: true },
    voltageV: { type: 'phases', required: true },
    powerKW: { type: 'number' },
    oilTempC: { type: 'number' },
    totalKWh: { type: 'nonNegative' },
  },
  fridge: {
    tempC: { type: 'number', required: true },
    doorOpen: { type: 'boolean' },
    setpointC: { type: 'number' },
    defrost: { type: 'boolean' },
    batteryPct: { type: 'percent' },
  },
});

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The last instant a JavaScript Date can hold (year 275760), ms: beyond it a time cannot even be printed. */
const MAX_DATE_MS = 8.64e15;

/** ISO 8601 date and time: date, hours, minutes, optional seconds and fraction, optional zone (groups 1-8). */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
/** Days of a month (1-12) of the Gregorian calendar. */
const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;

/** Why a YYYY-MM-DD names no day of the calendar (month 13, 30 February, 31 April), or undefined. */
export function impossibleDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return `has month ${month}: there are 12`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `has day ${day} of a month of ${days} days`;
  return undefined;
}

/**
 * Why an ISO 8601 date-time (with or without its zone) names no instant, or undefined: a date the
 * calendar does not have (2026-02-30, month 13), an hour past 23 (24:30; 24:00 too, which ISO allows
 * for the end of a day and no device sends), minutes or seconds past 59, a zone offset past 23:59.
 * `Date.parse` shifts such a time silently (30 February becomes 2 March), which would store a
 * reading days away from when it was taken.
 */
export function impossibleDateTime(text: string): string | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return 'is not an ISO 8601 date and time';
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const date = impossibleDate(year!, month!, day!);
  if (date) return date;
  if (hour! > 23) return `has hour ${hour}: hours run 00-23`;
  if (minute! > 59) return `has minute ${minute}: minutes run 00-59`;
  if (second! > 59) return `has second ${second}: seconds run 00-59`;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const [zh, zm] = [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
    if (zh > 23 || zm > 59) return `has zone offset ${zone}: at most ±23:59`;
  }
  return undefined;
}

/** Device time: epoch milliseconds, or ISO 8601 with a zone. Seconds are refused, not guessed; a date the calendar does not have is refused, not shifted. */
export function parseDeviceTime(value: unknown): Validation<number> {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return fail('ts must be an integer number of epoch milliseconds');
    if (Math.abs(value) > MAX_DATE_MS) return fail(`ts ${value} is not a date (epoch milliseconds from 1970)`);
    if (value < 0) return fail(`ts ${new Date(value).toISOString()} is before 1970: the device clock is not set`);
    if (value < 1e11) return fail(`ts ${value} looks like epoch seconds; send epoch milliseconds or ISO 8601`);
    return { ok: true, value };
  }
  if (typeof value === 'string') {
    const zoned = ISO_DATE_TIME.exec(value)?.[8] !== undefined;
    if (!zoned) {
      return fail(`ts "${value.slice(0, 40)}" is not ISO 8601 with a time zone`);
    }
    const impossible = impossibleDateTime(value);
    if (impossible) return fail(`ts "${value.slice(0, 40)}" ${impossible}`);
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) return fail(`ts "${value.slice(0, 40)}" is not a valid date`);
    return { ok: true, value: ms };
  }
  return fail('ts is missing (epoch ms or ISO 8601)');
}

function checkField(name: string, spec: FieldSpec, value: unknown): Validation<unknown> {
  switch (spec.type) {
    case 'number':
    case 'nonNegative':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${name} must be a finite number`);
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return fail(`${name} ${value} is beyond ±2^53, where numbers lose their digits: not a reading`);
      if (spec.type === 'nonNegative' && value < 0) return fail(`${name} must be >= 0, got ${value}`);
      return { ok: true, value };
    case 'percent':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) return fail(`${name} must be a number from 0 to 100`);
      return { ok: true, value };
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`${name} must be true or false`);
      return { ok: true, value };
    case 'phases':
      if (!Array.isArray(value) || value.length !== 3) return fail(`${name} must be an array of 3 phase values [a, b, c]`);
      for (const v of value) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return fail(`${name} phases must be finite numbers >= 0`);
        if (v > Number.MAX_SAFE_INTEGER) return fail(`${name} phase ${v} is beyond 2^53, where numbers lose their digits: not a reading`);
      }
      return { ok: true, value: [value[0], value[1], value[2]] };
    case 'flags': {
      // meters send "OK", "LEAK BURST", or ["LEAK"]; normalise to upper-case words
      const words = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value : null;
      if (!words || words.length > 16 || !words.every((w) => typeof w === 'string' && w.length <= 32)) {
        return fail(`${name} must be a string or an array of short strings`);
      }
      return { ok: true, value: words.filter((w) => w && w.toUpperCase() !== 'OK').map((w) => w.toUpperCase()) };
    }
  }
}

/**
 * Validates one native telemetry message of a known device.
 * `now` is the receive time; it bounds the device clock (see TelemetryLimits).
 */
export function validateTelemetry(
  kind: DeviceKind,
  body: Record<string, unknown>,
  now: number,
  limits: TelemetryLimits = DEFAULT_TELEMETRY_LIMITS,
): Validation<{ ts: number; seq: number; values: TelemetryValues }> {
  const ts = parseDeviceTime(body.ts);
  if (!ts.ok) return ts;
  if (ts.value > now + limits.maxFutureSkewMs) {
    return fail(`ts ${new Date(ts.value).toISOString()} is ${Math.round((ts.value - now) / 1000)} s ahead of the server clock`);
  }
  if (ts.value < now - limits.maxAgeMs) {
    return fail(`ts ${new Date(ts.value).toISOString()} is older than ${Math.round(limits.maxAgeMs / 86_400_000)} days`);
  }
  const seq = body.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return fail('seq must be a non-negative integer');

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(TELEMETRY_FIELDS[kind])) {
    const raw = Object.hasOwn(body, name) ? body[name] : undefined;
    if (raw === undefined || raw === null) {
      if (spec.required) return fail(`${name} is required for a ${kind}`);
      continue;
    }
    const checked = checkField(name, spec, raw);
    if (!checked.ok) return checked;
    values[name] = checked.value;
  }
  return { ok: true, value: { ts: ts.value, seq, values: values as unknown as TelemetryValues } };
}

/** The device status channel carries exactly "online" or "offline". */
export function parseStatus(payload: Buffer | string): Validation<'online' | 'offline'> {
  const text = (typeof payload === 'string' ? payload : payload.toString('utf8')).trim();
  if (text === 'online' || text === 'offline') return { ok: true, value: text };
  return fail(`status must be "online" or "offline", got "${text.slice(0, 20)}"`);
}
