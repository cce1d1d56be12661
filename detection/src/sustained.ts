/**
 * "Sustained, then cleared": the state machine most detectors share. A condition must hold for
 * `holdMs` before it raises (and raises again at every reading while it holds, which keeps its
 * ticket's occurrences and evidence current); once raised, it clears only when it has been gone
 * for `clearMs`. "Gone" is by default the condition's absence, or a rule of its own (hysteresis:
 * a transformer raised above 100 % clears below 95 %), so a value wavering at the limit does not
 * flap a ticket open and shut. A gap of more than `maxGapMs` without readings breaks a run: we
 * cannot vouch for what happened in between.
 *
 * The fields live flat in the detector's own state (`interface State extends Sustained`), as
 * `since` / `lastTs` / `raised` did before this helper, so states saved earlier restore as they are.
 */
import { MIN } from './helpers.ts';

export interface Sustained {
  /** first reading of the current run of the condition, or null */
  since: number | null;
  /** the previous reading judged */
  lastTs: number | null;
  /** raised and not cleared since */
  raised: boolean;
  /** while raised: first reading of the current run without the condition (absent in older saved state) */
  goneSince?: number | null;
}

export const initSustained = (): Sustained => ({ since: null, lastTs: null, raised: false, goneSince: null });

export interface SustainRule {
  /** the condition, at this reading */
  active: boolean;
  /** how long it must hold before it raises; 0: at the first reading */
  holdMs: number;
  /** raise at once, whatever the hold (a reading beyond an instant limit) */
  urgent?: boolean;
  /** the condition is gone (default: not active) */
  gone?: boolean;
  /** how long it must be gone before a raised condition clears; 0 (default): at the first reading */
  clearMs?: number;
  /** a longer gap between readings breaks a run (15 min by default) */
  maxGapMs?: number;
}

export interface Sustain {
  /** the helper's fields after this reading: lay them over the detector's state (`{ ...state, ...h.state }`) */
  state: Sustained;
  /** raise (again) at this reading */
  raise: boolean;
  /** raised at this reading for the first time since it last cleared */
  first: boolean;
  /** clear at this reading */
  clear: boolean;
  /** how long the condition has held (0 when it does not) */
  heldMs: number;
}

/**
 * "Condition true continuously since": the first time it was seen true in the current run, or
 * null. A gap longer than `maxGapMs` without readings breaks the run (we cannot vouch for it).
 */
export function since(prev: number | null, condition: boolean, ts: number, lastTs: number | null, maxGapMs = 15 * MIN): number | null {
  if (!condition) return null;
  if (prev === null || lastTs === null || ts - lastTs > maxGapMs) return ts;
  return prev;
}

/**
 * Advances the state machine by one reading at `ts`. It returns its own four fields only, not a
 * copy of the detector's state: one spread site for sixteen state shapes would be megamorphic
 * (the engine ran 25 % slower that way).
 */
export function sustain(prev: Sustained, ts: number, rule: SustainRule): Sustain {
  const maxGap = rule.maxGapMs ?? 15 * MIN;
  const run = since(prev.since, rule.active, ts, prev.lastTs, maxGap);
  const heldMs = run === null ? 0 : ts - run;
  const raise = Boolean(rule.urgent) || (run !== null && heldMs >= rule.holdMs);
  const gone = !raise && prev.raised && (rule.gone ?? !rule.active);
  const goneSince = since(prev.goneSince ?? null, gone, ts, prev.lastTs, maxGap);
  const clear = goneSince !== null && ts - goneSince >= (rule.clearMs ?? 0);
  const raised = raise || (prev.raised && !clear);
  return {
    state: { since: run, lastTs: ts, raised, goneSince: raised && !clear ? goneSince : null },
    raise,
    first: raise && !prev.raised,
    clear,
    heldMs,
  };
}
