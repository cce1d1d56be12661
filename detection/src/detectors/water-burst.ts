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
 * Inside a dormitory floor's evening peak the floor is not enough: the peak's 10-minute floor swings
 * from 2.1 to 4.3 m³/h from window to window and day to day (showers come and go), so a 2 m³/h
 * burst's floor (4.1-5.6) barely clears the learned high (4.0-4.3 on water-shapes' floors): a burst
 * at 21:30 took 42-44 min. The 10-minute mean or a longer floor did not help (measured on 6 seeds x
 * 14 school days: over 15 min in 134/384 and 161/384 bursts, against 147 for the floor); what
 * helps is a shorter look, which the step makes safe. So a dormitory meter (usage: dormitory) also
 * learns the highest 5-minute average of each slot (`levels`) and raises when the 5-minute
 * average is above the same threshold of the slot's `levelQuantile` (0.9: one day in ten of the
 * last 14 may be exceeded, the margin is the rest) while the 10-minute floor steps up by
 * `stepM3h` against the 10 minutes before: the burst lifts the floor by its whole size, a tank
 * filling for 4 minutes lifts the average but not the floor. Not capped by the meter's top (which
 * raised 5 false tickets in a term) and judged only after `levelMinDays` school days learned;
 * learned on school days only (a day off is judged by their top), which keeps a floor's saved
 * state under 32 kB.
 * Measured: the 21:30 burst in 3.5 and 10.5 min (wm-dorm-1, wm-dorm-2); a term of fault-free
 * meters raises no more tickets than the floor alone (water-term.test.ts: 8 in 800 device-days).
 * Not on the main (its 5-minute level swings by more than a burst: 3 false tickets in a term;
 * its balance is judged instead) nor on a teaching building (its breaks: 1).
 * Still slow: a burst that begins 0-25 min before the peak, whose start varies by 25 min (21:15 on
 * the floors of water-bursts: 10-27 min): its 2.3 m³/h is below the peak's learned level and
 * its floor's step comes before the peak.
 *
 * The campus main (usage: campus) carries the whole school: a burst inside its peaks is within their
 * day-to-day swing. Its water balance is judged too (water-balance.ts): the main less its
 * sub-meters, the unmetered use, learned and judged as above (a window learned in the slot it ends
 * in), in its own state; either raises the one burst ticket, and it clears when both are below.
 * While a sub-meter is silent, stale, faulty or frozen the residual is not known: not judged, not learned.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, fmt, keepLast, localDate, MIN, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import type { SchoolCalendar } from '@campus/site';
import { residualSamples, trackSubs, type SubTrack } from './water-balance.ts';
import { dayKind, quantile } from './water-memory.ts';

const SLOT_MIN = 15;
const SLOTS = (24 * 60) / SLOT_MIN;

