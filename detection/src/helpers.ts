/** Small pieces the detectors share: durations, number formats, who repairs what. */
import type { DeviceKind, Trade } from '@campus/contract';
import type { DeviceConfig, SchoolCalendar } from '@campus/site';

export const MIN = 60_000;
export const HOUR = 3600_000;

export const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
export const minutes = (ms: number): number => Math.round(ms / MIN);

/** "1小时25分钟" */
export function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / MIN));
  return m >= 60 ? `${Math.floor(m / 60)}小时${m % 60 ? `${m % 60}分钟` : ''}` : `${m}分钟`;
}

export const TRADE_OF_KIND: Readonly<Record<DeviceKind, Trade>> = {
  water_meter: 'plumber',
  electric_meter: 'electrician',
  transformer: 'electrician',
  fridge: 'canteen',
};

export function localDate(calendar: SchoolCalendar, ts: number): string {
  return calendar.local(ts).date;
}

export function localHHMM(calendar: SchoolCalendar, ts: number): string {
  const m = calendar.local(ts).minuteOfDay;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Hours when water is expected to flow at a meter, by what the metered space is used for (minutes of day). */
export function knownWaterUse(device: DeviceConfig, calendar: SchoolCalendar, ts: number): boolean {
  const t = calendar.local(ts);
  const m = t.minuteOfDay;
  const schoolDay = calendar.isSchoolDay(t.date);
  switch (device.usage) {
    case 'dormitory':
      return m >= 5 * 60 + 30 && m < 23 * 60 + 30;
    case 'canteen':
      return m >= 4 * 60 + 30 && m < 21 * 60;
    case 'campus':
      return m >= 5 * 60 && m < 23 * 60 + 30;
    default:
      return schoolDay && m >= 7 * 60 && m < 22 * 60;
  }
}

/** Keep the newest `n` items. */
export const keepLast = <T>(items: T[], n: number): T[] => (items.length > n ? items.slice(items.length - n) : items);

/** (ts, volume m³) samples of a register, oldest first. */
export type VolumeSamples = [number, number][];

/** Adds a sample (at most one per `spacingMs`) and drops samples older than `keepMs`. */
export function pushVolume(samples: VolumeSamples, ts: number, volume: number, keepMs: number, spacingMs = 55_000): VolumeSamples {
  const last = samples.at(-1);
  const next = !last || ts - last[0] >= spacingMs ? [...samples, [ts, volume] as [number, number]] : samples;
  const cutoff = ts - keepMs;
  let drop = 0;
  while (drop < next.length - 1 && next[drop + 1]![0] <= cutoff) drop++;
  return drop ? next.slice(drop) : next;
}

/** Average flow (m³/h) over the last `windowMs` of samples ending at the newest; null if they span less. */
export function averageFlow(samples: VolumeSamples, windowMs: number): number | null {
  const last = samples.at(-1);
  if (!last) return null;
  let first: [number, number] | undefined;
  for (let i = samples.length - 1; i >= 0; i--) {
    if (last[0] - samples[i]![0] >= windowMs) {
      first = samples[i];
      break;
    }
  }
  if (!first) return null;
  return ((last[1] - first[1]) / (last[0] - first[0])) * 3600_000;
}
