/**
 * A 2 m³/h burst on the campus main meter inside its peaks, seen by the water balance: the main
 * less its sub-meters (the six dormitory floors and the canteen, water-shapes.ts campusMeters) is
 * the unmetered use (the teaching building, the grounds), far smoother than the main. Three weeks
 * of term learned, then the burst on a school day at six start times: ticketed within 15 min. A
 * gateway outage of the floors and a sub-meter's register fault make the residual unknown: nothing
 * is raised from it. False tickets over a term: water-balance-term.test.ts.
 */
import { DetectionEngine } from '@campus/detection';
import { describe, expect, it } from 'vitest';
import { at, campus, MIN, run } from './harness.ts';
import { campusMeters, feedMeters, STEP } from './water-shapes.ts';

const FROM = at('2026-09-01T00:00:00+08:00'); // the first day of term
const BURST_DAY = at('2026-09-22T00:00:00+08:00'); // a Tuesday, three weeks later
const SEED = 13;

let history: { totals: number[]; saved: string };

/** The meters with the use of the history replayed (the flows are generated in time order). */
function metersAfterHistory() {
  const meters = campusMeters(campus, SEED);
  for (let ts = FROM; ts < BURST_DAY; ts += STEP) meters.forEach((m) => m.flow(ts));
  return meters;
}

function restored() {
  const engine = new DetectionEngine([campus]);
  engine.restore(JSON.parse(history.saved));
  return run(campus, engine);
}

