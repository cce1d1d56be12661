/**
 * What the fridge detectors share: the food-safety limits of a unit, and defrost suppression.
 * Defrost must not alarm (docs/developing/domain-rules.md): commercial units defrost every 4-8 h
 * for 20-30 min, many freezers once every one or two days for 40-60 min, the air a few degrees
 * above zero, with hours of jitter between cycles.
 * - reported: suppressed while `defrost` is true and `postDefrostMin` after;
 * - not reported: learned from the temperature alone. A defrost's signature is a warm episode
 *   (air above the limit) that rose from the unit's normal level, peaked and came back by itself
 *   within `defrostLongestMin`, the door not reported open for much of it. After two similar ones,
 *   a new warm episode is excused while it lasts no longer than the longest learned one ×
 *   `defrostLengthFactor` + `defrostLengthMarginMin` (and never past `defrostLongestMin`), stays
 *   under the warmest learned peak + `defrostPeakMarginC`, started no sooner than
 *   `defrostGapFactor` × the shortest learned interval after the last one, and rose to the limit
 *   no slower than `defrostRiseFactor` × the slowest learned rise. The rise tells a heater from a
 *   dead compressor when both come on cue: a defrost heater warms the air at 0.3-1.5 °C/min near
 *   the limit, a cabinet without cooling at 0.1-0.2 °C/min. It is the least-squares slope of the
 *   readings from the last one at the normal level to the first above the limit (any reporting
 *   interval, and sensor noise averages out).
 *   No fixed period: intervals of 4 h or 48 h, with hours of jitter, are learned alike. An episode
 *   that leaves that envelope is no defrost from its start: the time it was excused counts.
 */
import { FRIDGE_LIMITS_C, type FridgeValues } from '@campus/contract';
import type { DeviceConfig } from '@campus/site';
import { keepLast, MIN } from '../helpers.ts';

export interface Limits {
  min?: number;
  max: number;
}

export function fridgeLimits(device: DeviceConfig, params: { readonly minC?: number; readonly maxC?: number }): Limits {
  const base = device.kind === 'fridge' ? FRIDGE_LIMITS_C[device.fridgeClass] : { max: 8, min: 0 };
  return { min: params.minC ?? base.min, max: params.maxC ?? base.max };
}

export const outOfRange = (t: number, l: Limits): boolean => t > l.max || (l.min !== undefined && t < l.min);
export const limitText = (l: Limits): string => (l.min !== undefined ? `${l.min}–${l.max} °C` : `≤ ${l.max} °C`);
/** Readings this far outside any fridge's range are a broken sensor, not food at risk. */
export const implausible = (t: number): boolean => t < -60 || t > 60;

/** fridge.excursion's minutes out of range before a ticket, by class (fridge.cumulative knows which spells it ticketed) */
export const EXCURSION_MIN = { chillerMin: 30, freezerMin: 45 };

/**
 * The defrost thresholds, the same in fridge.excursion and fridge.cumulative so that both count
 * the same time as defrost (a campus file that changes one should change both).
 */
