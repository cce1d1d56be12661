/**
 * Electricity and water used in the period, against the term before and the same term a year
 * earlier: the whole campus, per building and per class, with their cost.
 *
 * - The campus total is what the meters of the whole campus say: the `usage: campus` main meters
 *   (总表, what the utility bills), else for electricity the transformers' energy registers; a
 *   transformer that sent no energy is made up by the meters it feeds (`feeder`). Without any of
 *   them, the sum of the building meters, and `totalSource` says so and what it leaves out.
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
  /** where the campus total comes from, in words: "总表：配电房总表", "各楼分表合计（…），未含…；本校无总表数据" */
  totalSource: string;
  /** what the total adds up: the main meters, the transformers, or the building meters (no whole-campus meter reported) */
  totalFrom: 'main' | 'transformer' | 'sum';
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

const names = (ds: readonly DeviceConfig[]) => ds.map((d) => d.name).join('、');

/**
 * Which meters the campus total adds up, and the words for it: the main meters that reported;
 * else the transformers that reported energy, with the meters fed by those that did not; else
 * the building meters, saying that this leaves out what no building meter counts.
 */
function campusTotal(
  resource: Resource,
  mains: readonly DeviceConfig[],
  transformers: readonly DeviceConfig[],
  sub: readonly DeviceConfig[],
  reported: (d: DeviceConfig) => boolean,
): { from: ResourceFigures['totalFrom']; devices: DeviceConfig[]; source: string } {
  const silent = (ds: readonly DeviceConfig[]) => ds.filter((d) => !reported(d));
  const mainNoun = resource === 'electricity' ? '总表' : '总水表';
  if (mains.some(reported)) {
    const quiet = silent(mains);
    return { from: 'main', devices: mains.filter(reported), source: `${mainNoun}：${names(mains.filter(reported))}${quiet.length ? `（${names(quiet)}本期无数据，未计入）` : ''}` };
  }
  if (transformers.some(reported)) {
    const quiet = silent(transformers);
    const fed = sub.filter((d) => quiet.some((t) => t.id === d.feeder));
    const instead = quiet.length ? `；${names(quiet)}本期无电能数据，${fed.length ? `按其所带分表（${names(fed)}）计` : '未计入'}` : '';
    return { from: 'transformer', devices: [...transformers.filter(reported), ...fed], source: `变压器计量：${names(transformers.filter(reported))}${instead}` };
  }
  const noun = resource === 'electricity' ? '电' : '水';
  const quiet = silent(sub);
  const whole = [...mains, ...transformers];
  const why = whole.length ? `${names(whole)}本期无${resource === 'electricity' ? '电能' : ''}数据` : `本校无${mainNoun}`;
  return {
    from: 'sum',
    devices: [...sub],
    source: `各楼分表 ${sub.length - quiet.length} 台合计${quiet.length ? `（另有 ${quiet.length} 台无数据）` : ''}，未含未单独计量的用${noun}；${why}`,
  };
}

export async function resourceFigures(ctx: ReportContext, resource: Resource): Promise<ResourceFigures> {
  const { campus, period } = ctx;
  const field = REGISTER_FIELD[resource];
  const meters = campus.devices.filter((d) => d.kind === KIND[resource]);
  const mains = meters.filter((d) => d.usage === 'campus');
  const transformers = resource === 'electricity' ? campus.devices.filter((d) => d.kind === 'transformer') : [];
  const supply = [...mains, ...transformers];
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

  const sub = meters.filter((d) => !supply.includes(d));
  const { from: totalFrom, devices: totalDevices, source: totalSource } = campusTotal(resource, mains, transformers, sub, (d) => uses.get(d.id)!.current.total !== null);
  const total = group('campus', '全校', totalDevices);

  const buildings = campus.buildings
    .map((b) => ({ b, devices: sub.filter((d) => d.location.building === b.id) }))
    .filter((x) => x.devices.length)
    .map(({ b, devices }) => group(b.id, buildingName(campus, b.id), devices));
  const diff = (k: keyof Compared) => {
    const t = total.use[k];
    const parts = sumOrNull(buildings.map((b) => b.use[k]));
    return t === null || parts === null ? null : t - parts;
  };
  const unmetered: UseGroup | null = totalFrom !== 'sum'
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
    totalFrom,
    buildings,
    unmetered,
    classes,
    daily,
    meters: new Map([...uses].map(([id, u]) => [id, u.current])),
  };
}
