/**
 * A real freezer's defrost rhythm: the threshold crossings and the defrost shape measured from a
 * published 1-minute air-temperature log (eval/fixtures/real/celsi-freezer/README.md): a defrost
 * about every 36–42 h with hours of jitter (one gap of 25 h), the air rising from -18.6 °C to
 * -1.9 °C and back, 37 min above the freezer limit of -12 °C; between defrosts the compressor
 * cycles between -20.7 and -18.4 °C every 29 min. The unit does not report `defrost`, so the
 * detectors must learn the rhythm from the temperature (domain rules, "Defrost is not an
 * excursion"): after at most two occurrences no defrost may raise a ticket. Nothing in the log is a
 * fault, so every ticket is a false one.
 */
import { readFileSync } from 'node:fs';
import type { FridgeValues, Ticket } from '@campus/contract';
import { realCampus } from './campus.ts';
import { REAL_FIXTURES_DIR, chinaTime } from './fixtures.ts';
import { replaySeries } from './replay-series.ts';
import { falseTicketRow, type RealRow } from './rows.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
export const FREEZER_SET = 'celsi-freezer';
const INTERVAL_S = 60;

interface FreezerFacts {
  logStartLocal: string;
  crossingMinutes: number[];
  smallEvents: Record<string, number>;
  defrostShape: [number, number][];
  smallEventShape: [number, number | null][];
  compressorCycle: { minC: number; maxC: number; periodMin: number };
}

export function freezerFacts(): FreezerFacts {
  return JSON.parse(readFileSync(`${REAL_FIXTURES_DIR}${FREEZER_SET}/freezer.json`, 'utf8')) as FreezerFacts;
}

const piecewise = (shape: readonly [number, number][], x: number): number => {
  for (let i = 1; i < shape.length; i++) {
    const [x0, y0] = shape[i - 1]!;
    const [x1, y1] = shape[i]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return shape[shape.length - 1]![1];
};

export interface WarmEvent {
  /** minute of the log at which the air crossed -10 °C */
  at: number;
  shape: [number, number][];
  small: boolean;
}

/** `stretch` > 1 lengthens each defrost in time (a stress variant: the rhythm stays the log's) */
export function warmEvents(f: FreezerFacts, stretch = 1): WarmEvent[] {
  return f.crossingMinutes.map((at) => {
    const peak = f.smallEvents[String(at)];
    if (peak === undefined) return { at, shape: f.defrostShape.map(([x, y]) => [x * stretch, y]), small: false };
    return { at, shape: f.smallEventShape.map(([x, y]) => [x, y ?? peak]) as [number, number][], small: true };
  });
}

/** The air temperature `minute` minutes into the log. */
export function freezerTempC(f: FreezerFacts, events: readonly WarmEvent[], minute: number): number {
  for (const e of events) {
    const x = minute - e.at;
    if (x >= e.shape[0]![0] && x <= e.shape[e.shape.length - 1]![0]) return Math.round(piecewise(e.shape, x) * 10) / 10;
  }
  const { minC, maxC, periodMin } = f.compressorCycle;
  const phase = (minute % periodMin) / periodMin; // a triangle: warming while the compressor rests
  const u = phase < 0.5 ? 1 - 2 * phase : 2 * phase - 1;
  return Math.round((minC + (maxC - minC) * u) * 10) / 10;
}

export interface FreezerSetResult {
  rows: RealRow[];
  tickets: Ticket[];
  readings: number;
  wallMs: number;
}

/**
 * `stretch`: 1 replays the measured defrost (37 min above -12 °C, under the 45-min rule, so it
 * tests what the rule alone does); 1.5 lengthens each one to 56 min, as the many freezers that
 * defrost for 40–60 min do, so that only a learned defrost keeps it from becoming a ticket.
 */
export function runFreezerSet(opts: { stretch?: number } = {}): FreezerSetResult {
  const stretch = opts.stretch ?? 1;
  const f = freezerFacts();
  const events = warmEvents(f, stretch);
  const defrosts = events.filter((e) => !e.small);
  const campus = realCampus({
    terms: [{ name: '2022暑期', start: '2022-07-01', end: '2022-07-31' }],
    devices: [
      `{ id: fr-freezer-real, kind: fridge, name: 冷冻柜（真实除霜记录）, location: { building: canteen, floor: 1 }, fridgeClass: freezer, setpointC: -20, reportingIntervalS: ${INTERVAL_S} }`,
    ],
  });
  // the log's wall clock, replayed as the campus' (China) wall clock
  const from = chinaTime(f.logStartLocal);
  const last = Math.max(...events.map((e) => e.at + e.shape[e.shape.length - 1]![0]));
  const to = from + Math.ceil(((last + 24 * 60) * MIN) / DAY) * DAY;
  const result = replaySeries({
    campus,
    from,
    to,
    devices: [{ id: 'fr-freezer-real', values: (ts): FridgeValues => ({ tempC: freezerTempC(f, events, (ts - from) / MIN), doorOpen: false }) }],
  });
  const opened = (t: Ticket) => Date.parse(t.openedAt);
  const learnedBy = from + (defrosts[1]!.at + defrosts[1]!.shape[defrosts[1]!.shape.length - 1]![0]) * MIN;
  const afterLearning = result.tickets.filter((t) => opened(t) > learnedBy);
  const inDefrost = (t: Ticket) =>
    defrosts.findIndex((e) => {
      const m = (opened(t) - from) / MIN - e.at;
      return m >= e.shape[0]![0] && m <= e.shape[e.shape.length - 1]![0] + 30;
    });
  const rows: RealRow[] = [
    {
      set: stretch === 1 ? FREEZER_SET : `${FREEZER_SET} ×${stretch}`,
      shape: `learned defrost${stretch === 1 ? '' : ` ×${stretch} long`} (${defrosts.length} defrosts, ${events.length - defrosts.length} short warm-up)`,
      cases: defrosts.length - 2,
      caught: defrosts.length - 2 - new Set(afterLearning.map(inDefrost).filter((i) => i >= 2)).size,
      medianMs: Number.NaN,
      goal: 'no ticket after the 2nd defrost',
      met: afterLearning.length === 0,
      notes: result.tickets.map((t) => {
        const i = inDefrost(t);
        return `${t.condition} [${t.severity}] ${i >= 0 ? `in defrost ${i + 1}` : 'outside any defrost'}: ${t.summary}`;
      }),
    },
    // a ticket in one of the first two defrosts is the price of learning from the temperature alone (allowed)
    {
      ...falseTicketRow(
        FREEZER_SET,
        result.tickets.filter((t) => opened(t) > learnedBy || inDefrost(t) < 0),
        1,
        (to - from) / DAY,
        campus,
      ),
      ...(stretch === 1 ? {} : { set: `${FREEZER_SET} ×${stretch}` }),
    },
  ];
  return { rows, tickets: result.tickets, readings: result.readings, wallMs: result.wallMs };
}
