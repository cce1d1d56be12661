/**
 * A cumulative register (water m³, electricity kWh) into use: the one rule the store's daily use
 * (the competition board), the report's energy tables and detection all follow.
 *
 * One reading at a time (`stepRegister`, what detection feeds every reading through):
 * - rollover: the register wraps at its digits (`registerMax`, the campus file's `registerMaxM3` /
 *   `registerMaxKWh`: it shows up to registerMax and its decimals, then 0 again), so the use is the
 *   delta modulo the register size;
 * - replacement: a drop to near zero that is not a wrap starts a new segment (never a negative use);
 *   the new meter's first reading counts as use only if it could have passed that much since;
 * - jitter: a small backwards step (meter jitter, out-of-order delivery) is no use and keeps the
 *   higher value as the reference;
 * - fault: a reading no meter can make is no use: a register beyond its own digits, or a jump that
 *   would mean more than `limits.maxPerHour` (7055 -> 1e15 -> 10 m³ once opened a critical burst at
 *   1.2 billion m³/h). The reference stays where it was; when CONFIRM readings in a row agree with
 *   the new value, the meter was reset or swapped to a higher reading: a new segment, the jump
 *   itself counted as nothing.
 *
 * Over any span (`registerUse`) from what the store keeps per bucket (an hour or a local day: the
 * first, last, lowest and highest reading and their count), the same steps:
 * - a bucket's use runs from the last reading before it to its own last reading, so buckets add up
 *   and nothing falls between two days;
 * - a bucket whose register fell within it (a meter replaced, or a register that wrapped, mid-day)
 *   is walked first -> highest -> lowest -> last: the old meter up to its last value, then the new
 *   one from its first. A bucket that ends at or above where it began is walked first -> last, so a
 *   single corrupted reading in the middle of a day changes nothing;
 * - a silent bucket (no reading) has no use of its own; what the register gained across the silence
 *   is shared evenly over the silent buckets and the one it came back in, and marked estimated
 *   (the report's rule since its first version). The silent buckets are counted from the last
 *   reading, also before the requested span, so a day's share is the same whichever span is asked
 *   for (the competition's window and the report's term agree).
 */

export interface RegisterState {
  lastRaw: number | null;
  lastTs: number | null;
  /** continuous volume at the last reading: what the meter would read had it never wrapped or been replaced */
  volume: number;
  /** last time the register moved */
  movedAt: number | null;
  replacements: number;
  rollovers: number;
  /** an implausible value and how many readings in a row have agreed with it since (absent in older snapshots) */
  suspect?: { raw: number; ts: number; count: number } | null;
}

export const initRegister = (): RegisterState => ({ lastRaw: null, lastTs: null, volume: 0, movedAt: null, replacements: 0, rollovers: 0, suspect: null });

/** How fast a register can plausibly move, in its unit per hour (m³/h, kW). */
export interface RegisterLimits {
  /** beyond this a jump is a fault: no meter of this kind moves so fast */
  maxPerHour: number;
  /** what the meter itself passes at most (its rated flow or load): a replaced meter's first reading counts as use only within it */
  ratedPerHour?: number;
}

/** Readings in a row that must agree with an implausible value before it is taken as the meter's new level. */
export const CONFIRM = 3;
/** Shortest span a jump is judged over: a coarse register (1 m³ steps) read every few seconds must not look like a torrent. */
const MIN_SPAN_MS = 5 * 60_000;
const HOUR_MS = 3600_000;

/** Days of rollups read before a span for the register reading it starts from (the store and the report read the same). */
export const REGISTER_LOOKBACK_DAYS = 7;

/** Why a step is not use: the value, the reference it was judged against, what it would mean. */
export interface RegisterFault {
  raw: number;
  reference: number | null;
  /** the rate the jump would mean, per hour (absent for a value beyond the register) */
  perHour?: number;
  reason: 'beyond_register' | 'jump';
}

export interface RegisterStep {
  state: RegisterState;
  /** added volume since the previous reading (never negative) */
  delta: number;
  intervalMs: number | null;
  /** a rebase onto a confirmed new level counts as a replacement */
  event: 'rollover' | 'replacement' | null;
  /** the reading is no meter reading: it added nothing and moved no reference */
  fault?: RegisterFault;
}

/** The register's digits of a device as the campus file gives them (`registerMaxM3`, `registerMaxKWh`); unbounded when it has none. */
export const registerMaxOf = (device: { kind: string; registerMaxM3?: number; registerMaxKWh?: number }): number =>
  (device.kind === 'water_meter' ? device.registerMaxM3 : device.registerMaxKWh) ?? Number.POSITIVE_INFINITY;

/** What a register that went down from `from` to `to` means: a wrap at its digits, a new meter near zero, or jitter. */
export function registerDrop(from: number, to: number, registerMax: number): { event: 'rollover'; wrapped: number } | { event: 'replacement' | 'jitter' } {
  const wrapped = to + registerMax + 1 - from;
  if (from > registerMax * 0.9 && to < registerMax * 0.1 && wrapped > 0 && wrapped < registerMax * 0.01) return { event: 'rollover', wrapped };
  return { event: to < Math.max(1, from * 0.1) ? 'replacement' : 'jitter' };
}

