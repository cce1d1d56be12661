/**
 * What the fridge detectors share: the food-safety limits of a unit, and defrost suppression.
 * Defrost (every 6-8 h, 20-30 min, the air warms) must not alarm:
 * - reported: suppressed while `defrost` is true and `postDefrostMin` after;
 * - not reported: short warm episodes that ended by themselves are remembered; once three come at
 *   a steady period (4-12 h, within ±20 min), the next ones are expected and suppressed.
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

export interface DefrostState {
  reportedAt: number | null;
  /** the unit said `defrost: true` at its last report */
  defrosting?: boolean;
  defrostEndedAt: number | null;
  episodeStart: number | null;
  episodes: number[];
}

export const initDefrost = (): DefrostState => ({ reportedAt: null, defrostEndedAt: null, episodeStart: null, episodes: [] });

const MAX_EPISODE_MIN = 40;
const TOLERANCE_MIN = 20;

/** The learned defrost period, if three or more episodes came at a steady interval. */
export function learnedPeriod(episodes: number[]): number | null {
  if (episodes.length < 3) return null;
  const gaps = episodes.slice(1).map((t, i) => t - episodes[i]!);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (median < 4 * 60 * MIN || median > 12 * 60 * MIN) return null;
  const steady = gaps.slice(-2).every((g) => Math.abs(g - median) <= TOLERANCE_MIN * MIN);
  return steady ? median : null;
}

/**
 * Advances the defrost knowledge with a reading; says whether a warm reading now is explained by
 * a defrost (and so must not count as an excursion).
 */
export function defrostStep(
  state: DefrostState,
  values: FridgeValues,
  ts: number,
  warm: boolean,
  postDefrostMin: number,
): { state: DefrostState; suppressed: boolean } {
  const s = { ...state };
  if (values.defrost !== undefined) {
    // the unit reports its defrost: suppress it, and the recovery for `postDefrostMin` after it ended
    s.reportedAt = ts;
    if (values.defrost) return { state: { ...s, defrosting: true, defrostEndedAt: null, episodeStart: null }, suppressed: true };
    if (state.defrosting) s.defrostEndedAt = ts;
    s.defrosting = false;
    const recovering = s.defrostEndedAt !== null && ts - s.defrostEndedAt < postDefrostMin * MIN;
    return { state: s, suppressed: warm && recovering };
  }
  // not reported: learn it from short warm episodes
  if (warm && s.episodeStart === null) s.episodeStart = ts;
  if (!warm && s.episodeStart !== null) {
    if (ts - s.episodeStart <= MAX_EPISODE_MIN * MIN) s.episodes = keepLast([...s.episodes, s.episodeStart], 6);
    s.episodeStart = null;
  }
  const period = learnedPeriod(s.episodes);
  if (!warm || period === null || s.episodeStart === null) return { state: s, suppressed: false };
  const expected = s.episodes.at(-1)! + Math.round((s.episodeStart - s.episodes.at(-1)!) / period) * period;
  const startedOnCue = Math.abs(s.episodeStart - expected) <= TOLERANCE_MIN * MIN;
  const stillShort = ts - s.episodeStart <= MAX_EPISODE_MIN * MIN;
  return { state: s, suppressed: startedOnCue && stillShort };
}