export const DEFROST_PARAMS = {
  /** minutes after a reported defrost ends during which the recovery is not an excursion */
  postDefrostMin: 30,
  /** a shorter warm episode is a door opening, never learned as a defrost */
  defrostShortestMin: 10,
  /**
   * a defrost is back at the normal level by itself within this many minutes of its start, and no
   * warm spell is excused for longer: under the 2 hours after which food must be used or discarded.
   * (A 60-minute defrost to +5 °C whose compressor pulls the air down at 0.4 °C/min is above -12 °C
   * for about 90 minutes.)
   */
  defrostLongestMin: 110,
  /** an excused episode may last the longest learned defrost × this ... */
  defrostLengthFactor: 1.5,
  /** ... + these minutes */
  defrostLengthMarginMin: 10,
  /** °C above the warmest learned defrost peak at which an episode is no defrost */
  defrostPeakMarginC: 3,
  /**
   * an episode sooner than this × the shortest learned interval after the last defrost is outside
   * the rhythm: 0.5 lets consecutive intervals differ by 2× (a measured freezer defrosts every
   * 25-42 h; 0.7 ticketed its 7th defrost, 0.65× the shortest interval after the 6th)
   */
  defrostGapFactor: 0.5,
  /**
   * an episode that rose to the limit slower than this × the slowest learned rise is no defrost: a
   * heater warms the air 0.3-1.5 °C/min near the limit (the measured freezer 0.4, its 1.5× long
   * variant 0.27), a cabinet without cooling 0.1-0.2 °C/min. 0.5 lets one unit's defrosts rise 2×
   * slower than the slowest learned (they start anywhere in the compressor's band) and still
   * catches a dead compressor behind a defrost rising 0.4 °C/min or faster
   */
  defrostRiseFactor: 0.5,
  /** how many learned defrosts are remembered (the newest) */
  defrostMemory: 6,
};
export type DefrostParams = Readonly<typeof DEFROST_PARAMS>;

/** The air is back at the normal level when it is this far under the limit. */
const NORMAL_BELOW_LIMIT_C = 2;
/** A defrost rises from the normal level: the air was there for this long before it ... */
const NORMAL_BEFORE_MIN = 20;
/** ... and left it at most this long before it crossed the limit (a rise, not a slow drift). */
const RISE_MIN = 30;
/** Defrosts come 4 h apart or more (4-8 h, ± an hour): warm spells closer together are something else. */
const SHORTEST_DEFROST_GAP_MIN = 180;
/** Readings of the normal level further apart than this are not one stretch of it. */
const NORMAL_GAP_MIN = 15;

/** One defrost learned from the temperature. */
export interface DefrostSignature {
  /** first reading above the limit, epoch ms */
  start: number;
  /** minutes above the limit */
  minutes: number;
  /** warmest reading, °C */
  peakC: number;
  /** how fast it rose to the limit, °C/min (absent in state saved before it was learned) */
  risePerMin?: number;
}

/**
 * The readings since the last one at the normal level, as the sums of a least-squares line (x:
 * minutes after that reading): the rise to the limit is their slope.
 */
export interface Rise {
  at: number;
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  sxy: number;
}

const risePoint = (r: Rise, ts: number, t: number): Rise => {
  const x = (ts - r.at) / MIN;
  return { at: r.at, n: r.n + 1, sx: r.sx + x, sy: r.sy + t, sxx: r.sxx + x * x, sxy: r.sxy + x * t };
};
const riseSlope = (r: Rise): number | null => {
  const d = r.n * r.sxx - r.sx * r.sx;
  return r.n >= 2 && d > 0 ? Math.round(((r.n * r.sxy - r.sx * r.sy) / d) * 100) / 100 : null;
};

/** The warm episode under way: from the first reading above the limit until the air is back at the normal level. */
export interface WarmEpisode {
  start: number;
  peakC: number;
  /** first reading back under the limit since the last one above it (null while above) */
  underSince: number | null;
  /** it rose from the normal level (not the tail of an earlier warm spell) */
  fromNormal: boolean;
  /** readings above the limit, and those of them with the door reported open */
  readings?: number;
  doorReadings?: number;
  /** how fast it rose to the limit, °C/min (null: not from the normal level) */
  risePerMin?: number | null;
  /** it started when the learned rhythm allows a defrost */
  onCue: boolean;
  /** excused as a defrost at some reading */
  excused: boolean;
  /** on cue, but it lasted longer, got warmer or rose slower than the learned defrost: no defrost, from its start */
  outside: boolean;
  /** ... and which of them */
  notDefrost?: NotDefrost;
}

/** Why a warm spell on cue is no learned defrost: it lasted longer, got warmer or rose to the limit slower. */
export type NotDefrost = 'longer' | 'warmer' | 'slower';

