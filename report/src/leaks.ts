/**
 * Leaks caught (night flow, continuous flow, burst, the meter's own alarm), with the water each
 * was estimated to waste from its ticket until repair (resolved; else the condition cleared; else
 * the end of the period), from the meter's hourly rollups:
 * - a leak that ran through a night: the rise of the night-time hourly use (02:00-04:00, when
 *   little else runs; LeakDB's minimum-night-flow idea) over its median in the 14 days before,
 *   times the hours it ran;
 * - a shorter event (a burst in the day): each hour's use above the median of the same hour of the
 *   day in the 14 days before, added up.
 */
import type { TicketRecord } from '@campus/repairs';
import { registerMaxOf } from '@campus/contract';
import { HOUR_MS } from '@campus/store';
import { hourlyRows, limitsOf, type ReportContext } from './context.ts';
import { DAY_MS, median } from './format.ts';
import { conditionLabel } from './labels.ts';
import { registerUse } from './register-use.ts';

export const LEAK_CONDITIONS: readonly string[] = ['water.night_flow', 'water.continuous_flow', 'water.burst', 'water.meter_alarm'];

const NIGHT_HOURS = [2, 3];
const BASELINE_DAYS = 14;

export interface LeakFigure {
  /** the tickets that caught it (several detectors, or several occurrences, on one meter) */
  ticketIds: number[];
  deviceId: string;
  deviceName: string;
  conditions: string[];
  label: string;
  openedAt: number;
  endedAt: number;
  /** how the leak ended for the estimate */
  endedBy: 'resolved' | 'cleared' | 'open';
  hours: number;
  /** the leak's rate (night method), m³/h */
  rateM3h: number | null;
  wastedM3: number | null;
  costYuan: number | null;
  method: 'night' | 'hourly' | null;
}

type Caught = Omit<LeakFigure, 'rateM3h' | 'wastedM3' | 'costYuan' | 'method'>;

/**
 * One leak per meter and stretch of time, whichever detectors saw it; a leak the main meter sees
 * while a meter downstream has one at the same time is that same leak, counted once (downstream).
 */
function caughtLeaks(ctx: ReportContext, tickets: readonly TicketRecord[]): Caught[] {
  const windows = tickets
    .filter((t) => LEAK_CONDITIONS.includes(t.condition))
    .map((t): Caught => {
      const endedBy = t.resolvedAt !== null ? 'resolved' : t.clearedAt !== null ? 'cleared' : 'open';
      const endedAt = t.resolvedAt ?? t.clearedAt ?? Math.min(ctx.period.toTs, ctx.now);
      return {
        ticketIds: [t.id],
        deviceId: t.subjectId,
        deviceName: ctx.campus.device(t.subjectId)?.name ?? t.subjectId,
        conditions: [t.condition],
        label: conditionLabel(t.condition, t.title),
        openedAt: t.openedAt,
        endedAt,
        endedBy,
        hours: 0,
      };
    })
    .sort((a, b) => a.openedAt - b.openedAt);
  const merged: Caught[] = [];
  for (const w of windows) {
    const same = merged.find((m) => m.deviceId === w.deviceId && w.openedAt <= m.endedAt);
    if (!same) {
      merged.push(w);
      continue;
    }
    same.ticketIds.push(...w.ticketIds);
    if (!same.conditions.includes(w.conditions[0]!)) same.conditions.push(w.conditions[0]!);
    same.label = same.conditions.map((c) => conditionLabel(c)).join('、');
    if (w.endedAt > same.endedAt) Object.assign(same, { endedAt: w.endedAt, endedBy: w.endedBy });
  }
  const isMain = (id: string) => ctx.campus.device(id)?.usage === 'campus';
  return merged
    .filter((m) => !isMain(m.deviceId) || !merged.some((o) => !isMain(o.deviceId) && o.openedAt <= m.endedAt && m.openedAt <= o.endedAt))
    .map((m) => ({ ...m, hours: Math.max(0, m.endedAt - m.openedAt) / HOUR_MS }));
}

export async function leakFigures(ctx: ReportContext, tickets: readonly TicketRecord[]): Promise<LeakFigure[]> {
  const { campus } = ctx;
  return Promise.all(
    caughtLeaks(ctx, tickets).map(async (leak): Promise<LeakFigure> => {
      const device = campus.device(leak.deviceId);
      if (device?.kind !== 'water_meter') return { ...leak, rateM3h: null, wastedM3: null, costYuan: null, method: null };
      const from = Math.floor((leak.openedAt - BASELINE_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
      const to = Math.ceil(leak.endedAt / HOUR_MS) * HOUR_MS;
      const hours: number[] = [];
      for (let h = from; h < to; h += HOUR_MS) hours.push(h);
      const uses = registerUse(await hourlyRows(ctx, device, ['totalM3'], from - DAY_MS, to), hours, registerMaxOf(device), limitsOf(campus, device)).buckets.filter((b) => !b.missing);
      const hourOfDay = (ts: number) => Math.floor(campus.calendar.local(ts).minuteOfDay / 60);
      const startHour = Math.floor(leak.openedAt / HOUR_MS) * HOUR_MS;
      const before = uses.filter((u) => u.bucket < startHour);
      const during = uses.filter((u) => u.bucket >= startHour);
      const night = (us: typeof uses) => median(us.filter((u) => NIGHT_HOURS.includes(hourOfDay(u.bucket))).map((u) => u.use));
      const nightBefore = night(before);
      const nightDuring = night(during);
      let rate: number | null = null;
      let wasted: number | null = null;
      let method: LeakFigure['method'] = null;
      if (nightBefore !== null && nightDuring !== null) {
        method = 'night';
        rate = Math.max(0, nightDuring - nightBefore);
        wasted = rate * leak.hours;
      } else if (before.length && during.length) {
        method = 'hourly';
        const typical = new Map<number, number>();
        for (let h = 0; h < 24; h++) typical.set(h, median(before.filter((u) => hourOfDay(u.bucket) === h).map((u) => u.use)) ?? 0);
        wasted = Math.max(
          0,
          during.reduce((s, u) => s + u.use - typical.get(hourOfDay(u.bucket))!, 0),
        );
      }
      return { ...leak, rateM3h: rate, wastedM3: wasted, costYuan: wasted === null ? null : wasted * campus.tariffs.waterYuanPerM3, method };
    }),
  );
}
