/**
 * Burst: water far above what this meter does at this time of day for `minutes` without a break,
 * or above the pipe's rated flow at any time (domain rules, "Burst"). Critical.
 *
 * "For `minutes` without a break" is read as the floor of the flow: the lowest `stepMin`-minute
 * average over the last `minutes`. A burst adds a constant flow, so it lifts the floor by its whole
 * size; ordinary use comes in showers, taps and flushes, and its floor stays low even in the
 * evening peak of a dormitory floor, whose 5-minute averages swing by a cubic metre an hour.
 * A short spike (a tank filling for 4 minutes) does not lift a 10-minute floor at all.
 *
 * What the meter does is learned per quarter-hour slot of the day: the highest floor of the windows
 * that start in the slot, on each of the last `learnDays` days of the same kind (school days by
 * school days, so the first morning after a vacation is compared with the last school days before
 * it; other days by the higher of both kinds). A window is attributed to the slot it starts in and
 * judged against the slots it spans and the one before (a peak starts a quarter of an hour earlier
 * or later from day to day), so the evening peak does not carry into the next slot's learned high,
 * and a burst that starts just before the peak is judged by the quiet slots it began in.
 *   high      = the `slotQuantile` of the slot's learned highs (the highest of the last days)
 *   top       = the `anyQuantile` of every learned high of every slot: the meter's own top
 *   threshold = the lower of max(high x `factor`, high + `minExcessM3h`) and the same of top
 * (the floor is a steadier figure than a 5-minute average: 1.15 times it is far above).
 * Weekends, and holidays with vacation days, are learned apart from school days and judged by the
 * higher of their own and the school days'; before `minDays` of them are learned, by the school
 * days' top. A burst is a step: the floor must also stand `stepM3h` above the floor of the
 * `minutes` before (ordinary use swells into its peaks, and a high evening is high for an hour),
 * unless it is `minExcessM3h` above the threshold too. It clears when the floor is back below the
 * threshold less half the excess. The pipe's rating is
 * judged on the 5-minute average (`windowMin`), at once.
 *
 * The campus main (usage: campus) carries the whole school: a burst inside its peaks is within their
 * day-to-day swing. Its water balance is judged too (water-balance.ts): the main less its
 * sub-meters, the unmetered use, learned and judged as above (a window learned in the slot it ends
 * in), in its own state; either raises the one burst ticket, and it clears when both are below.
 * While a sub-meter is silent, stale or faulty the residual is not known: not judged, not learned.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, fmt, keepLast, localDate, MIN, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import type { SchoolCalendar } from '@campus/site';
import { residualSamples } from './water-balance.ts';
import { dayKind, quantile } from './water-memory.ts';

const SLOT_MIN = 15;
const SLOTS = (24 * 60) / SLOT_MIN;

/** one learned day: the highest 5-minute flow of the windows starting in each quarter-hour slot (null: no window seen) */
export interface LearnedDay {
  date: string;
  highs: (number | null)[];
}

/** What a flow's floor is judged against: the learned days by kind. */
export interface LearnedDays {
  /** the last school days */
  school: LearnedDay[];
  /** the last term weekends */
  weekend?: LearnedDay[];
  /** the last holidays and vacation days (older versions kept weekends here too) */
  other: LearnedDay[];
}

/** The campus main's unmetered residual (water-balance.ts): its volume samples and learned days. */
interface BalanceState extends LearnedDays {
  samples: VolumeSamples;
}

/** `since`: the run above the threshold or the rated flow (saved as `overSince` by older versions) */
interface State extends Sustained, LearnedDays {
  samples: VolumeSamples;
  /** the campus main meter: its unmetered residual's samples and learned days (water-balance.ts) */
  balance: BalanceState | null;
  /** the open run was raised by the residual alone */
  viaBalance?: boolean;
}