export interface DefrostState {
  reportedAt: number | null;
  /** the unit said `defrost: true` at its last report */
  defrosting?: boolean;
  defrostEndedAt: number | null;
  /** the latest stretch of readings at the normal level: its first and its last */
  normalSince: number | null;
  normalAt?: number | null;
  /** the readings since the last one at the normal level, while none is above the limit */
  rise?: Rise | null;
  episode: WarmEpisode | null;
  /** when the last warm spell with a defrost's shape started (learned or not) */
  shapedAt?: number | null;
  /** the newest learned defrosts, oldest first (at most `defrostMemory`) */
  signatures: DefrostSignature[];
}

export const initDefrost = (): DefrostState => ({
  reportedAt: null,
  defrostEndedAt: null,
  normalSince: null,
  normalAt: null,
  rise: null,
  episode: null,
  shapedAt: null,
  signatures: [],
});

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Saved defrost state made current. An older version kept only the start times of short warm
 * episodes (`episodes`), which say nothing of a defrost's length or peak: they are dropped and
 * the defrost is learned again (within two occurrences).
 */
export function restoreDefrost(saved: unknown): DefrostState {
  const fresh = initDefrost();
  if (typeof saved !== 'object' || saved === null) return fresh;
  const s = saved as Record<string, unknown>;
  const signatures = Array.isArray(s.signatures)
    ? (s.signatures as Record<string, unknown>[]).filter((g) => isNumber(g?.start) && isNumber(g.minutes) && isNumber(g.peakC))
    : [];
  const rise = s.rise as Record<string, unknown> | null | undefined;
  return {
    reportedAt: isNumber(s.reportedAt) ? s.reportedAt : null,
    ...(typeof s.defrosting === 'boolean' ? { defrosting: s.defrosting } : {}),
    defrostEndedAt: isNumber(s.defrostEndedAt) ? s.defrostEndedAt : null,
    normalSince: isNumber(s.normalSince) ? s.normalSince : null,
    normalAt: isNumber(s.normalAt) ? s.normalAt : null,
    shapedAt: isNumber(s.shapedAt) ? s.shapedAt : null,
    rise: typeof rise === 'object' && rise !== null && ['at', 'n', 'sx', 'sy', 'sxx', 'sxy'].every((k) => isNumber(rise[k])) ? (rise as unknown as Rise) : null,
    episode: typeof s.episode === 'object' && s.episode !== null && isNumber((s.episode as WarmEpisode).start) ? (s.episode as WarmEpisode) : null,
    signatures: signatures.map((g) => ({
      start: g.start as number,
      minutes: g.minutes as number,
      peakC: g.peakC as number,
      ...(isNumber(g.risePerMin) ? { risePerMin: g.risePerMin } : {}),
    })),
  };
}

/** What the learned defrosts allow. */
export interface LearnedDefrost {
  longestMin: number;
  warmestC: number;
  shortestGapMs: number;
  /** the slowest learned rise to the limit, °C/min (null: none learned) */
  slowestRisePerMin: number | null;
}

/**
 * The learned defrost, once the two newest signatures are alike (lengths within a factor of 2,
 * peaks within twice the peak margin): an unusual warm spell and a defrost are not a rhythm.
 */
export function learnedDefrost(signatures: readonly DefrostSignature[], p: DefrostParams): LearnedDefrost | null {
  if (signatures.length < 2) return null;
  const a = signatures.at(-2)!;
  const b = signatures.at(-1)!;
  const alike = Math.max(a.minutes, b.minutes) <= 2 * Math.min(a.minutes, b.minutes) && Math.abs(a.peakC - b.peakC) <= 2 * p.defrostPeakMarginC;
  if (!alike) return null;
  let shortestGapMs = Infinity;
  for (let i = 1; i < signatures.length; i++) shortestGapMs = Math.min(shortestGapMs, signatures[i]!.start - signatures[i - 1]!.start);
  const rises = signatures.flatMap((g) => (g.risePerMin === undefined ? [] : [g.risePerMin]));
  return {
    longestMin: Math.max(...signatures.map((g) => g.minutes)),
    warmestC: Math.max(...signatures.map((g) => g.peakC)),
    shortestGapMs,
    slowestRisePerMin: rises.length ? Math.min(...rises) : null,
  };
}