describe('the campus main by water balance', () => {
  it('three weeks of the main and its sub-meters are learned, the residual too', () => {
    const r = run();
    const totals = feedMeters(r, campusMeters(campus, SEED), FROM, BURST_DAY);
    history = { totals, saved: JSON.stringify(r.engine.snapshot()) };
    const state = JSON.parse(history.saved).devices['wm-main'].states['water.burst'];
    expect(state.balance.school.length).toBe(14);
    // bounded: 14 school days, 7 weekends, 7 other days of 96 slots, and 22 minutes of samples
    const size = JSON.stringify(state.balance).length;
    console.log(`wm-main: the residual's learned state ${size} bytes`);
    expect(size).toBeLessThan(20_000);
    // false tickets while learning and over a term: water-balance-term.test.ts
  }, 120_000);

  it.each(['03:00', '07:00', '12:00', '20:50', '21:30', '22:30'])(
    'a 2 m³/h burst on the main starting at %s is ticketed within 15 min',
    (hhmm) => {
      const start = at(`2026-09-22T${hhmm}:00+08:00`);
      const meters = metersAfterHistory();
      meters[0]!.extra = (ts) => (ts >= start ? 2 : 0);
      const r = restored();
      feedMeters(r, meters, BURST_DAY, start + 20 * MIN, history.totals);
      const raised = r.raised('water.burst').filter((f) => f.subjectId === 'wm-main');
      const first = raised.find((f) => f.ts >= start);
      console.log(`wm-main ${hhmm}: ${first ? `${((first.ts - start) / MIN).toFixed(1)} min — ${first.summary}` : 'not within 20 min'}`);
      expect(raised.filter((f) => f.ts < start)).toEqual([]);
      expect(first, 'not ticketed within 20 min').toBeDefined();
      expect((first!.ts - start) / MIN).toBeLessThanOrEqual(15);
      expect(first).toMatchObject({ severity: 'critical', trade: 'plumber', title: '流量骤增（疑似爆管）' });
    },
    60_000,
  );

  it('a gateway outage of the dormitory floors in their evening peak raises nothing on the main', () => {
    const meters = metersAfterHistory();
    const r = restored();
    const down = [at('2026-09-22T20:30:00+08:00'), at('2026-09-23T01:00:00+08:00')] as const;
    const silent = (id: string, ts: number) => id.startsWith('wm-dorm-') && ts >= down[0] && ts < down[1];
    feedMeters(r, meters, BURST_DAY, at('2026-09-23T04:00:00+08:00'), history.totals, silent);
    expect(r.raised('water.burst').filter((f) => f.subjectId === 'wm-main')).toEqual([]);
    // the same hours with the floors' readings lost and the main's water counted as unmetered would raise
    const blind = restored();
    const noDorms = metersAfterHistory().map((m) => (m.id.startsWith('wm-dorm-') ? { ...m, flow: () => 0 } : m));
    feedMeters(blind, noDorms, BURST_DAY, at('2026-09-23T04:00:00+08:00'), history.totals);
    expect(blind.raised('water.burst').filter((f) => f.subjectId === 'wm-main').length).toBeGreaterThan(0);
  }, 60_000);

  it('a dormitory floor whose register freezes in its evening peak (still reporting) raises no burst on the main', () => {
    const meters = metersAfterHistory();
    const r = restored();
    const frozenAt = at('2026-09-22T21:50:00+08:00');
    const before = feedMeters(r, meters, BURST_DAY, frozenAt, history.totals);
    // wm-dorm-3's impeller sticks: its water still flows through the main, its register reads the same
    const stuck = before[3]!;
    feedMeters(r, meters, frozenAt, at('2026-09-23T02:00:00+08:00'), before, (id, ts) => {
      if (id !== 'wm-dorm-3') return false;
      r.feed(id, ts, { totalM3: Math.round(stuck * 1000) / 1000 });
      return true;
    });
    const main = r.raised('water.burst').filter((f) => f.subjectId === 'wm-main');
    console.log(`frozen wm-dorm-3: ${main.length ? main[0]!.summary : 'nothing raised on the main'}`);
    expect(main).toEqual([]);
  }, 60_000);

  it('a real burst on the main while a frozen sub-meter has moved again is seen within 10 min', () => {
    const meters = metersAfterHistory();
    const r = restored();
    const frozen = [at('2026-09-22T21:40:00+08:00'), at('2026-09-22T22:00:00+08:00')] as const;
    const start = at('2026-09-22T22:30:00+08:00');
    const before = feedMeters(r, meters, BURST_DAY, frozen[0], history.totals);
    const stuck = before[3]!;
    const after = feedMeters(r, meters, frozen[0], frozen[1], before, (id, ts) => {
      if (id !== 'wm-dorm-3') return false;
      r.feed(id, ts, { totalM3: Math.round(stuck * 1000) / 1000 });
      return true;
    });
    meters[0]!.extra = (ts) => (ts >= start ? 2 : 0);
    feedMeters(r, meters, frozen[1], start + 20 * MIN, after);
    const first = r.raised('water.burst').find((f) => f.subjectId === 'wm-main');
    expect(first, 'not ticketed').toBeDefined();
    expect(first!.ts).toBeGreaterThanOrEqual(start);
    expect((first!.ts - start) / MIN).toBeLessThanOrEqual(10);
  }, 60_000);

  it('a sub-meter register that jumps by +500 m³ (taken as a new level) raises no burst on the main; a burst after it is seen', () => {
    const meters = metersAfterHistory();
    const r = restored();
    const jumpAt = at('2026-09-22T21:45:00+08:00');
    const start = at('2026-09-22T22:40:00+08:00');
    const before = feedMeters(r, meters, BURST_DAY, jumpAt, history.totals);
    before[4]! += 500; // wm-dorm-4's encoder: +500 m³ from here on, counting on
    meters[0]!.extra = (ts) => (ts >= start ? 2 : 0);
    feedMeters(r, meters, jumpAt, start + 20 * MIN, before);
    expect(r.findings.some((f) => f.condition === 'register.fault' && f.subjectId === 'wm-dorm-4')).toBe(true);
    const main = r.raised('water.burst').filter((f) => f.subjectId === 'wm-main');
    expect(main.filter((f) => f.ts < start)).toEqual([]);
    expect(main[0], 'the burst after it not ticketed').toBeDefined();
    expect((main[0]!.ts - start) / MIN).toBeLessThanOrEqual(10);
  }, 60_000);

  it('a register fault of a sub-meter in the evening peak raises nothing on the main', () => {
    const meters = metersAfterHistory();
    const r = restored();
    const glitch = [at('2026-09-22T21:40:00+08:00'), at('2026-09-22T22:10:00+08:00')] as const;
    // a floor's register reads beyond its own digits for half an hour (a broken encoder), then right again:
    // its readings are faults, its flow unknown (taken as a frozen register, the floor's peak would be "unmetered")
    const before = feedMeters(r, meters, BURST_DAY, glitch[0], history.totals);
    const beyond = (campus.device('wm-dorm-3') as { registerMaxM3: number }).registerMaxM3 + 5;
    const after = feedMeters(r, meters, glitch[0], glitch[1], before, (id, ts) => {
      if (id !== 'wm-dorm-3') return false;
      r.feed(id, ts, { totalM3: beyond });
      return true;
    });
    feedMeters(r, meters, glitch[1], at('2026-09-23T00:00:00+08:00'), after);
    expect(r.findings.some((f) => f.condition === 'register.fault' && f.subjectId === 'wm-dorm-3')).toBe(true);
    expect(r.raised('water.burst').filter((f) => f.subjectId === 'wm-main')).toEqual([]);
  }, 60_000);
});