const most = (limits: RegisterLimits | undefined, spanMs: number): number =>
  limits ? (limits.maxPerHour * Math.max(spanMs, MIN_SPAN_MS)) / HOUR_MS : Number.POSITIVE_INFINITY;

/**
 * One reading of a register after `prev`: the use it adds, and what happened (rollover, replacement, fault).
 * `spanMs` is how long the step may have taken when that is not `ts` since the last reading (a
 * reading inside a rollup bucket has no time of its own): jumps and a new meter's first reading are
 * judged over it.
 */
export function stepRegister(prev: RegisterState, raw: number, ts: number, registerMax: number, limits?: RegisterLimits, spanMs?: number): RegisterStep {
  // the register shows up to registerMax and its decimals, then wraps to 0 (registerMax + 1 is 0 again)
  if (!(raw < registerMax + 1)) {
    return { state: prev, delta: 0, intervalMs: null, event: null, fault: { raw, reference: prev.lastRaw, reason: 'beyond_register' } };
  }
  if (prev.lastRaw === null || prev.lastTs === null) {
    return { state: { ...prev, lastRaw: raw, lastTs: ts, movedAt: ts, suspect: null }, delta: 0, intervalMs: null, event: null };
  }
  if (ts <= prev.lastTs) return { state: prev, delta: 0, intervalMs: null, event: null }; // old or duplicate reading
  const intervalMs = ts - prev.lastTs;
  const judgedMs = Math.max(intervalMs, spanMs ?? 0);
  let delta = raw - prev.lastRaw;
  let event: RegisterStep['event'] = null;
  const state = { ...prev, suspect: null };
  if (delta < 0) {
    const drop = registerDrop(prev.lastRaw, raw, registerMax);
    if (drop.event === 'rollover') {
      delta = drop.wrapped;
      event = 'rollover';
      state.rollovers++;
    } else if (drop.event === 'replacement') {
      // a new meter starts near zero: count what it has registered so far, if it could have since the last reading
      const couldPass = limits ? ((limits.ratedPerHour ?? limits.maxPerHour) * judgedMs) / HOUR_MS : Number.POSITIVE_INFINITY;
      delta = raw <= couldPass ? raw : 0;
      event = 'replacement';
      state.replacements++;
    } else {
      // jitter: keep the higher value as the reference
      return { state: { ...state, lastTs: ts }, delta: 0, intervalMs, event: null };
    }
  }
  if (delta > most(limits, judgedMs)) return implausible(prev, raw, ts, delta, intervalMs, judgedMs, limits!);
  state.volume += delta;
  if (delta > 0) state.movedAt = ts;
  state.lastRaw = raw;
  state.lastTs = ts;
  return { state, delta, intervalMs, event };
}

/** A jump no meter makes: held as a suspect, and taken as the new level once CONFIRM readings in a row agree with it. */
function implausible(prev: RegisterState, raw: number, ts: number, delta: number, intervalMs: number, judgedMs: number, limits: RegisterLimits): RegisterStep {
  const s = prev.suspect;
  const agrees = s && ts > s.ts && raw >= s.raw - 1e-9 && raw - s.raw <= most(limits, ts - s.ts);
  const suspect = { raw, ts, count: agrees ? s.count + 1 : 1 };
  if (suspect.count >= CONFIRM) {
    // reset or swapped to a higher reading: a new segment from here, nothing counted for the jump
    return {
      state: { ...prev, lastRaw: raw, lastTs: ts, movedAt: ts, replacements: prev.replacements + 1, suspect: null },
      delta: 0,
      intervalMs,
      event: 'replacement',
    };
  }
  return {
    state: { ...prev, suspect },
    delta: 0,
    intervalMs: null,
    event: null,
    fault: { raw, reference: prev.lastRaw, perHour: (delta / judgedMs) * HOUR_MS, reason: 'jump' },
  };
}

/** What a rollup keeps of a register over one bucket (the store's RollupRow has these and more). */
export interface RegisterBucket {
  /** bucket start, epoch ms */
  bucket: number;
  /** readings in the bucket */
  n: number;
  /** the earliest and the latest reading, and the lowest and highest */
  first: number;
  last: number;
  min: number;
  max: number;
}

export interface BucketUse {
  bucket: number;
  use: number;
  /** includes a share of a catch-up after silence */
  estimated: boolean;
  /** no reading in this bucket */
  missing: boolean;
}

export interface RegisterUse {
  buckets: BucketUse[];
  /** the sum of the buckets' use; null when the meter said nothing in the span */
  total: number | null;
  /** register events met on the way (a replaced meter, a wrapped register; `fault`: readings counted as no use) */
  events: { bucket: number; kind: 'rollover' | 'replacement' | 'fault' }[];
}

