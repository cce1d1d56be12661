/** The shared "sustained, then cleared" state machine, on its own. */
import { describe, expect, it } from 'vitest';
import { initSustained, sustain, type Sustain, type Sustained, type SustainRule } from '../src/sustained.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T09:00:00+08:00');

/** Feeds one reading a minute; `rule(minute)` says what holds then. Returns what happened at each minute. */
function drive(minutes: number, rule: (m: number) => SustainRule, from: Sustained = initSustained(), start = 0) {
  let state = from;
  const steps: (Sustain & { m: number })[] = [];
  for (let m = start; m < start + minutes; m++) {
    const step = sustain(state, T0 + m * MIN, rule(m));
    state = step.state;
    steps.push({ ...step, m });
  }
  return { state, steps, raisedAt: steps.filter((s) => s.first).map((s) => s.m), clearedAt: steps.filter((s) => s.clear).map((s) => s.m) };
}

describe('sustained, then cleared', () => {
  it('raises only once the condition has held for the hold time, then at every reading while it holds', () => {
    const r = drive(20, (m) => ({ active: m >= 5, holdMs: 10 * MIN }));
    expect(r.steps.filter((s) => s.raise).map((s) => s.m)).toEqual([15, 16, 17, 18, 19]);
    expect(r.raisedAt).toEqual([15]);
    expect(r.steps.find((s) => s.m === 15)!.heldMs).toBe(10 * MIN);
    expect(r.state).toMatchObject({ since: T0 + 5 * MIN, raised: true });
  });

  it('a run shorter than the hold, or broken by a gap in the readings, raises nothing', () => {
    expect(drive(30, (m) => ({ active: m % 10 < 9, holdMs: 10 * MIN })).raisedAt).toEqual([]);
    // readings 20 min apart: no run can be vouched for beyond one reading
    let state = initSustained();
    const raised: number[] = [];
    for (let m = 0; m < 120; m += 20) {
      const step = sustain(state, T0 + m * MIN, { active: true, holdMs: 10 * MIN });
      state = step.state;
      if (step.raise) raised.push(m);
    }
    expect(raised).toEqual([]);
    expect(state.since).toBe(T0 + 100 * MIN);
  });

  it('clears at the first reading without the condition by default', () => {
    const r = drive(20, (m) => ({ active: m < 12, holdMs: 5 * MIN }));
    expect(r.raisedAt).toEqual([5]);
    expect(r.clearedAt).toEqual([12]);
    expect(r.state).toMatchObject({ since: null, raised: false, goneSince: null });
  });

  it('with a clear time, a condition that wavers at the limit does not flap: it clears only when gone for that long', () => {
    // on for 10, then off 3 / on 2 four times, then off for good
    const active = (m: number) => m < 10 || (m < 30 && (m - 10) % 5 >= 3);
    const r = drive(45, (m) => ({ active: active(m), holdMs: 5 * MIN, clearMs: 5 * MIN }));
    expect(r.raisedAt).toEqual([5]);
    expect(r.clearedAt).toEqual([35]); // gone from 30, clear time 5 min
    expect(r.steps.filter((s) => s.m > 5 && s.m < 35).every((s) => s.state.raised)).toBe(true);

    // without the clear time the same input opens and shuts the ticket again and again
    const flapping = drive(45, (m) => ({ active: active(m), holdMs: 0 }));
    expect(flapping.clearedAt.length).toBeGreaterThan(3);
  });

  it('clears by its own rule (hysteresis): nothing between the raise and the clear limits', () => {
    const load = [90, 120, 120, 110, 98, 97, 96, 94, 120];
    const r = drive(load.length, (m) => ({ active: load[m]! > 100, holdMs: 0, gone: load[m]! < 95 }));
    expect(r.raisedAt).toEqual([1, 8]);
    expect(r.clearedAt).toEqual([7]);
  });

  it('an urgent reading raises at once, whatever the hold', () => {
    const r = drive(5, (m) => ({ active: true, holdMs: 60 * MIN, urgent: m === 2 }));
    expect(r.steps.map((s) => s.raise)).toEqual([false, false, true, false, false]);
    expect(r.raisedAt).toEqual([2]);
    expect(r.state.raised).toBe(true); // stays raised until it is gone
  });

  it('carries on across a snapshot: a run and a pending clear survive JSON and a restart', () => {
    const rule = (m: number) => ({ active: m >= 2 && m < 20, holdMs: 10 * MIN, clearMs: 4 * MIN });
    const straight = drive(30, rule);
    expect(straight.raisedAt).toEqual([12]);
    expect(straight.clearedAt).toEqual([24]);

    for (const cut of [8, 22]) {
      const before = drive(cut, rule);
      const saved: Sustained = JSON.parse(JSON.stringify(before.state));
      const after = drive(30 - cut, rule, saved, cut);
      expect([...before.raisedAt, ...after.raisedAt], `cut at ${cut}`).toEqual([12]);
      expect([...before.clearedAt, ...after.clearedAt], `cut at ${cut}`).toEqual([24]);
    }
  });

  it('reads state saved before it existed (since / lastTs / raised only)', () => {
    const old = { since: T0, lastTs: T0 + 9 * MIN, raised: false };
    const step = sustain(old, T0 + 10 * MIN, { active: true, holdMs: 10 * MIN });
    expect(step).toMatchObject({ raise: true, first: true, heldMs: 10 * MIN });
    const gone = sustain({ since: T0, lastTs: T0 + 9 * MIN, raised: true }, T0 + 10 * MIN, { active: false, holdMs: 0, clearMs: 0 });
    expect(gone.clear).toBe(true);
  });
});
