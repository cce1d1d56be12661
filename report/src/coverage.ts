/**
 * The report's own data coverage: for every device, the days of the period without a reading
 * (offline, or behind a failed gateway) and the days with fewer than half its usual readings,
 * from the daily rollups' counts, and what that means for the figures ("水表 wm-dorm-3 离线 2 天，
 * 其用量按恢复后的读数分摊，为估算").
 */
import { KIND_LABELS_ZH } from '@campus/contract';
import type { DeviceConfig } from '@campus/site';
import { dayBuckets, dailyFieldRows, REGISTER_FIELD, type ReportContext } from './context.ts';
import { addDays, datesFrom, median, monthDayZh } from './format.ts';
import type { RegisterUse } from './register-use.ts';

export interface CoverageIssue {
  deviceId: string;
  name: string;
  missingDays: string[];
  partialDays: string[];
  /** a meter's use on those days is shared out from its catch-up */
  estimated: boolean;
  text: string;
}

export interface Coverage {
  devices: number;
  complete: number;
  issues: CoverageIssue[];
  /** the days of the period */
  days: number;
  /** per device id: its name, kind and the days of the period it sent data on (what may be said of it, e.g. that a fridge kept its limits) */
  byDevice: Record<string, { name: string; kind: DeviceConfig['kind']; dataDays: number }>;
}

/** The days a device sent data on: "20/21 天". */
export const daysText = (c: Coverage, deviceId: string): string => `${c.byDevice[deviceId]?.dataDays ?? 0}/${c.days} 天`;

const PRIMARY_FIELD: Readonly<Record<DeviceConfig['kind'], string>> = {
  electric_meter: REGISTER_FIELD.electricity,
  water_meter: REGISTER_FIELD.water,
  transformer: 'currentA_a',
  fridge: 'tempC',
};

/** "9月10日—9月11日、9月20日" */
export function dateSpans(dates: readonly string[]): string {
  const spans: [string, string][] = [];
  for (const d of dates) {
    const last = spans.at(-1);
    if (last && addDays(last[1], 1) === d) last[1] = d;
    else spans.push([d, d]);
  }
  return spans.map(([a, b]) => (a === b ? monthDayZh(a) : `${monthDayZh(a)}—${monthDayZh(b)}`)).join('、');
}

/** `meters`: the meters' daily use, to say whether a silent meter's days were estimated. */
export async function coverage(ctx: ReportContext, meters: ReadonlyMap<string, RegisterUse>): Promise<Coverage> {
  const { campus, period } = ctx;
  const dates = datesFrom(period.from, period.to);
  const buckets = dayBuckets(campus, period);
  const issues: CoverageIssue[] = [];
  const dataDays = new Map<string, number>();
  await Promise.all(
    campus.devices.map(async (d) => {
      const rows = (await dailyFieldRows(ctx, d, PRIMARY_FIELD[d.kind])).filter((r) => r.bucket >= period.fromTs);
      const counts = new Map(rows.map((r) => [r.bucket, r.n]));
      const usual = median(rows.map((r) => r.n)) ?? 0;
      const missingDays = dates.filter((_, i) => !counts.has(buckets[i]!));
      dataDays.set(d.id, dates.length - missingDays.length);
      const partialDays = dates.filter((_, i) => (counts.get(buckets[i]!) ?? usual) < usual / 2);
      if (!missingDays.length && !partialDays.length) return;
      const estimated = meters.get(d.id)?.buckets.some((b) => b.estimated) ?? false;
      const who = `${KIND_LABELS_ZH[d.kind]} ${d.id}（${d.name}）`;
      const parts: string[] = [];
      if (missingDays.length === dates.length) parts.push('整个时段没有数据，相关数字未计入');
      else if (missingDays.length) {
        const consequence =
          d.kind === 'fridge'
            ? '这几天没有温度记录'
            : d.kind === 'transformer'
              ? '这几天的负载峰值缺失'
              : estimated
                ? '其用量按恢复后的读数分摊，为估算'
                : '其用量未能计入';
        parts.push(`离线 ${missingDays.length} 天（${dateSpans(missingDays)}），${consequence}`);
      }
      if (partialDays.length) parts.push(`${partialDays.length} 天数据不全（读数少于平时一半：${dateSpans(partialDays)}）`);
      issues.push({ deviceId: d.id, name: d.name, missingDays, partialDays, estimated, text: `${who}${parts.join('；')}` });
    }),
  );
  issues.sort((a, b) => campus.devices.findIndex((d) => d.id === a.deviceId) - campus.devices.findIndex((d) => d.id === b.deviceId));
  // in the campus file's order
  const byDevice = Object.fromEntries(campus.devices.map((d) => [d.id, { name: d.name, kind: d.kind, dataDays: dataDays.get(d.id) ?? 0 }]));
  return { devices: campus.devices.length, complete: campus.devices.length - issues.length, issues, days: dates.length, byDevice };
}