export const waterBurst = defineDetector({
  key: 'water.burst',
  kinds: ['water_meter'],
  params: {
    factor: 1.15,
    minExcessM3h: 0.75,
    slotQuantile: 1,
    anyQuantile: 0.98,
    minutes: 10,
    stepMin: 2,
    windowMin: 5,
    learnDays: 14,
    minDays: 5,
    stepM3h: 1,
    balanceStaleMin: 2,
  },
  init: (): State => ({ samples: [], school: [], weekend: [], other: [], balance: null, ...initSustained() }),
  // older versions learned per clock hour (`peaks`, `otherPeaks`): those are dropped and relearned
  restore: (s, saved) => ({
    ...s,
    school: Array.isArray(saved.school) ? s.school : [],
    weekend: Array.isArray(saved.weekend) ? s.weekend : [],
    other: Array.isArray(saved.other) ? s.other : [],
    since: typeof saved.overSince === 'number' && s.since === null ? saved.overSince : s.since,
  }),

  onReading(state, obs, ctx) {
    const { params: p, calendar, device } = ctx;
    const ts = obs.reading.ts;
    if (obs.volumeM3 === undefined) return found(state);
    const samples = pushVolume(state.samples, ts, obs.volumeM3, 2 * p.minutes * MIN + 2 * MIN, 20_000);
    const flow = averageFlow(samples, p.windowMin * MIN);
    // the campus main: its unmetered residual (the main less its sub-meters), judged the same way
    let balance = state.balance;
    let b: Judged | null = null;
    if (device.usage === 'campus' && ctx.site) {
      const residual = residualSamples(balance?.samples ?? [], samples, device.id, ctx.site, p.balanceStaleMin * MIN, 2 * p.minutes * MIN + 2 * MIN);
      balance = { ...(balance ?? { school: [], weekend: [], other: [] }), samples: residual ?? [] };
      b = residual && judgeFloor(balance, residual, ts, calendar, p, state.since !== null, 'end');
    }
    const j = flow === null ? null : judgeFloor(state, samples, ts, calendar, p, state.since !== null);
    if (flow === null || !j) return found({ ...state, samples, balance, lastTs: ts });

    const rated = device.ratedFlowM3h;
    const overRated = rated !== undefined && flow > rated;
    const overBalance = b?.over ?? false;
    // the residual not known (a sub-meter silent or faulty): no evidence either way, a ticket it raised stays
    const balanceGone = b ? b.below : !(state.viaBalance ?? false) || state.since === null;
    const gone = !overRated && j.below && balanceGone;
    const h = sustain(state, ts, { active: j.over || overRated || overBalance, holdMs: 0, gone });
    const s: State = { ...state, ...h.state, samples, balance };
    // learn from normal flow only
    if (!j.over && !overRated && !overBalance && j.below) Object.assign(s, learnFloor(s, j, p));
    if (balance && b && !b.over && b.below && !j.over && !overRated) s.balance = { ...balance, ...learnFloor(balance, b, p) };

    if (h.raise) {
      const viaBalance = overBalance && !j.over && !overRated;
      s.viaBalance = viaBalance;
      const why = overRated
        ? `5分钟平均流量 ${fmt(flow, 2)} m³/h，超过管道额定流量 ${fmt(rated!, 1)} m³/h`
        : viaBalance
          ? `总表减各分表的未计量流量${p.minutes}分钟内始终不低于 ${fmt(b!.floor, 2)} m³/h，该时段以往最高约 ${fmt(b!.high!, 2)} m³/h（总表 ${fmt(flow, 2)} m³/h）`
          : `${p.minutes}分钟内流量始终不低于 ${fmt(j.floor, 2)} m³/h，该时段以往最高约 ${fmt(j.high!, 2)} m³/h`;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'critical',
          trade: 'plumber',
          category: 'repair',
          title: '流量骤增（疑似爆管）',
          summary: why,
          evidence: [{ ts, value: Math.round((overRated ? flow : viaBalance ? b!.floor : j.floor) * 100) / 100, unit: 'm³/h' }],
          // raised by the residual: the main's own floor is named apart (floorM3h and learnedPeakM3h are the reason's)
          details: {
            flowM3h: flow,
            ...(viaBalance
              ? { viaBalance, residualFloorM3h: b!.floor, residualPeakM3h: b!.high, residualThresholdM3h: b!.threshold, mainFloorM3h: j.floor, mainPeakM3h: j.high }
              : { floorM3h: j.floor, learnedPeakM3h: j.high, thresholdM3h: j.threshold }),
            minutes: p.minutes,
            ratedFlowM3h: rated ?? null,
            date: localDate(calendar, ts),
          },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, device.id, ts, `流量已回落至 ${fmt(flow, 2)} m³/h`));
    return found(s);
  },
});

type BurstParams = { factor: number; minExcessM3h: number; slotQuantile: number; anyQuantile: number; minutes: number; stepMin: number; minDays: number; stepM3h: number; learnDays: number };

/** A floor judged against what was learned for its slots and kind of day. */
export interface Judged {
  floor: number;
  high: number | null;
  threshold: number | null;
  /** above the threshold, as a step (or far above, or already over) */
  over: boolean;
  /** back below the threshold less half the excess, or nothing learned yet */
  below: boolean;
  date: string;
  slot: number;
  key: 'school' | 'weekend' | 'other';
}

/**
 * The floor of `samples` over the last `minutes` judged against `days` (see the header): null
 * while the samples span less. `on`: the run is on already (a step is not asked again). `by`: a
 * window is learned in the slot it starts in (a meter's) or ends in (the residual's: a floor
 * rises only once its whole window is in the higher use, so a step of ordinary use at a fixed
 * time, lessons starting at 07:10, is learned where it is, not ten minutes before it).
 */
