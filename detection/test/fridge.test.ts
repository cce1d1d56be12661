import { describe, expect, it } from 'vitest';
import { at, MIN, run } from './harness.ts';

const T0 = at('2026-11-23T09:00:00+08:00');

function temps(
  r: ReturnType<typeof run>,
  id: string,
  from: number,
  minutes: number,
  temp: (m: number) => number,
  extra: (m: number) => Record<string, unknown> = () => ({}),
) {
  for (let m = 0; m < minutes; m += 0.5) r.feed(id, from + m * MIN, { tempC: temp(m), ...extra(m) });
}

describe('food-safety excursion', () => {
  it('chiller above 8 °C: major after 30 min, critical after 2 h, and the ticket says how long', () => {
    const r = run();
    temps(r, 'fr-chiller-1', T0, 10, () => 4);
    temps(r, 'fr-chiller-1', T0 + 10 * MIN, 130, (m) => 9 + m / 20);
    const raised = r.raised('fridge.excursion');
    expect(raised[0]!.ts - (T0 + 10 * MIN)).toBe(30 * MIN);
    expect(raised[0]).toMatchObject({ severity: 'major', trade: 'canteen', summary: expect.stringContaining('食品已超温 30分钟') });
    const critical = raised.find((f) => f.severity === 'critical')!;
    expect(critical.ts - (T0 + 10 * MIN)).toBe(120 * MIN);
    expect(critical.summary).toContain('2小时');
  });

  it('freezer above -12 °C: tolerated for 44 min, major at 45', () => {
    const r = run();
    temps(r, 'fr-freezer-2', T0, 44, () => -10);
    expect(r.raised('fridge.excursion')).toEqual([]);
    temps(r, 'fr-freezer-2', T0 + 44 * MIN, 2, () => -10);
    expect(r.raised('fridge.excursion')[0]!.ts - T0).toBe(45 * MIN);
  });

  it('a chiller below 0 °C is an excursion too (frozen produce)', () => {
    const r = run();
    temps(r, 'fr-sample', T0, 40, () => -2);
    expect(r.raised('fridge.excursion')).toHaveLength(20);
  });

  it('a reported defrost, and the recovery after it, do not alarm', () => {
    const r = run();
    // 25 min defrost up to -4 °C, then 20 min recovery
    temps(
      r,
      'fr-freezer-1',
      T0,
      60,
      (m) => (m < 25 ? -18 + m * 0.6 : Math.max(-19, -3 - (m - 25))),
      (m) => ({ defrost: m < 25 }),
    );
    expect(r.raised('fridge.excursion')).toEqual([]);
    expect(r.raised('fridge.cumulative')).toEqual([]);
  });

  it('an unreported defrost cycle is learned, and then does not add up to a cumulative ticket', () => {
    const r = run();
    // every 8 h a 25-minute warm spell to -6 °C, no defrost flag; 3 days
    temps(r, 'fr-freezer-2', T0, 3 * 24 * 60, (m) => (m % 480 < 25 ? -6 : -19));
    expect(r.raised('fridge.excursion')).toEqual([]);
    const cumulative = r.raised('fridge.cumulative');
    // before the cycle is learned, 3 x 25 min on day one can add up; once learned, never again
    expect(cumulative.filter((f) => f.ts > T0 + 36 * 60 * MIN)).toEqual([]);
  });

  it('a compressor failure during a defrost-like rise is still caught once it lasts', () => {
    const r = run();
    temps(r, 'fr-chiller-2', T0, 120, (m) => Math.min(15, 3 + m / 4));
    expect(r.raised('fridge.excursion').length).toBeGreaterThan(0);
  });

  it('-273 °C is a sensor fault, not an excursion', () => {
    const r = run();
    temps(r, 'fr-chiller-1', T0, 60, () => -273.1);
    expect(r.raised('fridge.excursion')).toEqual([]);
    expect(r.raised('fridge.sensor_fault')[0]).toMatchObject({ severity: 'minor', trade: 'office' });
    temps(r, 'fr-chiller-1', T0 + 60 * MIN, 1, () => 4);
    expect(r.cleared('fridge.sensor_fault')).toHaveLength(1);
  });
});

describe('door left open', () => {
  it('a notice after 2 min, a ticket after 10 min, cleared when closed', () => {
    const r = run();
    temps(
      r,
      'fr-chiller-1',
      T0,
      12,
      () => 5,
      (m) => ({ doorOpen: m < 11 }),
    );
    const raised = r.raised('fridge.door_open');
    expect(raised[0]).toMatchObject({ severity: 'info', category: 'notice', ts: T0 + 2 * MIN });
    expect(raised.find((f) => f.severity === 'major')!.ts).toBe(T0 + 10 * MIN);
    expect(r.cleared('fridge.door_open')).toHaveLength(1);
  });

  it('the normal 30-60 s openings of a kitchen never alarm', () => {
    const r = run();
    temps(
      r,
      'fr-chiller-1',
      T0,
      180,
      () => 5,
      (m) => ({ doorOpen: m % 10 < 1 }),
    );
    expect(r.raised('fridge.door_open')).toEqual([]);
  });
});

describe('cumulative time out of range', () => {
  it('many short excursions add up to a ticket within the day', () => {
    const r = run();
    // 20 min warm in every hour: never 30 min at once, but 60 min early in the 4th hour
    temps(r, 'fr-chiller-1', T0, 5 * 60, (m) => (m % 60 < 20 ? 9.5 : 5));
    expect(r.raised('fridge.excursion')).toEqual([]);
    const [c] = r.raised('fridge.cumulative');
    expect(c).toMatchObject({ severity: 'minor', trade: 'canteen' });
    expect(c!.ts).toBeGreaterThan(T0 + 3 * 60 * MIN);
    expect(c!.ts).toBeLessThanOrEqual(T0 + 3 * 60 * MIN + 5 * MIN);
    expect(r.raised('fridge.cumulative')).toHaveLength(1); // once a day
  });
});
