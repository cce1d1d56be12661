/** What every section of the report works from: the campus, the period, and the rollups. */
import { HOUR_MS } from '@campus/store';
import { deviceRegisterLimits, REGISTER_LOOKBACK_DAYS, registerMaxOf, type RegisterUseOptions } from '@campus/contract';
import type { Campus, DeviceConfig } from '@campus/site';
import { addDays, datesFrom } from './format.ts';
import type { DateRange, ReportPeriod } from './period.ts';
import { registerUse, type RegisterUse } from './register-use.ts';
import type { RollupReader } from './rollup-reader.ts';

export interface ReportContext {
  campus: Campus;
  period: ReportPeriod;
  reader: RollupReader;
  /** when the report is made (for tickets still open) */
  now: number;
}

/** Days read before a range to find the register reading it starts from. */
const LOOKBACK_DAYS = REGISTER_LOOKBACK_DAYS;

export type Resource = 'electricity' | 'water';
export const REGISTER_FIELD: Readonly<Record<Resource, string>> = { electricity: 'totalKWh', water: 'totalM3' };
export const UNIT: Readonly<Record<Resource, string>> = { electricity: 'kWh', water: 'm³' };

const registerMax = (d: DeviceConfig) => registerMaxOf(d);
/** how fast the device's register can move (the site's register.fault thresholds applied): a faster jump is no use, as on the competition board and for detection */
/** the register's implausible-jump limits, with the site's overrides (what detection calls a register fault counts as no use) */
export const limitsOf = (campus: Campus, d: DeviceConfig): RegisterUseOptions => ({ limits: deviceRegisterLimits(d, campus.detection) });

/** Local midnights of the dates of a range. */
export const dayBuckets = (campus: Campus, r: Pick<DateRange, 'from' | 'to'>): number[] => datesFrom(r.from, r.to).map((d) => campus.calendar.startOfDay(d));

/** Daily rollup rows of one field over a range, with the week before it (where a register's starting reading is). */
export function dailyFieldRows(ctx: ReportContext, device: DeviceConfig, field: string, r: Pick<DateRange, 'from' | 'to'> = ctx.period) {
  const cal = ctx.campus.calendar;
  return ctx.reader.read('1d', device.id, cal.startOfDay(addDays(r.from, -LOOKBACK_DAYS)), cal.startOfDay(addDays(r.to, 1)), [field]);
}

/** A register's use per local day of a range (daily rollups). */
export async function dailyRegisterUse(ctx: ReportContext, device: DeviceConfig, field: string, r: Pick<DateRange, 'from' | 'to'>): Promise<RegisterUse> {
  return registerUse(await dailyFieldRows(ctx, device, field, r), dayBuckets(ctx.campus, r), registerMax(device), limitsOf(ctx.campus, device));
}

/** A register's use per hour of the report's period (hourly rollups). */
export async function hourlyRegisterUse(ctx: ReportContext, device: DeviceConfig, field: string): Promise<RegisterUse> {
  const { fromTs, toTs } = ctx.period;
  const rows = await ctx.reader.read('1h', device.id, fromTs - LOOKBACK_DAYS * 24 * HOUR_MS, toTs, [field]);
  const hours: number[] = [];
  for (let h = fromTs; h < toTs; h += HOUR_MS) hours.push(h);
  return registerUse(rows, hours, registerMax(device), limitsOf(ctx.campus, device));
}

/** Hourly rollup rows of some fields of a device over [from, to). */
export function hourlyRows(ctx: ReportContext, device: DeviceConfig, fields: string[], from = ctx.period.fromTs, to = ctx.period.toTs) {
  return ctx.reader.read('1h', device.id, from, to, fields);
}

/** The building's name from the campus file. */
export const buildingName = (campus: Campus, id: string): string => campus.buildings.find((b) => b.id === id)?.name ?? id;
