/**
 * Register readings no meter can make: one implausible jump (7055 -> 1e15 -> 10 m³) once opened a
 * critical burst at "1,200,000,005.86 m³/h" and paged the plumber at night. Such a reading is a
 * data fault (a minor repair ticket for the meter or its link), counted as no use, judged by no
 * flow detector; a register beyond its digits never reaches the store at all.
 */
import { describe, expect, it } from 'vitest';
import { at, campus, campusWith, HOUR, MIN, run } from './harness.ts';

const NIGHT = at('2026-11-17T02:00:00+08:00'); // a Tuesday night: nobody draws water, the plumber is asleep

/** wm-main (rated 40 m³/h) every 30 s from `from`, registering `m3h` from `start`; returns the last register value */
function steady(r: ReturnType<typeof run>, from: number, minutes: number, start: number, m3h = 0.6): number {
  let total = start;
  for (let ts = from; ts < from + minutes * MIN; ts += 30_000) {
    total += (m3h * 30_000) / HOUR;
    r.feed('wm-main', ts, { totalM3: Math.round(total * 1000) / 1000 });
  }
  return total;
}

describe('water: 7055 -> 1e15 -> 10', () => {
  it('opens no burst: a minor register-fault ticket for the plumber, and nothing counted', () => {
    const r = run();
    steady(r, NIGHT - HOUR, 60, 7055 - 0.6);
    r.feed('wm-main', NIGHT, { totalM3: 1e15 });
    r.feed('wm-main', NIGHT + 30_000, { totalM3: 10 });
    steady(r, NIGHT + 60_000, 30, 10);

    expect(r.raised('water.burst')).toEqual([]);
    expect(r.raised('water.continuous_flow').filter((f) => f.severity !== 'minor')).toEqual([]);
    const [fault, ...more] = r.raised('register.fault');
    expect(more).toEqual([]);
    expect(fault).toMatchObject({ ts: NIGHT, severity: 'minor', trade: 'plumber', category: 'repair', title: '水表读数异常跳变' });
    expect(fault!.summary).toContain('超出该表的量程');
    // "10" after it reads as a new meter: no 10 m³ gush in 30 s, and the fault is cleared
    expect(r.cleared('register.fault')).toEqual([expect.objectContaining({ ts: NIGHT + 30_000 })]);
    const register = r.engine.snapshot().devices['wm-main']!.register;
    expect(register.replacements).toBe(1);
    // 119 steps of 5 L in the hour before, then 60 after the new "meter": 0.895 m³, not 1e15 nor 10
    expect(register.volume).toBeCloseTo(0.895, 6);
  });

  it('a jump within the register, then the meter as before: a fault ticket, cleared, the volume continuous', () => {
    const r = run();
    const before = steady(r, NIGHT - HOUR, 60, 7055);
    r.feed('wm-main', NIGHT, { totalM3: 5_000_000 });
    const after = steady(r, NIGHT + 30_000, 30, before);
    expect(r.raised('water.burst')).toEqual([]);
    const [fault] = r.raised('register.fault');
    expect(fault!.summary).toMatch(/从 7055\.\d+ m³ 跳到 5000000\.00 m³，相当于 \d+ m³\/h，超过任何水表的能力（上限 400）/);
    expect(r.cleared('register.fault')).toEqual([expect.objectContaining({ ts: NIGHT + 30_000 })]);
    expect(r.engine.snapshot().devices['wm-main']!.register.volume).toBeCloseTo(after - 7055.005, 6);
  });

  it('a meter swapped for one that reads higher: taken as the new level once 3 readings agree, no burst', () => {
    const r = run();
    steady(r, NIGHT - HOUR, 60, 10);
    steady(r, NIGHT, 30, 50_000);
    expect(r.raised('water.burst')).toEqual([]);
    expect(r.raised('register.fault').map((f) => f.ts)).toEqual([NIGHT, NIGHT + 30_000]);
    expect(r.cleared('register.fault')).toEqual([expect.objectContaining({ ts: NIGHT + 60_000, summary: expect.stringContaining('换表') })]);
    expect(r.engine.snapshot().devices['wm-main']!.register.replacements).toBe(1);
  });

  it('a real burst at the rated flow is still critical', () => {
    const r = run();
    const before = steady(r, NIGHT - HOUR, 60, 7055);
    steady(r, NIGHT, 15, before, 60); // 60 m³/h: above the 40 m³/h the pipe is rated for, far below 400
    expect(r.raised('water.burst')[0]).toMatchObject({ severity: 'critical' });
    expect(r.raised('register.fault')).toEqual([]);
  });

  it('the ceiling follows the campus file: without a rated flow, maxM3h (2000 by default)', () => {
    const c = campusWith((doc) => {
      const main = doc.devices.find((d: { id: string }) => d.id === 'wm-main');
      delete main.ratedFlowM3h;
      doc.detection = { defaults: { 'register.fault': { maxM3h: 100 } } };
    });
    const r = run(c);
    const before = steady(r, NIGHT - HOUR, 60, 7055);
    r.feed('wm-main', NIGHT, { totalM3: before + 9 }); // 9 m³ in 30 s, judged over 5 min: 108 m³/h
    expect(r.raised('register.fault')).toHaveLength(1);
  });
});

describe('electricity: a kWh register that jumps', () => {
  it('a classroom meter at 100 kWh reading 9,000,000 is a fault for the electrician, not use', () => {
    const r = run();
    for (let i = 0; i < 60; i++) r.feed('em-g1c1', NIGHT - HOUR + i * MIN, { totalKWh: 100 + i * 0.01, powerKW: 0.6 });
    r.feed('em-g1c1', NIGHT, { totalKWh: 9_000_000, powerKW: 0.6 });
    r.feed('em-g1c1', NIGHT + MIN, { totalKWh: 100.61, powerKW: 0.6 });
    const [fault] = r.raised('register.fault');
    expect(fault).toMatchObject({ trade: 'electrician', severity: 'minor', title: '电表读数异常跳变' });
    expect(fault!.summary).toMatch(/kW，超过任何电表的能力（上限 5000）/);
    expect(r.cleared('register.fault')).toHaveLength(1);
  });
});