export function judgeFloor(days: LearnedDays, samples: VolumeSamples, ts: number, calendar: SchoolCalendar, p: BurstParams, on: boolean, by: 'start' | 'end' = 'start'): Judged | null {
  const floor = flowFloor(samples, p.minutes * MIN, p.stepMin * MIN);
  // the floor of the `minutes` before: a burst is a step, ordinary use swells into its peaks
  const before = flowFloor(samples, p.minutes * MIN, p.stepMin * MIN, ts - p.minutes * MIN);
  if (floor === null) return null;
  const windowStart = calendar.local(by === 'start' ? ts - p.minutes * MIN : ts);
  const startSlot = Math.floor(windowStart.minuteOfDay / SLOT_MIN);
  const endSlot = by === 'start' ? Math.floor(calendar.local(ts).minuteOfDay / SLOT_MIN) : startSlot;
  const kind = dayKind(calendar, windowStart.date);
  const schoolDay = kind === 'school';
  const key = kind === 'school' ? 'school' : kind === 'weekend' ? 'weekend' : 'other';
  const school = learnedOf(days.school, windowStart.date, p);
  const other = schoolDay ? null : learnedOf(days[key] ?? [], windowStart.date, p);
  let threshold: number | null = null;
  let high: number | null = null;
  let excess = 0;
  if (school || other) {
    const prevSlot = (startSlot + SLOTS - 1) % SLOTS;
    const slotHigh = (l: Learned | null) => (l ? Math.max(l.slots[prevSlot]!, l.slots[startSlot]!, l.slots[endSlot]!) : 0);
    // a day off not yet learned: anything a school day does at any hour
    high = schoolDay ? slotHigh(school) : other ? Math.max(slotHigh(school), slotHigh(other)) : school!.top;
    const top = Math.max(school?.top ?? 0, other?.top ?? 0);
    threshold = Math.min(Math.max(high * p.factor, high + p.minExcessM3h), Math.max(top * p.factor, top + p.minExcessM3h));
    excess = threshold - high;
  }
  const stepped = before === null || floor - before >= p.stepM3h;
  const over = threshold !== null && floor > threshold && (stepped || floor > threshold + p.minExcessM3h || on);
  const below = threshold === null || floor <= threshold - excess / 2;
  return { floor, high, threshold, over, below, date: windowStart.date, slot: startSlot, key };
}

/** `days` with a judged normal floor learned into its slot (the highest of the day's windows starting there). */
export function learnFloor(days: LearnedDays, j: Judged, p: { learnDays: number }): Partial<LearnedDays> {
  const list = days[j.key] ?? [];
  const today = list.at(-1)?.date === j.date ? list.at(-1)! : { date: j.date, highs: Array<number | null>(SLOTS).fill(null) };
  const was = today.highs[j.slot];
  if (was !== null && was !== undefined && j.floor <= was) return {};
  const highs = [...today.highs];
  highs[j.slot] = Math.round(j.floor * 100) / 100;
  const updated = { date: today.date, highs };
  // school days are most of a term: days off keep half as many (the state stays near 15 kB)
  return {
    [j.key]: keepLast(list.at(-1) === today ? [...list.slice(0, -1), updated] : [...list, updated], j.key === 'school' ? p.learnDays : Math.ceil(p.learnDays / 2)),
  };
}

interface Learned {
  /** per slot: the `slotQuantile` of its learned highs (0 where none was seen) */
  slots: number[];
  /** the `anyQuantile` of every learned high */
  top: number;
}

/**
 * What the days before `date` teach, or null with fewer than `minDays`. Computed once per day and
 * kind (a reading would otherwise sort every slot's highs): learned days never change once past,
 * so the newest past day and their count name the set.
 */
const cache = new WeakMap<LearnedDay, Map<string, Learned>>();
function learnedOf(days: LearnedDay[], date: string, p: { slotQuantile: number; anyQuantile: number; minDays: number }): Learned | null {
  const past = days.at(-1)?.date === date ? days.slice(0, -1) : days;
  const newest = past.at(-1);
  if (!newest || past.length < p.minDays) return null;
  const key = `${past.length}:${p.slotQuantile}:${p.anyQuantile}`;
  let byKey = cache.get(newest);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const slots = Array.from(
    { length: SLOTS },
    (_, slot) =>
      quantile(
        past.flatMap((d) => d.highs[slot] ?? []),
        p.slotQuantile,
      ) ?? 0,
  );
  const top =
    quantile(
      past.flatMap((d) => d.highs.filter((v): v is number => v !== null)),
      p.anyQuantile,
    ) ?? 0;
  const learned = { slots, top };
  if (!byKey) cache.set(newest, (byKey = new Map()));
  byKey.set(key, learned);
  return learned;
}

/**
 * The floor of the flow: the lowest average over `stepMs` (m³/h) in the `spanMs` of samples up to
 * `endTs` (the newest by default); null while they span less. Consecutive steps of about `stepMs` ending at each sample.
 */
export function flowFloor(samples: VolumeSamples, spanMs: number, stepMs: number, endTs = Infinity): number | null {
  let end = samples.length - 1;
  while (end >= 0 && samples[end]![0] > endTs) end--;
  const last = samples[end];
  if (!last || last[0] - samples[0]![0] < spanMs) return null;
  let floor = Infinity;
  let j = end;
  for (let i = end; i >= 0 && last[0] - samples[i]![0] <= spanMs - stepMs; i--) {
    if (j > i) j = i;
    while (j > 0 && samples[i]![0] - samples[j]![0] < stepMs) j--;
    const [t1, v1] = samples[i]!;
    const [t0, v0] = samples[j]!;
    if (t1 - t0 < stepMs) break;
    floor = Math.min(floor, ((v1 - v0) / (t1 - t0)) * 3600_000);
  }
  return Number.isFinite(floor) ? floor : null;
}
