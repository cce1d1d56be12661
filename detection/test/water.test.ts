import { describe, expect, it } from 'vitest';
import { at, HOUR, MIN, run, waterMeter } from './harness.ts';

const DAY = 24 * HOUR;
const T0 = at('2026-11-16T00:00:00+08:00'); // a Monday
const localHour = (ts: number) => new Date(ts + 8 * HOUR).getUTCHours() + new Date(ts + 8 * HOUR).getUTCMinutes() / 60;

/** A dormitory floor: urinals flush 20 L/h all night, washing peaks morning and evening. */
const dorm = (ts: number) => {
  const h = localHour(ts);
  if (h < 5.5) return 0.02;
  if (h < 7.3) return 3;
  if (h >= 21.5 && h < 23) return 3.5;
  if (h >= 23) return 0.4;
  return 0.3;
};

describe('night flow (MNF)', () => {
  it('learns the urinals and opens no ticket on normal nights', () => {
    const r = run();
    waterMeter(r, 'wm-dorm-1', T0, T0 + 14 * DAY, MIN, dorm);
    expect(r.raised('water.night_flow')).toEqual([]);
  });

  it('catches a 30 L/h leak on its first night, at the end of the window', () => {
    const r = run();
    const leakFrom = T0 + 7 * DAY + 12 * HOUR;
    waterMeter(r, 'wm-dorm-1', T0, T0 + 9 * DAY, MIN, (ts) => dorm(ts) + (ts >= leakFrom ? 0.03 : 0));
    const [first] = r.raised('water.night_flow');
    expect(first).toBeDefined();
    expect(first!.ts).toBe(at('2026-11-24T04:00:00+08:00'));
    expect(first).toMatchObject({ severity: 'major', trade: 'plumber', details: { referenceM3h: expect.closeTo(0.02, 2) } });
    expect((first as any).details.mnfM3h).toBeGreaterThan(0.045);
  });

  it('does not alarm on an excess below the 20 L/h floor', () => {
    const r = run();
    waterMeter(r, 'wm-dorm-1', T0, T0 + 10 * DAY, MIN, (ts) => dorm(ts) + (ts >= T0 + 7 * DAY ? 0.012 : 0));
    expect(r.raised('water.night_flow')).toEqual([]);
  });

  it('catches an incipient leak that grows over days, and clears after the repair', () => {
    const r = run();
    const start = T0 + 6 * DAY;
    const repaired = T0 + 12 * DAY + 12 * HOUR;
    waterMeter(r, 'wm-dorm-2', T0, T0 + 15 * DAY, MIN, (ts) => dorm(ts) + (ts > start && ts < repaired ? Math.min(0.1, ((ts - start) / DAY) * 0.015) : 0));
    const raised = r.raised('water.night_flow');
    expect(raised.length).toBeGreaterThan(0);
    // day 6 + ~2.5 days: the leak passes 1.5 x ref + 20 L/h within three nights
    expect(raised[0]!.ts).toBeLessThanOrEqual(at('2026-11-25T04:00:00+08:00'));
    // repaired on Saturday: Sunday's night (a kind with two nights learned) is judged by the
    // highest of the last clean nights, and clears it
    expect(r.cleared('water.night_flow').at(-1)!.ts).toBe(at('2026-11-29T04:00:00+08:00'));
  });
});

describe('continuous flow', () => {
  const canteen = (ts: number) => (localHour(ts) >= 5 && localHour(ts) < 20 ? 2.5 : 0.005);

  it('minor after 2 h of flow outside the hours of use, major after 6 h, cleared when it stops', () => {
    const r = run();
    const leakFrom = T0 + 3 * DAY + 21 * HOUR; // 21:00 after the kitchen closed
    waterMeter(r, 'wm-canteen', T0, T0 + 5 * DAY, MIN, (ts) => canteen(ts) + (ts >= leakFrom && ts < T0 + 4 * DAY + 21 * HOUR ? 0.08 : 0));
    const raised = r.raised('water.continuous_flow');
    expect(raised[0]!.severity).toBe('minor');
    expect(raised[0]!.ts - leakFrom).toBeGreaterThanOrEqual(2 * HOUR);
    expect(raised[0]!.ts - leakFrom).toBeLessThan(2 * HOUR + 40 * MIN);
    // the kitchen opens at 04:30: the rule pauses instead of clearing
    const clears = r.cleared('water.continuous_flow');
    expect(clears.every((c) => c.ts >= T0 + 4 * DAY + 21 * HOUR)).toBe(true);
    expect(clears).toHaveLength(1);
  });

  it('escalates to major when the flow goes on for 6 h', () => {
    const r = run();
    waterMeter(r, 'wm-canteen', T0, T0 + 4 * DAY, MIN, (ts) => canteen(ts) + (ts >= T0 + 2 * DAY + 20 * HOUR ? 0.08 : 0));
    expect(r.raised('water.continuous_flow').some((f) => f.severity === 'major')).toBe(true);
  });
});

