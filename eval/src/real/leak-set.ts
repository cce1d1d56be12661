/**
 * Leak profiles from a public benchmark laid over a dormitory meter's night use: the 23 leaks of
 * BattLeDIM (KIOS-Research/BattLeDIM, the L-Town leakages of 2018–2019: start, peak and end times,
 * diameters, abrupt or incipient; eval/fixtures/real/battledim-leaks/README.md), each on a meter
 * of its own, with the profile shapes the benchmarks define:
 *
 * - abrupt: full size from the start to the end;
 * - incipient: the hole's diameter grows linearly from the start to the peak time (BattLeDIM's
 *   dataset_generator.py, LeakDB's leakDataset.py), so the flow, proportional to the hole's area,
 *   grows with the square of the time; then full size until the end.
 *
 * A city main's leak is far larger than a dormitory's, so only the shape and the timing are kept:
 * the peak is scaled by the hole's area, 40 L/h for the smallest hole (8.8 mm) and so 213 L/h for
 * the largest (20.3 mm). Each leak starts after two weeks of learning at its own clock time; the
 * night use under it is the simulator's dormitory floor (device-sim's water meter model).
 */
import type { Ticket, WaterMeterValues } from '@campus/contract';
import { CampusSim } from '@campus/device-sim';
import { endOfNextNight } from '../scenario.ts';
import { median } from '../score.ts';
import { realCampus } from './campus.ts';
import { readCsv } from './fixtures.ts';
import { replaySeries } from './replay-series.ts';
import { falseTicketRow, type RealRow } from './rows.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const LEAK_SET = 'battledim-leaks';
const LEARN_DAYS = 14;
const SMALLEST_PEAK_LPH = 40;
const GOAL_LPH = 30;
/** a meter read every 15 minutes, as an NB-IoT or wM-Bus meter reports (BattLeDIM's own step is 5 min) */
const INTERVAL_S = 900;
/** 2026-09-07 (Monday) 00:00, China time: the demo school's first term, 国庆 included */
const FROM = Date.parse('2026-09-07T00:00:00+08:00');
const LEAK_CONDITIONS = /^water\.(night_flow|continuous_flow|burst)$/;

export interface BenchmarkLeak {
  link: string;
  type: 'abrupt' | 'incipient';
  diameterM: number;
  /** benchmark times, read as UTC wall clock (only differences and the clock time are used) */
  start: number;
  peak: number;
  end: number;
}

const benchTime = (s: string) => Date.parse(`${s.replace(' ', 'T')}:00Z`);

export function benchmarkLeaks(): BenchmarkLeak[] {
  return readCsv(`${LEAK_SET}/leaks.csv`).map((r) => ({
    link: r.linkID!,
    type: r.leakType === 'incipient' ? 'incipient' : 'abrupt',
    diameterM: Number(r.leakDiameter_m),
    start: benchTime(r.startTime!),
    peak: benchTime(r.peakTime!),
    end: benchTime(r.endTime!),
  }));
}

/** A leak placed on a campus meter: the benchmark's durations from `start`, peak scaled by area. */
export interface PlacedLeak {
  leak: BenchmarkLeak;
  meter: string;
  peakLph: number;
  start: number;
  peak: number;
  end: number;
  /** when the flow first reaches 30 L/h */
  reaches30: number;
}

export function placeLeaks(leaks: readonly BenchmarkLeak[], from = FROM): PlacedLeak[] {
  const smallest = Math.min(...leaks.map((l) => l.diameterM));
  return leaks.map((leak) => {
    const clock = leak.start % DAY; // the benchmark's clock time of day
    const start = from + LEARN_DAYS * DAY + clock;
    const peakLph = SMALLEST_PEAK_LPH * (leak.diameterM / smallest) ** 2;
    const peak = start + (leak.type === 'incipient' ? leak.peak - leak.start : 0);
    const end = start + (leak.end - leak.start);
    const reaches30 = leak.type === 'incipient' ? start + Math.sqrt(GOAL_LPH / peakLph) * (peak - start) : start;
    return { leak, meter: `wm-leak-${leak.link}`, peakLph, start, peak, end, reaches30 };
  });
}

/** The leak's flow at `ts`, L/h. */
export function leakFlowLph(p: PlacedLeak, ts: number): number {
  if (ts < p.start || ts >= p.end) return 0;
  if (ts >= p.peak) return p.peakLph;
  const u = (ts - p.start) / (p.peak - p.start);
  return p.peakLph * u * u;
}

/** The water the leak has let through by `ts`, m³ (the integral of leakFlowLph). */
export function leakVolumeM3(p: PlacedLeak, ts: number): number {
  const t = Math.min(ts, p.end);
  if (t <= p.start) return 0;
  const rampH = (p.peak - p.start) / HOUR;
  const ramp = t < p.peak ? (p.peakLph * rampH * ((t - p.start) / (p.peak - p.start)) ** 3) / 3 : (p.peakLph * rampH) / 3;
  const flat = t > p.peak ? (p.peakLph * (t - p.peak)) / HOUR : 0;
  return (ramp + flat) / 1000;
}

