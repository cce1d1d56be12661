/**
 * Electricity and water used in the period, against the term before and the same term a year
 * earlier: the whole campus, per building and per class, with their cost.
 *
 * - The campus total is what the supply meters say: the transformers' registers for electricity
 *   (what the utility bills), the `usage: campus` main meters for water; without them, the sum of
 *   the meters.
 * - A building is the sum of its own meters (supply meters excluded); what the supply meters count
 *   beyond the buildings is shown as 其他（未单独计量）: offices, lighting, pumps, losses.
 * - A class is its own meter (`class:` in the campus file).
 * - Cost: electricity at the time-of-use prices from hourly rollups (tariff.ts), water at its price.
 */
import type { DeviceConfig } from '@campus/site';
import { buildingName, dailyRegisterUse, hourlyRegisterUse, REGISTER_FIELD, UNIT, type ReportContext, type Resource } from './context.ts';
import { change, datesFrom, dayCount } from './format.ts';
import type { DateRange, ReportPeriod } from './period.ts';
import type { RegisterUse } from './register-use.ts';
import { addSplits, bandCost, splitByBand, type BandSplit } from './tariff.ts';

export interface Compared {
  current: number | null;
  previous: number | null;
  lastYear: number | null;
}

export interface UseGroup {
  id: string;
  name: string;
  deviceIds: string[];
  use: Compared;
  costYuan: number | null;
  /** electricity by time-of-use band (electricity only) */
  bands?: BandSplit;
  students?: number;
  /** some of its days are estimated (a meter caught up after being silent) */
  estimated: boolean;
}

export interface ResourceFigures {
  resource: Resource;
  unit: string;
  total: UseGroup;
  /** where the campus total comes from, in words */
  totalSource: string;
  buildings: UseGroup[];
  /** what the supply meters count beyond the buildings' meters */
  unmetered: UseGroup | null;
  classes: UseGroup[];
  /** the campus total per day */
  daily: { date: string; use: number; estimated: boolean }[];
  /** every meter's use per day in the period (coverage, checks) */
  meters: Map<string, RegisterUse>;
}

const KIND = { electricity: 'electric_meter', water: 'water_meter' } as const;

interface MeterUse {
  device: DeviceConfig;
  current: RegisterUse;
  previous: number | null;
  lastYear: number | null;
  bands: BandSplit | null;
}

/** A use per day of its range (terms differ in length: comparisons are on daily averages). */
export const dailyAverage = (value: number | null, range: { from: string; to: string } | null): number | null =>
  value === null || !range ? null : value / dayCount(range.from, range.to);

/** The change of the daily average against the term before or a year earlier (a ratio), or null. */
export const dailyChange = (use: Compared, period: ReportPeriod, against: 'previous' | 'lastYear'): number | null =>
  change(dailyAverage(use.current, period), dailyAverage(use[against], period[against]));

const sumOrNull = (values: (number | null)[]): number | null => (values.some((v) => v !== null) ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null);

export async function resourceFigures(ctx: ReportContext, resource: Resource): Promise<ResourceFigures> {
  const { campus, period } = ctx;
  const field = REGISTER_FIELD[resource];
  const meters = campus.devices.filter((d) => d.kind === KIND[resource]);
  const supply = resource === 'electricity' ? campus.devices.filter((d) => d.kind === 'transformer') : meters.filter((d) => d.usage === 'campus');
  const ofRange = async (d: DeviceConfig, r: DateRange | null) => (r ? (await dailyRegisterUse(ctx, d, field, r)).total : null);
  const uses = new Map<string, MeterUse>(
    await Promise.all(
      [...supply, ...meters.filter((d) => !supply.includes(d))].map(async (device): Promise<[string, MeterUse]> => {
        const [current, previous, lastYear, hourly] = await Promise.all([
          dailyRegisterUse(ctx, device, field, period),
          ofRange(device, period.previous),
          ofRange(device, period.lastYear),
          resource === 'electricity' ? hourlyRegisterUse(ctx, device, field) : undefined,
        ]);
        return [device.id, { device, current, previous, lastYear, bands: hourly ? splitByBand(campus, hourly.buckets) : null }];
      }),
    ),
  );

  const group = (id: string, name: string, devices: DeviceConfig[], extra: Partial<UseGroup> = {}): UseGroup => {
    const us = devices.map((d) => uses.get(d.id)!);
    const current = sumOrNull(us.map((u) => u.current.total));
    const bands = resource === 'electricity' ? addSplits(us.map((u) => u.bands!)) : undefined;
    return {
      id,
      name,
      deviceIds: devices.map((d) => d.id),
      use: { current, previous: sumOrNull(us.map((u) => u.previous)), lastYear: sumOrNull(us.map((u) => u.lastYear)) },
      costYuan: current === null ? null : bands ? bandCost(campus.tariffs, bands) : current * campus.tariffs.waterYuanPerM3,
      ...(bands ? { bands } : {}),
      estimated: us.some((u) => u.current.buckets.some((b) => b.estimated)),
      ...extra,
    };
  };

  // the supply meters, if they reported; else the sum of the meters
  const reporting = supply.filter((d) => uses.get(d.id)!.current.total !== null);
  const sub = meters.filter((d) => !supply.includes(d));
  const totalDevices = reporting.length ? reporting : sub;
  const total = group('campus', '全校', totalDevices);
  const totalSource = reporting.length
    ? `${resource === 'electricity' ? '变压器计量' : '总水表计量'}（${reporting.map((d) => d.name).join('、')}）`
    : `各${resource === 'electricity' ? '电' : '水'}表之和`;

  const buildings = campus.buildings
    .map((b) => ({ b, devices: sub.filter((d) => d.location.building === b.id) }))
    .filter((x) => x.devices.length)
    .map(({ b, devices }) => group(b.id, buildingName(campus, b.id), devices));
  const diff = (k: keyof Compared) => {
    const t = total.use[k];
    const parts = sumOrNull(buildings.map((b) => b.use[k]));
    return t === null || parts === null ? null : t - parts;
  };
  const unmetered: UseGroup | null = reporting.length
    ? {
        id: 'unmetered',
        name: '其他（未单独计量）',
        deviceIds: [],
        use: { current: diff('current'), previous: diff('previous'), lastYear: diff('lastYear') },
        costYuan: total.costYuan === null ? null : total.costYuan - buildings.reduce((s, b) => s + (b.costYuan ?? 0), 0),
        estimated: false,
      }
    : null;

  const classes = campus.classes.flatMap((c) => {
    const devices = meters.filter((d) => d.class === c.id);
    return devices.length ? [group(c.id, c.name, devices, { students: c.students })] : [];
  });

  const dates = datesFrom(period.from, period.to);
  const daily = dates.map((date, i) => {
    const days = totalDevices.map((d) => uses.get(d.id)!.current.buckets[i]!);
    return { date, use: days.reduce((s, b) => s + b.use, 0), estimated: days.some((b) => b.estimated) };
  });

  return {
    resource,
    unit: UNIT[resource],
    total,
    totalSource,
    buildings,
    unmetered,
    classes,
    daily,
    meters: new Map([...uses].map(([id, u]) => [id, u.current])),
  };
}