describe('burst', () => {
  it('rated flow exceeded is critical at once', () => {
    const r = run();
    waterMeter(r, 'wm-dorm-3', T0, T0 + 2 * HOUR, MIN, (ts) => (ts > T0 + HOUR ? 8 : 0.02));
    const [first] = r.raised('water.burst');
    expect(first).toMatchObject({ severity: 'critical', trade: 'plumber' });
    expect(first!.ts - (T0 + HOUR)).toBeLessThanOrEqual(6 * MIN);
  });

  it('far above the learned high of the hour for 8 min is critical; a short spike is not', () => {
    const r = run();
    const burstAt = T0 + 5 * DAY + 2 * HOUR; // 02:00: the main meter normally carries ~0.2 m³/h
    const spikeAt = T0 + 4 * DAY + 3 * HOUR;
    waterMeter(r, 'wm-main', T0, T0 + 5 * DAY + 4 * HOUR, MIN, (ts) => {
      const base = localHour(ts) < 5 ? 0.2 : 8;
      if (ts >= spikeAt && ts < spikeAt + 4 * MIN) return base + 15;
      if (ts >= burstAt) return base + 15;
      return base;
    });
    const raised = r.raised('water.burst');
    expect(raised.length).toBeGreaterThan(0);
    expect(raised[0]!.ts).toBeGreaterThanOrEqual(burstAt + 8 * MIN); // the 5-minute average above for 8 minutes
    expect(raised[0]!.ts).toBeLessThanOrEqual(burstAt + 16 * MIN);
  });
});

describe('burst after a vacation', () => {
  // the demo calendar: term 1 ends 2027-01-22, the winter vacation runs to 2027-02-21
  const from = at('2027-01-04T00:00:00+08:00');
  const backAt = at('2027-02-22T00:00:00+08:00'); // the first school day of term 2
  const school = (ts: number) => (localHour(ts) >= 7 && localHour(ts) < 18 ? 8 : 0.2);
  const vacation = () => 0.25;
  const main = (ts: number) => {
    const date = new Date(ts + 8 * HOUR).toISOString().slice(0, 10);
    const weekday = new Date(ts + 8 * HOUR).getUTCDay();
    return date >= '2027-01-23' && date < '2027-02-22' ? vacation() : weekday === 0 || weekday === 6 ? 0.3 : school(ts);
  };

  it('the first morning back is judged by the last school days, not by the empty vacation', () => {
    const r = run();
    waterMeter(r, 'wm-main', from, backAt + 2 * 24 * HOUR, MIN, main);
    expect(r.raised('water.burst')).toEqual([]);
  });

  it('a real burst on the first morning back is still caught', () => {
    const r = run();
    const burstAt = backAt + 10 * HOUR;
    waterMeter(r, 'wm-main', from, backAt + 12 * HOUR, MIN, (ts) => main(ts) + (ts >= burstAt ? 25 : 0));
    const raised = r.raised('water.burst');
    expect(raised.length).toBeGreaterThan(0);
    expect(raised[0]!.ts).toBeGreaterThanOrEqual(burstAt + 8 * MIN); // the 5-minute average above for 8 minutes
    expect(raised[0]!.ts).toBeLessThanOrEqual(burstAt + 16 * MIN);
  });
});

