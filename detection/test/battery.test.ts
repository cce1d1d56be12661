import { describe, expect, it } from 'vitest';
import { at, MIN, run } from './harness.ts';

const T0 = at('2026-11-23T10:00:00+08:00');

describe('a battery running flat', () => {
  it('a fridge thermometer at 12 % gets one minor ticket for the electrician, cleared by a new battery', () => {
    const r = run();
    r.feed('fr-sample', T0, { tempC: 3.5, batteryPct: 40 });
    r.feed('fr-sample', T0 + MIN, { tempC: 3.6, batteryPct: 12 });
    r.feed('fr-sample', T0 + 2 * MIN, { tempC: 3.6, batteryPct: 11 });
    r.feed('fr-sample', T0 + 3 * MIN, { tempC: 3.6, batteryPct: 20 }); // not yet replaced: stays raised
    r.feed('fr-sample', T0 + 4 * MIN, { tempC: 3.6, batteryPct: 100 });
    const raised = r.raised('device.battery_low');
    expect(raised[0]).toMatchObject({ subjectId: 'fr-sample', severity: 'minor', trade: 'electrician', title: '传感器电池电量低' });
    expect(raised[0]!.summary).toContain('12%');
    expect(r.cleared('device.battery_low').map((c) => c.ts)).toEqual([T0 + 4 * MIN]);
  });

  it('meters without a battery figure are left alone', () => {
    const r = run();
    r.feed('wm-main', T0, { totalM3: 1 });
    r.feed('wm-main', T0 + MIN, { totalM3: 1.01 });
    expect(r.raised('device.battery_low')).toEqual([]);
  });
});
