import { describe, expect, it } from 'vitest';
import { at, campusWith, HOUR, MIN, run } from './harness.ts';

// tr-main: 315 kVA at 400 V -> 454.7 A rated per phase
const RATED = 454.66;
const T0 = at('2026-11-23T10:00:00+08:00');
const phases = (worstPct: number, others = 0.9) => ({
  currentA: [(RATED * worstPct) / 100, (RATED * worstPct * others) / 100, (RATED * worstPct * others) / 100],
  voltageV: [230, 230, 230],
});

function load(r: ReturnType<typeof run>, from: number, minutes: number, pct: number | ((m: number) => number), stepS = 10) {
  for (let s = 0; s < minutes * 60; s += stepS) r.feed('tr-main', from + s * 1000, phases(typeof pct === 'number' ? pct : pct(s / 60)));
}

describe('transformer overload (worst phase against rated current)', () => {
  it('110 % for 14 min is tolerated; at 15 min it is a major ticket', () => {
    const r = run();
    load(r, T0, 14.5, 110);
    expect(r.raised('transformer.overload')).toEqual([]);
    load(r, T0 + 14.5 * MIN, 2, 110);
    const [first] = r.raised('transformer.overload');
    expect(first).toMatchObject({ severity: 'major', trade: 'electrician' });
    expect(first!.ts - T0).toBeGreaterThanOrEqual(15 * MIN);
    expect(first!.ts - T0).toBeLessThanOrEqual(15 * MIN + 10_000);
  });

  it('judges the worst phase, not the total: 0.88 p.u. by kVA with one phase at 1.22 p.u.', () => {
    const r = run();
    for (let s = 0; s < 20 * 60; s += 10) r.feed('tr-main', T0 + s * 1000, { currentA: [RATED * 1.22, RATED * 0.72, RATED * 0.7], voltageV: [230, 230, 230] });
    expect(r.raised('transformer.overload')[0]).toMatchObject({ severity: 'major', details: { phase: 'A' } });
  });

  it('over 130 % for 2 min, or over 150 % at any reading, is critical', () => {
    const heavy = run();
    load(heavy, T0, 3, 140);
    const [h] = heavy.raised('transformer.overload');
    expect(h!.severity).toBe('critical');
    expect(h!.ts - T0).toBeGreaterThanOrEqual(2 * MIN);
    expect(h!.ts - T0).toBeLessThanOrEqual(2 * MIN + 10_000);

    const instant = run();
    instant.feed('tr-main', T0, phases(60));
    instant.feed('tr-main', T0 + 10_000, phases(155));
    expect(instant.raised('transformer.overload')[0]).toMatchObject({ severity: 'critical', ts: T0 + 10_000 });
  });

  it('clears below 95 %, and a brief dip does not restart a long overload from zero only when readings are missing', () => {
    const r = run();
    load(r, T0, 20, 110);
    load(r, T0 + 20 * MIN, 2, 80);
    expect(r.cleared('transformer.overload')).toHaveLength(1);
  });
});

describe('phase imbalance', () => {
  it('minor after 30 min above 15 % at meaningful load; ignored at light load', () => {
    const r = run();
    load(r, T0, 40, 60, 30); // others at 90 %: 10 % imbalance
    expect(r.raised('transformer.imbalance')).toEqual([]);
    for (let s = 0; s < 35 * 60; s += 30) r.feed('tr-main', T0 + HOUR + s * 1000, phases(60, 0.7));
    const [first] = r.raised('transformer.imbalance');
    expect(first).toMatchObject({ severity: 'minor' });
    expect(first!.ts - (T0 + HOUR)).toBeGreaterThanOrEqual(30 * MIN);

    const light = run();
    for (let s = 0; s < 60 * 60; s += 30) light.feed('tr-main', T0 + s * 1000, phases(20, 0.5));
    expect(light.raised('transformer.imbalance')).toEqual([]);
  });
});

describe('top-oil temperature', () => {
  it('major at 85 °C, critical at 95 °C, cleared under 80 °C', () => {
    const r = run();
    for (const [i, oil] of [70, 86, 96, 84, 79].entries()) r.feed('tr-main', T0 + i * MIN, { ...phases(50), oilTempC: oil });
    expect(r.raised('transformer.oil_temp').map((f) => f.severity)).toEqual(['major', 'critical']); // 84 °C: under the alarm, not yet cleared
    expect(r.cleared('transformer.oil_temp')).toHaveLength(1);
  });
});

