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
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, fmt, keepLast, localDate, MIN, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { dayKind, quantile } from './water-memory.ts';

const SLOT_MIN = 15;
const SLOTS = (24 * 60) / SLOT_MIN;

/** one learned day: the highest 5-minute flow of the windows starting in each quarter-hour slot (null: no window seen) */
interface LearnedDay {
  date: string;
  highs: (number | null)[];
}

/** `since`: the run above the threshold or the rated flow (saved as `overSince` by older versions) */
interface State extends Sustained {
  samples: VolumeSamples;
  /** the last school days */
  school: LearnedDay[];
  /** the last term weekends */
  weekend?: LearnedDay[];
  /** the last holidays and vacation days (older versions kept weekends here too) */
  other: LearnedDay[];
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
  },
  init: (): State => ({ samples: [], school: [], weekend: [], other: [], ...initSustained() }),
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
    const floor = flowFloor(samples, p.minutes * MIN, p.stepMin * MIN);
    // the floor of the `minutes` before: a burst is a step, ordinary use swells into its peaks
    const before = flowFloor(samples, p.minutes * MIN, p.stepMin * MIN, ts - p.minutes * MIN);
    if (flow === null || floor === null) return found({ ...state, samples, lastTs: ts });

    const windowStart = calendar.local(ts - p.minutes * MIN);
    const startSlot = Math.floor(windowStart.minuteOfDay / SLOT_MIN);
    const endSlot = Math.floor(calendar.local(ts).minuteOfDay / SLOT_MIN);
    const kind = dayKind(calendar, windowStart.date);
    const schoolDay = kind === 'school';
    const learnedKey = kind === 'school' ? 'school' : kind === 'weekend' ? 'weekend' : 'other';
    const school = learnedOf(state.school, windowStart.date, p);
    const other = schoolDay ? null : learnedOf(state[learnedKey] ?? [], windowStart.date, p);
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
    const rated = device.ratedFlowM3h;
    const overRated = rated !== undefined && flow > rated;
    const stepped = before === null || floor - before >= p.stepM3h;
    const overLearned = threshold !== null && floor > threshold && (stepped || floor > threshold + p.minExcessM3h || state.since !== null);
    const gone = !overRated && (threshold === null || floor <= threshold - excess / 2);
    const h = sustain(state, ts, { active: overLearned || overRated, holdMs: 0, gone });
    const s: State = { ...state, ...h.state, samples };

    // learn from normal flow only
    if (!overLearned && !overRated && (threshold === null || floor <= threshold - excess / 2)) {
      const key = learnedKey;
      const days = s[key] ?? [];
      const today = days.at(-1)?.date === windowStart.date ? days.at(-1)! : { date: windowStart.date, highs: Array<number | null>(SLOTS).fill(null) };
      const was = today.highs[startSlot];
      if (was === null || was === undefined || floor > was) {
        const highs = [...today.highs];
        highs[startSlot] = Math.round(floor * 100) / 100;
        const updated = { date: today.date, highs };
        // school days are most of a term: days off keep half as many (the state stays near 15 kB)
        s[key] = keepLast(
          days.at(-1) === today ? [...days.slice(0, -1), updated] : [...days, updated],
          key === 'school' ? p.learnDays : Math.ceil(p.learnDays / 2),
        );
      }
    }

    if (h.raise) {
      const why = overRated
        ? `5分钟平均流量 ${fmt(flow, 2)} m³/h，超过管道额定流量 ${fmt(rated!, 1)} m³/h`
        : `${p.minutes}分钟内流量始终不低于 ${fmt(floor, 2)} m³/h，该时段以往最高约 ${fmt(high!, 2)} m³/h`;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'critical',
          trade: 'plumber',
          category: 'repair',
          title: '流量骤增（疑似爆管）',
          summary: why,
          evidence: [{ ts, value: Math.round((overRated ? flow : floor) * 100) / 100, unit: 'm³/h' }],
          details: {
            flowM3h: flow,
            floorM3h: floor,
            minutes: p.minutes,
            learnedPeakM3h: high,
            thresholdM3h: threshold,
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
