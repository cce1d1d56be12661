/**
 * A 2 m³/h burst on a dormitory floor and on the campus main meter, with real use (water-shapes.ts)
 * learned for three weeks of term: ticketed within 15 minutes at any hour, in the morning and
 * evening peaks too. The burst day is a school day; the history is fed once and the engine
 * restored from its saved state for each start time.
 */
import { DetectionEngine } from '@campus/detection';
import { describe, expect, it } from 'vitest';
import { at, campus, HOUR, MIN, run } from './harness.ts';
import { DAY, feedMeter, shapedFlow, STEP, type Shape } from './water-shapes.ts';

const FROM = at('2026-09-01T00:00:00+08:00'); // the first day of term
const BURST_DAY = at('2026-09-22T00:00:00+08:00'); // a Tuesday, three weeks later
const BURST = 2; // m³/h

function learned(deviceId: string, shape: Shape, seed: number) {
  const r = run();
  const total = feedMeter(r, deviceId, FROM, BURST_DAY, shapedFlow(shape, campus, seed));
  return { total, saved: JSON.stringify(r.engine.snapshot()) };
}

function burstAt(deviceId: string, shape: Shape, seed: number, history: ReturnType<typeof learned>, hhmm: string) {
  const start = at(`2026-09-22T${hhmm}:00+08:00`);
  const flow = shapedFlow(shape, campus, seed);
  for (let ts = FROM; ts < BURST_DAY; ts += STEP) flow(ts); // the same use as the history's
  const engine = new DetectionEngine([campus]);
  engine.restore(JSON.parse(history.saved));
  const r = run(campus, engine);
  feedMeter(r, deviceId, BURST_DAY, start + 90 * MIN, flow, (ts) => (ts >= start ? BURST : 0), history.total);
  const raised = r.raised('water.burst');
  return { start, early: raised.filter((f) => f.ts < start), first: raised.find((f) => f.ts >= start) };
}

/**
 * The minutes each start may take. Goal: 15 everywhere. A dormitory floor at 21:30, when the burst
 * starts with the evening peak, took 42–44 min on the 10-minute floor alone (the peak's floor
 * swings by 2 m³/h within an evening, so a burst's floor barely clears the learned high); the
 * 5-minute level with a stepped floor (water-burst.ts) sees it in 3.5 and 10.5 min. Not met
 * (measured, and pinned so that a change that makes them worse fails): the main meter on its own,
 * which carries the whole school (peaks of 20–27 m³/h): a 2 m³/h burst inside the morning peak
 * (07:00) takes 58 min and at 22:30 70 min (it is seen when the peak ends), and at 12:00 and 21:30
 * it is not seen within 90 min (it is within the day-to-day swing of the peak). Here the main has
 * no sub-meters reporting; with them, the water balance (the main less its sub-meters) sees every
 * one within 10 min: water-balance.test.ts.
 */
const LIMITS: Partial<Record<Shape, Record<string, number>>> = {
  dormitory: { '03:00': 15, '07:00': 15, '12:00': 15, '20:50': 15, '21:30': 15, '22:30': 15 },
  // 12:00 and 21:30 on the main are not tested: not seen within 90 min (see above)
  main: { '03:00': 15, '07:00': 65, '20:50': 15, '22:30': 75 },
};

describe.each([
  { deviceId: 'wm-dorm-1', shape: 'dormitory' as const, seed: 11 },
  { deviceId: 'wm-dorm-2', shape: 'dormitory' as const, seed: 12 },
  { deviceId: 'wm-main', shape: 'main' as const, seed: 13 },
])('a 2 m³/h burst on $deviceId ($shape)', ({ deviceId, shape, seed }) => {
  let history: ReturnType<typeof learned>;
  it('three weeks of ordinary use are learned (false tickets over a term: water-term.test.ts)', () => {
    history = learned(deviceId, shape, seed);
    expect(JSON.parse(history.saved).devices[deviceId].states['water.burst'].school.length).toBe(14);
  }, 60_000);

  it.each(Object.keys(LIMITS[shape]!))(
    'starting at %s is ticketed within its limit',
    (hhmm) => {
      const { start, early, first } = burstAt(deviceId, shape, seed, history, hhmm);
      expect(early).toEqual([]);
      const limit = LIMITS[shape]![hhmm]!;
      console.log(`${deviceId} ${hhmm}: ${first ? `${((first.ts - start) / MIN).toFixed(1)} min — ${first.summary}` : 'not within 90 min'}`);
      expect(first, 'not ticketed within 90 min').toBeDefined();
      expect((first!.ts - start) / MIN).toBeLessThanOrEqual(limit);
      expect(first).toMatchObject({ severity: 'critical', trade: 'plumber', title: '流量骤增（疑似爆管）' });
    },
    60_000,
  );
});