describe('near capacity (planning)', () => {
  it('a notice to the office after 3 school days in a week peak above 80 %', () => {
    const r = run();
    const monday = at('2026-11-23T00:00:00+08:00');
    for (let day = 0; day < 5; day++) {
      for (let h = 0; h < 24; h++) r.feed('tr-main', monday + day * 24 * HOUR + h * HOUR, phases(h === 11 ? 85 : 40));
    }
    const [notice] = r.raised('transformer.near_capacity');
    expect(notice).toMatchObject({ severity: 'info', trade: 'office', category: 'planning' });
    expect(notice!.ts).toBe(at('2026-11-26T00:00:00+08:00')); // when Wednesday, the third hot day, ended
  });

  /** Hourly readings from Monday 2026-11-23 for `days` days, at 85 % at 11:00 on the days `hot` picks (40 % otherwise). */
  const weeks = (days: number, hot: (day: number) => boolean) => {
    const r = run();
    const monday = at('2026-11-23T00:00:00+08:00');
    for (let day = 0; day < days; day++) {
      for (let h = 0; h < 24; h++) r.feed('tr-main', monday + day * 24 * HOUR + h * HOUR, phases(h === 11 && hot(day) ? 85 : 40));
    }
    return r;
  };

  it('clears once when the hot days leave the rolling week, and does not reopen from them', () => {
    // hot Mon-Wed 11-23..25 only; before the fix: raise 11-26, clear 11-30, raise 12-01, clear 12-02, raise 12-03, clear 12-04
    const r = weeks(13, (day) => day < 3);
    expect(r.raised('transformer.near_capacity').map((f) => f.ts)).toEqual([at('2026-11-26T00:00:00+08:00')]);
    // Monday 11-23 is in the week before Monday 11-30 (11-23..11-29), not in the one before 12-01
    expect(r.cleared('transformer.near_capacity').map((f) => f.ts)).toEqual([at('2026-12-01T00:00:00+08:00')]);
  });

  it("one notice while the hot days go on across weekends, and a new hot day with two of the last week's keeps it", () => {
    // every school day hot for three weeks, then cool: one notice, cleared when fewer than 3 hot days are left in the window
    const r = weeks(26, (day) => day < 19);
    expect(r.raised('transformer.near_capacity')).toHaveLength(1);
    expect(r.cleared('transformer.near_capacity').map((f) => f.ts)).toEqual([at('2026-12-17T00:00:00+08:00')]); // the week before 12-17 (12-10..12-16) holds 12-10 and 12-11 only
    // hot Tue-Thu 11-24..26, then Mon 11-30: the notice holds until only 11-26 and 11-30 are left (the week before 12-03)
    const again = weeks(11, (day) => (day >= 1 && day <= 3) || day === 7);
    expect(again.raised('transformer.near_capacity')).toHaveLength(1);
    expect(again.cleared('transformer.near_capacity').map((f) => f.ts)).toEqual([at('2026-12-03T00:00:00+08:00')]);
  });
});

describe('thresholds from the campus file', () => {
  it('a device override changes the rule, and an unknown key is refused by path', () => {
    const c = campusWith((doc) => {
      doc.devices.find((d: any) => d.id === 'tr-main').thresholds = { 'transformer.overload': { sustainedMin: 5 } };
    });
    const r = run(c);
    load(r, T0, 6, 110);
    expect(r.raised('transformer.overload')[0]!.ts - T0).toBe(5 * MIN);

    const bad = campusWith((doc) => {
      doc.devices[0].thresholds = { 'transformer.overload': { sustainedMinutes: 5 } };
      doc.detection = { defaults: { 'water.leaky': { x: 1 } } };
    });
    expect(() => run(bad)).toThrow(/devices\[0\]\.thresholds\.transformer\.overload\.sustainedMinutes: not a threshold of transformer\.overload/);
    expect(() => run(bad)).toThrow(/detection\.defaults\.water\.leaky: no detector "water\.leaky"/);
  });
});