/** one learned day: the highest floor of the windows starting in each quarter-hour slot (null: no window seen) */
export interface LearnedDay {
  date: string;
  highs: (number | null)[];
  /** a meter's own days: the highest 5-minute average of the windows starting in each slot (absent in older saved state) */
  levels?: (number | null)[];
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
  /** each sub-meter's register as the balance follows it: frozen or faulty ones leave the residual unknown (absent in older saved state) */
  subs?: Record<string, SubTrack>;
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
    levelQuantile: 0.9,
    levelMinDays: 12,
    frozenMin: 3,
    frozenFlowM3h: 0.5,
    trustMin: 30,
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
      const subs = trackSubs(balance?.subs ?? {}, ctx.site, device.id, p);
      const residual = subs.trusted ? residualSamples(balance?.samples ?? [], samples, device.id, ctx.site, p.balanceStaleMin * MIN, 2 * p.minutes * MIN + 2 * MIN) : null;
      balance = { ...(balance ?? { school: [], weekend: [], other: [] }), samples: residual ?? [], subs: subs.tracks };
      b = residual && judgeFloor(balance, residual, ts, calendar, p, state.since !== null, 'end');
    }
    const j = flow === null ? null : judgeFloor(state, samples, ts, calendar, p, state.since !== null);
    if (flow === null || !j) return found({ ...state, samples, balance, lastTs: ts });
    // the 5-minute level: a dormitory floor's evening peak only (see the header)
    const byLevel = device.usage === 'dormitory';
    const level = byLevel ? judgeLevel(state, flow, j, ts, calendar, p, state.since !== null) : notJudged(j);

    const rated = device.ratedFlowM3h;
    const overRated = rated !== undefined && flow > rated;
    const overBalance = b?.over ?? false;
    // the residual not known (a sub-meter silent or faulty): no evidence either way, a ticket it raised stays
    const balanceGone = b ? b.below : !(state.viaBalance ?? false) || state.since === null;
    const gone = !overRated && j.below && level.below && balanceGone;
    const h = sustain(state, ts, { active: j.over || level.over || overRated || overBalance, holdMs: 0, gone });
    const s: State = { ...state, ...h.state, samples, balance };
    // learn from normal flow only
    if (!j.over && !level.over && !overRated && !overBalance && j.below) {
      Object.assign(s, learnFloor(s, j, p));
      if (level.below && byLevel) Object.assign(s, learnLevel(s, level, p));
    }
    if (balance && b && !b.over && b.below && !j.over && !level.over && !overRated) s.balance = { ...balance, ...learnFloor(balance, b, p) };

    if (h.raise) {
      const viaBalance = overBalance && !j.over && !level.over && !overRated;
      const viaLevel = level.over && !j.over && !overRated;
      s.viaBalance = viaBalance;
      const why = overRated
        ? `5分钟平均流量 ${fmt(flow, 2)} m³/h，超过管道额定流量 ${fmt(rated!, 1)} m³/h`
        : viaBalance
          ? `总表减各分表的未计量流量${p.minutes}分钟内始终不低于 ${fmt(b!.floor, 2)} m³/h，该时段以往最高约 ${fmt(b!.high!, 2)} m³/h（总表 ${fmt(flow, 2)} m³/h）`
          : viaLevel
            ? `${p.windowMin}分钟平均流量 ${fmt(flow, 2)} m³/h，该时段以往最高约 ${fmt(level.high!, 2)} m³/h；${p.minutes}分钟内最低流量比此前抬高 ${fmt(j.step!, 2)} m³/h`
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
              : viaLevel
                ? { viaLevel, levelM3h: flow, learnedLevelM3h: level.high, levelThresholdM3h: level.threshold, floorM3h: j.floor, floorStepM3h: j.step }
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
type LevelParams = BurstParams & { windowMin: number; levelQuantile: number; levelMinDays: number };

/** A floor judged against what was learned for its slots and kind of day. */
export interface Judged {
  floor: number;
  high: number | null;
  threshold: number | null;
  /** above the threshold, as a step (or far above, or already over) */
  over: boolean;
  /** back below the threshold less half the excess, or nothing learned yet */
  below: boolean;
  /** the floor less the floor of the `minutes` before (null while the samples span less) */
  step?: number | null;
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
  const t = thresholdOf(days, 'highs', p.slotQuantile, by === 'start' ? ts - p.minutes * MIN : ts, by === 'start' ? ts : null, calendar, p);
  const stepped = before === null || floor - before >= p.stepM3h;
  const over = t.threshold !== null && floor > t.threshold && (stepped || floor > t.threshold + p.minExcessM3h || on);
  const below = t.threshold === null || floor <= t.threshold - t.excess / 2;
  return { floor, high: t.high, threshold: t.threshold, over, below, step: before === null ? null : floor - before, date: t.date, slot: t.slot, key: t.key };
}

/**
 * The 5-minute average (`flow`) judged against the same slots' learned highs of the 5-minute
 * average (their `levelQuantile`), as a burst inside a peak (see the header): over only while
 * the floor `j` steps up too (`stepM3h` above the floor of the `minutes` before), or the run is on.
 */
export function judgeLevel(days: LearnedDays, flow: number, j: Judged, ts: number, calendar: SchoolCalendar, p: LevelParams, on: boolean): Judged {
  const t = thresholdOf(days, 'levels', p.levelQuantile, ts - p.windowMin * MIN, ts, calendar, { ...p, minDays: p.levelMinDays }, false);
  const stepped = j.step !== null && j.step !== undefined && j.step >= p.stepM3h;
  const over = t.threshold !== null && flow > t.threshold && (stepped || on);
  const below = t.threshold === null || flow <= t.threshold - t.excess / 2;
  return { floor: flow, high: t.high, threshold: t.threshold, over, below, step: j.step, date: t.date, slot: t.slot, key: t.key };
}

/** A level not judged (nothing learned from it, nothing raised). */
const notJudged = (j: Judged): Judged => ({ ...j, threshold: null, high: null, over: false, below: true });

/** `days` with a judged normal 5-minute average of a school day learned into its slot's levels. */
export function learnLevel(days: LearnedDays, level: Judged, p: { learnDays: number }): Partial<LearnedDays> {
  // school days only (a day off is judged by their top): the state grows by half, not twice
  return level.key === 'school' ? learnInto(days, level, 'levels', p) : {};
}

/**
 * The threshold for a window starting at `from` (and ending at `to`: the slots it spans are judged
 * too; null: only the slot it starts in) by the learned `field` of the days of its kind.
 */
function thresholdOf(days: LearnedDays, field: Field, slotQuantile: number, from: number, to: number | null, calendar: SchoolCalendar, p: BurstParams, capByTop = true) {
  const windowStart = calendar.local(from);
  const startSlot = Math.floor(windowStart.minuteOfDay / SLOT_MIN);
  const endSlot = to !== null ? Math.floor(calendar.local(to).minuteOfDay / SLOT_MIN) : startSlot;
  const kind = dayKind(calendar, windowStart.date);
  const schoolDay = kind === 'school';
  const key: Judged['key'] = kind === 'school' ? 'school' : kind === 'weekend' ? 'weekend' : 'other';
  const q = { ...p, slotQuantile };
  const school = learnedOf(days.school, windowStart.date, field, q);
  const other = schoolDay ? null : learnedOf(days[key] ?? [], windowStart.date, field, q);
  let threshold: number | null = null;
  let high: number | null = null;
  let excess = 0;
  if (school || other) {
    const prevSlot = (startSlot + SLOTS - 1) % SLOTS;
    const slotHigh = (l: Learned | null) => (l ? Math.max(l.slots[prevSlot]!, l.slots[startSlot]!, l.slots[endSlot]!) : 0);
    // a day off not yet learned: anything a school day does at any hour
    high = schoolDay ? slotHigh(school) : other ? Math.max(slotHigh(school), slotHigh(other)) : school!.top;
    const top = Math.max(school?.top ?? 0, other?.top ?? 0);
    const bySlot = Math.max(high * p.factor, high + p.minExcessM3h);
    threshold = capByTop ? Math.min(bySlot, Math.max(top * p.factor, top + p.minExcessM3h)) : bySlot;
    excess = threshold - high;
  }
  return { threshold, high, excess, date: windowStart.date, slot: startSlot, key };
}

/** `days` with a judged normal floor learned into its slot (the highest of the day's windows starting there). */
export function learnFloor(days: LearnedDays, j: Judged, p: { learnDays: number }): Partial<LearnedDays> {
  return learnInto(days, j, 'highs', p);
}

type Field = 'highs' | 'levels';

function learnInto(days: LearnedDays, j: Judged, field: Field, p: { learnDays: number }): Partial<LearnedDays> {
  const list = days[j.key] ?? [];
  // the floor's window and the level's start at different times: one may still be in yesterday
  const newest = list.at(-1);
  if (newest && newest.date > j.date) {
    const i = list.length - 2;
    if (list[i]?.date !== j.date) return {};
    const updated = learnedDay(list[i]!, j, field);
    return updated ? { [j.key]: [...list.slice(0, i), updated, newest] } : {};
  }
  const today: LearnedDay = newest?.date === j.date ? newest : { date: j.date, highs: Array<number | null>(SLOTS).fill(null) };
  const updated = learnedDay(today, j, field);
  if (!updated) return {};
  // school days are most of a term: days off keep half as many (the state stays near 15 kB)
  return {
    [j.key]: keepLast(list.at(-1) === today ? [...list.slice(0, -1), updated] : [...list, updated], j.key === 'school' ? p.learnDays : Math.ceil(p.learnDays / 2)),
  };
}

/** `day` with the judged value learned into its slot, or null when it is not higher than what the slot has. */
function learnedDay(day: LearnedDay, j: Judged, field: Field): LearnedDay | null {
  const values = day[field] ?? Array<number | null>(SLOTS).fill(null);
  const was = values[j.slot];
  if (was !== null && was !== undefined && j.floor <= was) return null;
  const next = [...values];
  next[j.slot] = Math.round(j.floor * 100) / 100;
  return { ...day, [field]: next };
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
function learnedOf(days: LearnedDay[], date: string, field: Field, p: { slotQuantile: number; anyQuantile: number; minDays: number }): Learned | null {
  // levels: only the days that learned them (older saved days have highs only)
  const past = (days.at(-1)?.date === date ? days.slice(0, -1) : days).filter((d) => d[field]);
  const newest = past.at(-1);
  if (!newest || past.length < p.minDays) return null;
  const key = `${field}:${past.length}:${p.slotQuantile}:${p.anyQuantile}`;
  let byKey = cache.get(newest);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const slots = Array.from(
    { length: SLOTS },
    (_, slot) =>
      quantile(
        past.flatMap((d) => d[field]![slot] ?? []),
        p.slotQuantile,
      ) ?? 0,
  );
  const top =
    quantile(
      past.flatMap((d) => d[field]!.filter((v): v is number => v !== null)),
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