export interface RegisterUseOptions {
  /** how fast the register can move (detection's register.fault ceiling): without it no jump is a fault */
  limits?: RegisterLimits;
  /** the buckets' length (an hour, a day); by default the smallest step between the buckets' and the rows' starts (an hour when there is none) */
  bucketMs?: number;
}

/**
 * Use per bucket of a register over `buckets` (bucket starts, in order: hours, or local midnights),
 * from rollup rows of its buckets (any order); rows before `buckets[0]` give the reading the span
 * starts from (read REGISTER_LOOKBACK_DAYS before it), rows at or after the span's end are ignored.
 */
export function registerUse(
  rows: readonly RegisterBucket[],
  buckets: readonly number[],
  registerMax = Number.POSITIVE_INFINITY,
  options: RegisterUseOptions = {},
): RegisterUse {
  const { limits } = options;
  const bucketMs = options.bucketMs ?? smallestStep([...buckets, ...rows.map((r) => r.bucket)]);
  const start = buckets[0] ?? Number.POSITIVE_INFINITY;
  const end = buckets.length ? buckets.at(-1)! + bucketMs : start;
  const sorted = [...rows].filter((r) => r.n > 0 && r.bucket < end).sort((a, b) => a.bucket - b.bucket);
  const inRange = new Map(sorted.filter((r) => r.bucket >= start).map((r, i, all) => [r.bucket, { row: r, next: all[i + 1]?.bucket }]));
  const anchor = sorted.filter((r) => r.bucket < start).at(-1);
  let state = initRegister();
  if (anchor) state = stepRegister(state, anchor.last, Math.min(anchor.bucket + bucketMs, start) - 1, registerMax, limits).state;
  let lastBucket = anchor?.bucket ?? null;
  const out: BucketUse[] = [];
  const events: RegisterUse['events'] = [];
  let silent: BucketUse[] = [];
  for (const bucket of buckets) {
    const found = inRange.get(bucket);
    if (!found) {
      const entry: BucketUse = { bucket, use: 0, estimated: false, missing: true };
      out.push(entry);
      silent.push(entry);
      continue;
    }
    const { row, next } = found;
    const bucketEnd = Math.min(bucket + bucketMs, next ?? Number.POSITIVE_INFINITY) - 1;
    // the step into the bucket (since the last reading before it), then the bucket itself
    const into = stepRegister(state, row.first, bucket, registerMax, limits);
    const steps = [into];
    state = into.state;
    // the readings within the bucket have no times of their own: each step is judged over the whole bucket
    for (const [raw, ts] of withinBucket(row, bucket, bucketEnd, registerMax)) {
      const step = stepRegister(state, raw, ts, registerMax, limits, bucketEnd + 1 - bucket);
      steps.push(step);
      state = step.state;
    }
    for (const step of steps) if (step.event || step.fault) events.push({ bucket, kind: step.event ?? 'fault' });
    const entry: BucketUse = { bucket, use: steps.slice(1).reduce((s, x) => s + x.delta, 0), estimated: false, missing: false };
    out.push(entry);
    // buckets without a reading since the last one, also before the span: a catch-up is shared over them and this one
    const gap = lastBucket === null ? 0 : Math.max(silent.length, Math.round((bucket - lastBucket) / bucketMs) - 1);
    if (gap > 0 && into.delta > 0) {
      const share = into.delta / (gap + 1);
      for (const s of [...silent, entry]) {
        s.use += share;
        s.estimated = true;
      }
    } else entry.use += into.delta;
    silent = [];
    lastBucket = bucket;
  }
  const any = out.some((b) => !b.missing);
  return { buckets: out, total: any ? out.reduce((s, b) => s + b.use, 0) : null, events };
}

/**
 * The readings to walk inside a bucket after its first, with times: first -> last, or, when the
 * register fell within the bucket by a wrap or a new meter, first -> highest -> lowest -> last.
 * Never more steps than the bucket had readings (a value repeated by the walk is one reading, and
 * would count twice toward confirming a new level).
 */
function withinBucket(row: RegisterBucket, from: number, to: number, registerMax: number): [number, number][] {
  const mid = from + Math.floor((to - from) / 2);
  const fell = row.last < row.first && registerDrop(row.max, row.min, registerMax).event !== 'jitter';
  let points: [number, number][] = fell
    ? [
        [row.max, mid],
        [row.min, mid + 1],
        [row.last, to],
      ]
    : [[row.last, to]];
  const most = Math.max(0, row.n - 1);
  if (points.length > most) points = points.filter(([raw], i) => raw !== (i ? points[i - 1]![0] : row.first));
  return points.slice(Math.max(0, points.length - most));
}

/** The smallest step between bucket starts (an hour when there is none). */
function smallestStep(starts: number[]): number {
  const sorted = starts.sort((a, b) => a - b);
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! > sorted[i - 1]!) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
  return Number.isFinite(step) ? step : HOUR_MS;
}
