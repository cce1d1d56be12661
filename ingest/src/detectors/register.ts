/**
 * Cumulative registers (water m³, electricity kWh) into volumes and flows:
 * - rollover: the register wraps at its maximum (delta modulo the register size);
 * - replacement: a drop to near zero that is not a wrap starts a new segment (no negative flow);
 * - a small backwards step (meter jitter, out-of-order delivery) is ignored.
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
}

export const initRegister = (): RegisterState => ({ lastRaw: null, lastTs: null, volume: 0, movedAt: null, replacements: 0, rollovers: 0 });

export interface RegisterStep {
  state: RegisterState;
  /** added volume since the previous reading (never negative) */
  delta: number;
  intervalMs: number | null;
  event: 'rollover' | 'replacement' | null;
}

export function stepRegister(prev: RegisterState, raw: number, ts: number, registerMax: number): RegisterStep {
  if (prev.lastRaw === null || prev.lastTs === null) {
    return { state: { ...prev, lastRaw: raw, lastTs: ts, movedAt: ts }, delta: 0, intervalMs: null, event: null };
  }
  if (ts <= prev.lastTs) return { state: prev, delta: 0, intervalMs: null, event: null }; // old or duplicate reading
  let delta = raw - prev.lastRaw;
  let event: RegisterStep['event'] = null;
  const state = { ...prev };
  if (delta < 0) {
    const wrapped = raw + registerMax + 1 - prev.lastRaw;
    if (prev.lastRaw > registerMax * 0.9 && raw < registerMax * 0.1 && wrapped < registerMax * 0.01) {
      delta = wrapped;
      event = 'rollover';
      state.rollovers++;
    } else if (raw < Math.max(1, prev.lastRaw * 0.1)) {
      delta = raw; // a new meter starts near zero: count what it has registered so far
      event = 'replacement';
      state.replacements++;
    } else {
      delta = 0; // jitter: keep the higher value as the reference
      return { state: { ...state, lastTs: ts }, delta: 0, intervalMs: ts - prev.lastTs, event: null };
    }
  }
  state.volume += delta;
  if (delta > 0) state.movedAt = ts;
  const intervalMs = ts - prev.lastTs;
  state.lastRaw = raw;
  state.lastTs = ts;
  return { state, delta, intervalMs, event };
}
