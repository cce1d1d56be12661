/**
 * Transformer peak loads against rating, judged as docs/developing/domain-rules.md says: the worst phase current against
 * rated current (kVA * 1000 / (sqrt(3) * V_LL)), from the daily rollups' maxima. A unit is near
 * capacity when its daily peak exceeded 80 % on 3 school days of a rolling week (the planning rule
 * that made the seed school add its 80 kVA unit), counted in hot spells as the notice counts them
 * (near-capacity.ts). A phase above 10x rated is a broken sensor
 * (transformer.sensor_fault), not a load: such days are left out and said so.
 */
import { ratedCurrentA } from '@campus/contract';
import type { TransformerConfig } from '@campus/site';
import { dayBuckets, dailyFieldRows, type ReportContext } from './context.ts';
import { datesFrom } from './format.ts';
import { hotSpells, type HotSpell } from './near-capacity.ts';

const PHASES = ['currentA_a', 'currentA_b', 'currentA_c'];
export const NEAR_CAPACITY_PCT = 80;
export const NEAR_CAPACITY_DAYS = 3;
const SENSOR_FAULT_FACTOR = 10;

export interface TransformerFigure {
  deviceId: string;
  name: string;
  ratedKVA: number;
  ratedA: number;
  /** highest daily worst-phase peak, % of rated, and its day */
  peakPct: number | null;
  peakDate: string | null;
  meanDailyPeakPct: number | null;
  /** school days with a peak above 80 % / above 100 % */
  schoolDaysOver80: number;
  daysOver100: number;
  /** the spells with 3 or more school days above 80 % in a rolling week (one notice each) */
  nearCapacitySpells: HotSpell[];
  sensorFaultDays: string[];
  daily: { date: string; peakPct: number | null }[];
}

export async function transformerFigures(ctx: ReportContext): Promise<TransformerFigure[]> {
  const { campus, period } = ctx;
  const units = campus.devices.filter((d): d is TransformerConfig => d.kind === 'transformer');
  const dates = datesFrom(period.from, period.to);
  const buckets = dayBuckets(campus, period);
  return Promise.all(
    units.map(async (d): Promise<TransformerFigure> => {
      const ratedA = ratedCurrentA(d.ratedKVA, d.voltageLLV);
      // one query per phase, shared with coverage (currentA_a)
      const phases = await Promise.all(PHASES.map((f) => dailyFieldRows(ctx, d, f)));
      const sensorFaultDays: string[] = [];
      const daily = dates.map((date, i) => {
        const maxima = phases.flatMap((rows) => rows.filter((r) => r.bucket === buckets[i]).map((r) => r.max));
        if (!maxima.length) return { date, peakPct: null };
        const peak = Math.max(...maxima);
        if (peak > SENSOR_FAULT_FACTOR * ratedA) {
          sensorFaultDays.push(date);
          return { date, peakPct: null };
        }
        return { date, peakPct: (peak / ratedA) * 100 };
      });
      const known = daily.filter((x): x is { date: string; peakPct: number } => x.peakPct !== null);
      const top = known.reduce<(typeof known)[number] | null>((a, b) => (!a || b.peakPct > a.peakPct ? b : a), null);
      const hot = known.filter((x) => x.peakPct > NEAR_CAPACITY_PCT && campus.calendar.isSchoolDay(x.date));
      return {
        deviceId: d.id,
        name: d.name,
        ratedKVA: d.ratedKVA,
        ratedA,
        peakPct: top?.peakPct ?? null,
        peakDate: top?.date ?? null,
        meanDailyPeakPct: known.length ? known.reduce((s, x) => s + x.peakPct, 0) / known.length : null,
        schoolDaysOver80: hot.length,
        daysOver100: known.filter((x) => x.peakPct > 100).length,
        nearCapacitySpells: hotSpells(daily, (date) => campus.calendar.isSchoolDay(date), NEAR_CAPACITY_PCT, NEAR_CAPACITY_DAYS),
        sensorFaultDays,
        daily,
      };
    }),
  );
}
