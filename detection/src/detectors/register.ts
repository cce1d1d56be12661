/**
 * Cumulative registers (water m³, electricity kWh) into volumes and flows:
 * - rollover: the register wraps at its maximum (delta modulo the register size);
 * - replacement: a drop to near zero that is not a wrap starts a new segment (no negative flow);
 * - a small backwards step (meter jitter, out-of-order delivery) is ignored;
 * - a reading no meter can make is a fault, not use: a register beyond its own digits, or a jump
 *   that would mean more than `maxPerHour` flowed (7055 -> 1e15 -> 10 m³ once opened a critical
 *   burst at 1.2 billion m³/h). The reference stays where it was; when the following readings
 *   agree with the new value (CONFIRM in a row), the meter was reset or swapped: a new segment.
 * The continuous volume is what the meter would read had it never wrapped or been replaced.
 */
export interface RegisterState {
  lastRaw: number | null;
  lastTs: number | null;
  /** continuous volume at the last reading */
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

const most = (limits: RegisterLimits | undefined, spanMs: number): number =>
  limits ? (limits.maxPerHour * Math.max(spanMs, MIN_SPAN_MS)) / HOUR_MS : Number.POSITIVE_INFINITY;

export function stepRegister(prev: RegisterState, raw: number, ts: number, registerMax: number, limits?: RegisterLimits): RegisterStep {
  // the register shows up to registerMax and its decimals, then wraps to 0 (registerMax + 1 is 0 again)
  if (!(raw < registerMax + 1)) {
    return { state: prev, delta: 0, intervalMs: null, event: null, fault: { raw, reference: prev.lastRaw, reason: 'beyond_register' } };
  }
  if (prev.lastRaw === null || prev.lastTs === null) {
    return { state: { ...prev, lastRaw: raw, lastTs: ts, movedAt: ts, suspect: null }, delta: 0, intervalMs: null, event: null };
  }
  if (ts <= prev.lastTs) return { state: prev, delta: 0, intervalMs: null, event: null }; // old or duplicate reading
  const intervalMs = ts - prev.lastTs;
  let delta = raw - prev.lastRaw;
  let event: RegisterStep['event'] = null;
  const state = { ...prev, suspect: null };
  if (delta < 0) {
    const wrapped = raw + registerMax + 1 - prev.lastRaw;
    if (prev.lastRaw > registerMax * 0.9 && raw < registerMax * 0.1 && wrapped > 0 && wrapped < registerMax * 0.01) {
      delta = wrapped;
      event = 'rollover';
      state.rollovers++;
    } else if (raw < Math.max(1, prev.lastRaw * 0.1)) {
      // a new meter starts near zero: count what it has registered so far, if it could have since the last reading
      const couldPass = limits ? ((limits.ratedPerHour ?? limits.maxPerHour) * intervalMs) / HOUR_MS : Number.POSITIVE_INFINITY;
      delta = raw <= couldPass ? raw : 0;
      event = 'replacement';
      state.replacements++;
    } else {
      delta = 0; // jitter: keep the higher value as the reference
      return { state: { ...state, lastTs: ts }, delta: 0, intervalMs, event: null };
    }
  }
  if (delta > most(limits, intervalMs)) return implausible(prev, raw, ts, delta, intervalMs, limits!);
  state.volume += delta;
  if (delta > 0) state.movedAt = ts;
  state.lastRaw = raw;
  state.lastTs = ts;
  return { state, delta, intervalMs, event };
}

/** A jump no meter makes: held as a suspect, and taken as the new level once CONFIRM readings in a row agree with it. */
function implausible(prev: RegisterState, raw: number, ts: number, delta: number, intervalMs: number, limits: RegisterLimits): RegisterStep {
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
    fault: { raw, reference: prev.lastRaw, perHour: (delta / intervalMs) * HOUR_MS, reason: 'jump' },
  };
}
