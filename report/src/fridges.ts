/**
 * Canteen cold chain (食品安全): the excursions that became tickets, with how long the food was
 * out of range (from the first warm reading to the condition clearing, as the excursion detector
 * records it), and per unit the hourly temperatures from rollups: hours whose average was beyond
 * the limits, leaving out the hours of a reported defrost and the hour after it.
 */
import { FRIDGE_LIMITS_C, type Severity, type TicketStatus } from '@campus/contract';
import { HOUR_MS } from '@campus/store';
import { type TicketRecord } from '@campus/repairs';
import type { DeviceConfig, FridgeConfig } from '@campus/site';
import { hourlyRows, type ReportContext } from './context.ts';

export const FRIDGE_CLASS_ZH: Readonly<Record<FridgeConfig['fridgeClass'], string>> = { chiller: '冷藏', freezer: '冷冻', sample: '留样' };

export interface Excursion {
  ticketId: number;
  deviceId: string;
  deviceName: string;
  /** first warm reading, and its local date */
  since: number;
  date: string;
  /** condition cleared (or the ticket's last update while it lasts) */
  until: number;
  minutes: number;
  peakC: number | null;
  severity: Severity;
  status: TicketStatus;
  /** the same ticket counted further excursions after clearing */
  occurrences: number;
}

export interface FridgeUnit {
  deviceId: string;
  name: string;
  fridgeClass: FridgeConfig['fridgeClass'];
  limits: { min?: number; max: number };
  hours: number;
  meanC: number | null;
  /** lowest and highest hourly average */
  minHourC: number | null;
  maxHourC: number | null;
  hoursOutOfRange: number;
  excursions: number;
  excursionMinutes: number;
}

export interface FridgeFigures {
  excursions: Excursion[];
  units: FridgeUnit[];
}

/** The unit's limits as detection applies them: class defaults, then the campus file's overrides. */
function limitsOf(ctx: ReportContext, device: FridgeConfig): { min?: number; max: number } {
  const key = 'fridge.excursion';
  const p = {
    ...ctx.campus.detection.defaults[key],
    ...(device.profile ? ctx.campus.detection.profiles[device.profile]?.[key] : {}),
    ...device.thresholds?.[key],
  };
  const base = FRIDGE_LIMITS_C[device.fridgeClass];
  const min = p.minC ?? base.min;
  return { max: p.maxC ?? base.max, ...(min !== undefined ? { min } : {}) };
}

export async function fridgeFigures(ctx: ReportContext, tickets: readonly TicketRecord[]): Promise<FridgeFigures> {
  const fridges = ctx.campus.devices.filter((d): d is DeviceConfig & FridgeConfig => d.kind === 'fridge');
  const excursions: Excursion[] = tickets
    .filter((t) => t.condition === 'fridge.excursion')
    .map((t) => {
      const since = typeof t.details.since === 'number' ? t.details.since : t.openedAt;
      const until = t.clearedAt ?? t.lastAt;
      const recorded = typeof t.details.outOfRangeMinutes === 'number' ? t.details.outOfRangeMinutes : 0;
      return {
        ticketId: t.id,
        deviceId: t.subjectId,
        deviceName: ctx.campus.device(t.subjectId)?.name ?? t.subjectId,
        since,
        date: ctx.campus.calendar.local(since).date,
        until,
        minutes: Math.max(recorded, (until - since) / 60_000),
        peakC: typeof t.details.peakC === 'number' ? t.details.peakC : null,
        severity: t.severity,
        status: t.status,
        occurrences: t.occurrences,
      };
    });
  const units = await Promise.all(
    fridges.map(async (d): Promise<FridgeUnit> => {
      const limits = limitsOf(ctx, d);
      const all = await hourlyRows(ctx, d, ['tempC', 'defrost']);
      const rows = all.filter((r) => r.field === 'tempC');
      const hourly = rows.map((r) => r.sum / r.n);
      // a reported defrost warms the air for its half hour and the recovery after: not food at risk
      const defrost = new Set(all.filter((r) => r.field === 'defrost' && r.max > 0).flatMap((r) => [r.bucket, r.bucket + HOUR_MS]));
      const mine = excursions.filter((e) => e.deviceId === d.id);
      const readings = rows.reduce((s, r) => s + r.n, 0);
      return {
        deviceId: d.id,
        name: d.name,
        fridgeClass: d.fridgeClass,
        limits,
        hours: hourly.length,
        meanC: readings ? rows.reduce((s, r) => s + r.sum, 0) / readings : null,
        minHourC: hourly.length ? Math.min(...hourly) : null,
        maxHourC: hourly.length ? Math.max(...hourly) : null,
        hoursOutOfRange: rows.filter((r, i) => !defrost.has(r.bucket) && (hourly[i]! > limits.max || (limits.min !== undefined && hourly[i]! < limits.min)))
          .length,
        excursions: mine.length,
        excursionMinutes: mine.reduce((s, e) => s + e.minutes, 0),
      };
    }),
  );
  return { excursions, units };
}
