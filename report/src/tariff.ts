/**
 * Electricity at time-of-use prices (峰谷分时电价): each hour's use goes to the peak, valley or
 * flat band by the minutes of that hour each band covers (campus file `tariffs.peak.hours`,
 * `tariffs.valley.hours`; the rest is flat at `electricityYuanPerKWh`). Without bands, all of it is
 * flat.
 */
import type { Campus, TariffsConfig } from '@campus/site';
import { clockRangeMinutes } from '@campus/site';
import type { BucketUse } from './register-use.ts';

export const BANDS = ['peak', 'flat', 'valley'] as const;
export type Band = (typeof BANDS)[number];
export const BAND_LABELS_ZH: Readonly<Record<Band, string>> = { peak: '峰时', flat: '平时', valley: '谷时' };

export type BandSplit = Record<Band, number>;

export const bandPrice = (tariffs: TariffsConfig, band: Band): number =>
  band === 'peak'
    ? (tariffs.peak?.yuanPerKWh ?? tariffs.electricityYuanPerKWh)
    : band === 'valley'
      ? (tariffs.valley?.yuanPerKWh ?? tariffs.electricityYuanPerKWh)
      : tariffs.electricityYuanPerKWh;

/** Shares of the hour starting at `minuteOfDay` in each band (they add up to 1). */
export function bandShares(tariffs: TariffsConfig, minuteOfDay: number): BandSplit {
  const overlap = (hours: string[] | undefined) =>
    (hours ?? []).flatMap(clockRangeMinutes).reduce((s, [a, b]) => s + Math.max(0, Math.min(b, minuteOfDay + 60) - Math.max(a, minuteOfDay)), 0) / 60;
  const peak = overlap(tariffs.peak?.hours);
  const valley = overlap(tariffs.valley?.hours);
  return { peak, valley, flat: Math.max(0, 1 - peak - valley) };
}

/** Hourly use split into the bands by the local time of each hour. */
export function splitByBand(campus: Campus, hours: readonly BucketUse[]): BandSplit {
  const out: BandSplit = { peak: 0, flat: 0, valley: 0 };
  for (const h of hours) {
    if (!h.use) continue;
    const shares = bandShares(campus.tariffs, campus.calendar.local(h.bucket).minuteOfDay);
    for (const band of BANDS) out[band] += h.use * shares[band];
  }
  return out;
}

export const bandCost = (tariffs: TariffsConfig, split: BandSplit): number => BANDS.reduce((s, b) => s + split[b] * bandPrice(tariffs, b), 0);

export const addSplits = (splits: readonly BandSplit[]): BandSplit => ({
  peak: splits.reduce((s, x) => s + x.peak, 0),
  flat: splits.reduce((s, x) => s + x.flat, 0),
  valley: splits.reduce((s, x) => s + x.valley, 0),
});

/** The tariff in words, for the report: "峰时 0.98 元/kWh（08:00-11:00、18:00-21:00）…" */
export function tariffText(tariffs: TariffsConfig): string {
  const parts: string[] = [];
  if (tariffs.peak) parts.push(`峰时 ${tariffs.peak.yuanPerKWh} 元/kWh（${tariffs.peak.hours.join('、')}）`);
  parts.push(`${tariffs.peak || tariffs.valley ? '平时' : '电价'} ${tariffs.electricityYuanPerKWh} 元/kWh`);
  if (tariffs.valley) parts.push(`谷时 ${tariffs.valley.yuanPerKWh} 元/kWh（${tariffs.valley.hours.join('、')}）`);
  parts.push(`水价 ${tariffs.waterYuanPerM3} 元/m³`);
  return parts.join('；');
}