export interface DefrostStep {
  state: DefrostState;
  /** the reading is out of range because of a defrost: not an excursion */
  suppressed: boolean;
  /** the current warm episode was excused as a defrost and no longer is: it counts from this start */
  outSince: number | null;
  /** ... and it stopped being excused at this reading */
  revoked: boolean;
  /** ... because it lasted longer or got warmer than the learned defrost (null while `outSince` is) */
  notDefrost: NotDefrost | null;
  /** a warm episode ended at this reading (the air back at the normal level): whether it had a defrost's shape */
  closed: { shaped: boolean } | null;
}

const plain = (state: DefrostState): DefrostStep => ({ state, suppressed: false, outSince: null, revoked: false, notDefrost: null, closed: null });

/** Why a warm episode on cue is not the learned defrost at this reading, or null: it fits. */
function misfit(ep: WarmEpisode, ts: number, learned: LearnedDefrost, p: DefrostParams): NotDefrost | null {
  if (ts - ep.start > Math.min(learned.longestMin * p.defrostLengthFactor + p.defrostLengthMarginMin, p.defrostLongestMin) * MIN) return 'longer';
  if (ep.peakC > learned.warmestC + p.defrostPeakMarginC) return 'warmer';
  // a heater warms the air fast, a cabinet without cooling slowly
  const slowest = learned.slowestRisePerMin;
  if (slowest !== null && isNumber(ep.risePerMin) && ep.risePerMin < p.defrostRiseFactor * slowest) return 'slower';
  return null;
}

/**
 * The warm episode under way may still end with a defrost's shape: it rose from the normal level,
 * has not left a learned envelope, and is not yet longer than any defrost.
 */
export const mayBeDefrost = (ep: WarmEpisode, ts: number, p: DefrostParams): boolean =>
  ep.fromNormal && !ep.outside && ts - ep.start <= p.defrostLongestMin * MIN;

/**
 * Advances the defrost knowledge with a reading; says whether the reading, if out of range, is
 * explained by a defrost (and so must not count as an excursion).
 */