export interface LeakSetResult {
  rows: RealRow[];
  tickets: Ticket[];
  placed: PlacedLeak[];
  readings: number;
  wallMs: number;
}

export function runLeakSet(opts: { seed?: number; links?: readonly string[]; tickMs?: number } = {}): LeakSetResult {
  const placed = placeLeaks(benchmarkLeaks()).filter((p) => !opts.links || opts.links.includes(p.leak.link));
  const campusOf = (p: PlacedLeak) =>
    realCampus({
      terms: [{ name: '2026-2027学年第一学期', start: '2026-09-01', end: '2027-01-22' }],
      holidays: [
        { name: '中秋节', start: '2026-09-25', end: '2026-09-27' },
        { name: '国庆节', start: '2026-10-01', end: '2026-10-07' },
      ],
      devices: [
        `{ id: ${p.meter}, kind: water_meter, name: 学生公寓水表（BattLeDIM ${p.leak.link}）, usage: dormitory, location: { building: dorm, floor: 3 }, ratedFlowM3h: 6, reportingIntervalS: ${INTERVAL_S} }`,
      ],
    });
  const campus = campusOf(placed[0]!);
  const deadline = (p: PlacedLeak) => (p.leak.type === 'incipient' ? p.reaches30 + DAY : endOfNextNight(p.start, campus));

  // each leak on a meter of its own, replayed from two weeks before it to a day after its deadline
  const tickets: Ticket[] = [];
  let readings = 0;
  let wallMs = 0;
  let meterDays = 0;
  for (const p of placed) {
    const own = campusOf(p);
    const sim = new CampusSim(own, opts.seed ?? 1);
    const to = Math.ceil((deadline(p) + DAY - FROM) / DAY) * DAY + FROM;
    meterDays += (to - FROM) / DAY;
    const result = replaySeries({
      campus: own,
      from: FROM,
      to,
      tickMs: opts.tickMs ?? 60_000,
      devices: [
        {
          id: p.meter,
          values: (ts): WaterMeterValues => {
            const base = sim.reading(p.meter, ts).values as unknown as WaterMeterValues;
            return {
              ...base,
              totalM3: Math.round((base.totalM3 + leakVolumeM3(p, ts)) * 1000) / 1000,
              flowM3h: Math.round(((base.flowM3h ?? 0) + leakFlowLph(p, ts) / 1000) * 1000) / 1000,
            };
          },
        },
      ],
    });
    // ticket ids are per run: number them apart
    tickets.push(...result.tickets.map((t) => ({ ...t, id: tickets.length + t.id })));
    readings += result.readings;
    wallMs += result.wallMs;
  }
  const result = { tickets, readings, wallMs };

  const opened = (t: Ticket) => Date.parse(t.openedAt);
  const explained = new Set<number>();
  const rows: RealRow[] = [];
  for (const type of ['abrupt', 'incipient'] as const) {
    const cases = placed.filter((p) => p.leak.type === type);
    const times: number[] = [];
    const notes: string[] = [];
    let caught = 0;
    for (const p of cases) {
      const mine = result.tickets.filter((t) => t.deviceId === p.meter);
      for (const t of mine) if (opened(t) >= p.start && opened(t) <= p.end + DAY && t.condition.startsWith('water.')) explained.add(t.id);
      const hit = mine.filter((t) => LEAK_CONDITIONS.test(t.condition) && opened(t) >= p.start).sort((a, b) => opened(a) - opened(b))[0];
      const clock = type === 'incipient' ? p.reaches30 : p.start;
      if (hit && opened(hit) <= deadline(p)) {
        caught++;
        times.push(Math.max(0, opened(hit) - clock));
        if (opened(hit) < clock) notes.push(`${p.leak.link}: ${hit.condition} ${((clock - opened(hit)) / HOUR).toFixed(0)} h before it reached 30 L/h`);
      } else {
        const size = type === 'incipient' ? `peak ${p.peakLph.toFixed(0)} L/h after ${((p.peak - p.start) / DAY).toFixed(0)} days` : `${p.peakLph.toFixed(0)} L/h`;
        notes.push(`missed ${p.leak.link} (${size}): ${hit ? `${hit.condition} at ${hit.openedAt}, after the deadline ${new Date(deadline(p)).toISOString()}` : 'no leak ticket'}`);
      }
    }
    rows.push({
      set: LEAK_SET,
      shape: type === 'abrupt' ? `abrupt (${cases.map((p) => p.peakLph.toFixed(0)).join('/')} L/h)` : 'incipient (quadratic ramp, 17–98 days)',
      cases: cases.length,
      caught,
      medianMs: median(times),
      goal: type === 'abrupt' ? 'within one night' : 'within 24 h of reaching 30 L/h',
      met: caught === cases.length,
      notes,
    });
  }
  rows.push(falseTicketRow(LEAK_SET, result.tickets.filter((t) => !explained.has(t.id)), 1, meterDays, campus));
  return { rows, tickets: result.tickets, placed, readings: result.readings, wallMs: result.wallMs };
}