describe('register', () => {
  it('a rollover is a normal flow, not a burst or a negative', () => {
    const r = run();
    let total = 99_999_999.97; // 8 digits: wraps to 0 after 99,999,999.999
    for (let ts = T0; ts < T0 + 2 * HOUR; ts += MIN) {
      total = (total + 0.0005) % 100_000_000;
      r.feed('wm-dorm-4', ts, { totalM3: Math.round(total * 10000) / 10000 });
    }
    expect(r.raised('water.burst')).toEqual([]);
    const snap = r.engine.snapshot().devices['wm-dorm-4']!.register;
    expect(snap.rollovers).toBe(1);
    expect(snap.volume).toBeCloseTo(119 * 0.0005, 4);
  });

  it('a replaced meter starts a new segment', () => {
    const r = run();
    r.feed('wm-dorm-4', T0, { totalM3: 5000 });
    r.feed('wm-dorm-4', T0 + MIN, { totalM3: 5000.01 });
    r.feed('wm-dorm-4', T0 + 2 * MIN, { totalM3: 0.002 }); // new meter
    r.feed('wm-dorm-4', T0 + 3 * MIN, { totalM3: 0.004 });
    const snap = r.engine.snapshot().devices['wm-dorm-4']!.register;
    expect(snap.replacements).toBe(1);
    expect(snap.volume).toBeCloseTo(0.014, 6);
    expect(r.raised('water.burst')).toEqual([]);
  });

  it('a register stuck for 24 h on a meter used every day is reported', () => {
    const r = run();
    const total = waterMeter(r, 'wm-dorm-5', T0, T0 + 4 * DAY, 5 * MIN, dorm);
    for (let ts = T0 + 4 * DAY + 5 * MIN; ts <= T0 + 5 * DAY + HOUR; ts += 5 * MIN) r.feed('wm-dorm-5', ts, { totalM3: Math.round(total * 1000) / 1000 });
    const [stuck] = r.raised('water.register_stuck');
    expect(stuck).toMatchObject({ severity: 'minor', trade: 'plumber' });
    expect(stuck!.ts - (T0 + 4 * DAY)).toBeGreaterThanOrEqual(24 * HOUR);
  });
});

describe("the meter's own alarm flags", () => {
  it('LEAK is major, BURST critical, and clearing is recorded', () => {
    const r = run();
    r.feed('wm-main', T0, { totalM3: 1, status: [] });
    r.feed('wm-main', T0 + MIN, { totalM3: 1.01, status: ['LEAK'] });
    r.feed('wm-main', T0 + 2 * MIN, { totalM3: 1.02, status: ['LEAK', 'BURST'] });
    r.feed('wm-main', T0 + 3 * MIN, { totalM3: 1.03, status: [] });
    expect(r.raised('water.meter_alarm').map((f) => f.severity)).toEqual(['major', 'critical']);
    expect(r.cleared('water.meter_alarm')).toHaveLength(1);
  });
});

describe('out-of-hours use', () => {
  it('a weekend day far above the learned weekend use is reported after the day ends', () => {
    const r = run();
    const heavySaturday = at('2026-11-28T00:00:00+08:00');
    waterMeter(r, 'wm-canteen', at('2026-11-07T00:00:00+08:00'), at('2026-11-29T06:00:00+08:00'), 10 * MIN, (ts) => {
      const weekend = [0, 6].includes(new Date(ts + 8 * HOUR).getUTCDay());
      if (ts >= heavySaturday && ts < heavySaturday + DAY) return 1.2;
      return weekend ? 0.05 : 1;
    });
    const raised = r.raised('water.out_of_hours');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ severity: 'minor', details: { date: '2026-11-28' } });
    expect(raised[0]!.ts).toBe(at('2026-11-29T00:00:00+08:00'));
  });

  it('the first weekend after a vacation is judged by term weekends, not by the empty vacation', () => {
    // boarders: a term weekend uses 0.4 m³/h in the dormitory, the winter vacation 0.02
    const r = run();
    waterMeter(r, 'wm-dorm-1', at('2026-12-26T00:00:00+08:00'), at('2027-03-01T06:00:00+08:00'), 10 * MIN, (ts) => {
      const date = new Date(ts + 8 * HOUR).toISOString().slice(0, 10);
      const weekend = [0, 6].includes(new Date(ts + 8 * HOUR).getUTCDay());
      if (date >= '2027-01-23' && date < '2027-02-22') return 0.02;
      return weekend ? 0.4 : 1;
    });
    expect(r.raised('water.out_of_hours')).toEqual([]);
  });
});