export function defrostStep(state: DefrostState, values: FridgeValues, ts: number, limits: Limits, p: DefrostParams): DefrostStep {
  const s = { ...state };
  const t = values.tempC;
  const warm = t > limits.max;
  const normal = t <= limits.max - NORMAL_BELOW_LIMIT_C;
  const normalAt = state.normalAt ?? null;
  if (normal) {
    s.normalSince = state.normalSince !== null && normalAt !== null && ts - normalAt <= NORMAL_GAP_MIN * MIN ? state.normalSince : ts;
    s.normalAt = ts;
    s.rise = risePoint({ at: ts, n: 0, sx: 0, sy: 0, sxx: 0, sxy: 0 }, ts, t);
  } else if (state.episode === null && !warm) {
    // rising from the normal level towards the limit (or drifting: then no rise)
    s.rise = state.rise && ts - state.rise.at <= RISE_MIN * MIN ? risePoint(state.rise, ts, t) : null;
  }
  if (values.defrost !== undefined) {
    // the unit reports its defrost: suppress it, and the recovery for `postDefrostMin` after it ended
    s.reportedAt = ts;
    if (values.defrost) return { ...plain({ ...s, defrosting: true, defrostEndedAt: null, episode: null }), suppressed: true };
    if (state.defrosting) s.defrostEndedAt = ts;
    s.defrosting = false;
    const recovering = s.defrostEndedAt !== null && ts - s.defrostEndedAt < p.postDefrostMin * MIN;
    return { ...plain(s), suppressed: outOfRange(t, limits) && recovering };
  }
  // not reported: learn it from the temperature
  const learned = learnedDefrost(state.signatures, p);
  let ep = state.episode;
  if (ep === null) {
    if (!warm) return plain(s);
    const last = state.signatures.at(-1);
    const fromNormal = state.normalSince !== null && normalAt !== null && ts - normalAt <= RISE_MIN * MIN && normalAt - state.normalSince >= NORMAL_BEFORE_MIN * MIN;
    const rise = fromNormal && state.rise ? riseSlope(risePoint(state.rise, ts, t)) : null;
    s.rise = null;
    ep = {
      start: ts,
      peakC: t,
      underSince: null,
      fromNormal,
      risePerMin: rise,
      readings: 0,
      doorReadings: 0,
      onCue: learned !== null && last !== undefined && ts - last.start >= p.defrostGapFactor * learned.shortestGapMs,
      excused: false,
      outside: false,
    };
  }
  ep = { ...ep };
  if (warm) {
    ep.peakC = Math.max(ep.peakC, t);
    ep.underSince = null;
    ep.readings = (ep.readings ?? 0) + 1;
    if (values.doorOpen) ep.doorReadings = (ep.doorReadings ?? 0) + 1;
  } else ep.underSince ??= ts;
  if (normal) {
    // back at the normal level by itself: a defrost's signature, if it has a defrost's shape
    const minutes = (ep.underSince! - ep.start) / MIN;
    // the door open in a third of it is a door left open; a cook's quick openings during a defrost are not
    const door = (ep.doorReadings ?? 0) * 3 >= (ep.readings ?? 1);
    const shaped = mayBeDefrost(ep, ts, p) && !door && minutes >= p.defrostShortestMin;
    if (shaped) {
      // hourly warm spells are no defrost rhythm: short excursions that must add up (fridge.cumulative)
      const spaced = state.shapedAt == null || ep.start - state.shapedAt >= SHORTEST_DEFROST_GAP_MIN * MIN;
      const rise = isNumber(ep.risePerMin) ? { risePerMin: ep.risePerMin } : {};
      if (spaced)
        s.signatures = keepLast(
          [...state.signatures, { start: ep.start, minutes: Math.round(minutes), peakC: ep.peakC, ...rise }],
          Math.max(2, Math.round(p.defrostMemory)),
        );
      s.shapedAt = ep.start;
    }
    s.episode = null;
    return { ...plain(s), closed: { shaped } };
  }
  const why = ep.onCue && !ep.outside && learned !== null ? misfit(ep, ts, learned, p) : null;
  if (why !== null) {
    ep.outside = true;
    ep.notDefrost = why;
  }
  const fits = ep.onCue && !ep.outside && learned !== null;
  const suppressed = warm && fits;
  if (suppressed) ep.excused = true;
  s.episode = ep;
  const outSince = ep.excused && ep.outside ? ep.start : null;
  return {
    state: s,
    suppressed,
    outSince,
    revoked: outSince !== null && !state.episode?.outside,
    notDefrost: outSince !== null ? (ep.notDefrost ?? 'longer') : null,
    closed: null,
  };
}

/** A reading judged against the unit's limits and its defrost: whether it counts as out of range (beyond the limits, not a defrost). */
export function judgeTemperature(
  defrost: DefrostState,
  values: FridgeValues,
  ts: number,
  device: DeviceConfig,
  p: DefrostParams & { readonly minC?: number; readonly maxC?: number },
): DefrostStep & { limits: Limits; counting: boolean } {
  const limits = fridgeLimits(device, p);
  const d = defrostStep(defrost, values, ts, limits, p);
  return { ...d, limits, counting: outOfRange(values.tempC, limits) && !d.suppressed };
}
