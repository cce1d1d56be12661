/**
 * A register jump no meter makes is no use on the competition board nor in the report's energy
 * table, as detection's register.fault calls it a fault: a classroom meter at a few hundred kWh
 * reading 9,000,000 kWh (within its 8 digits) at the end of a day and back the next, and one whose
 * jump is implausible only by the site's own register.fault threshold (the campus file's
 * detection.defaults). Board and table give the same days, and what the meters registered.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, parseCampus } from '@campus/site';
import { classMeters, STEP } from './class-meters.ts';

/** the demo campus, with the site's register.fault ceiling for meters without a rated load at 50 kW (5000 by default) */
const campus = parseCampus(`${readFileSync(DEMO_CAMPUS_FILE, 'utf8')}\ndetection:\n  defaults:\n    register.fault: { maxKW: 50 }\n`);
/** the last reading of 17 November */
const JUMP = Date.parse('2026-11-17T23:52:00+08:00');

/** +0.5 kWh every 15 minutes from 100; 9,000,000 once */
const corrupted = (k: number, ts: number) => (ts === JUMP ? 9_000_000 : 100 + 0.5 * k);
/** from 2000; 3000 kWh more once: 125 kW over the day, beyond the site's 50 kW, within the default 5000 */
const overSite = (k: number, ts: number) => 2000 + 0.5 * k + (ts === JUMP ? 3000 : 0);

const meters = classMeters(campus, { 'em-g1c1': corrupted, 'em-g1c2': overSite });

describe('a register jump within its digits: no use on the board nor in the energy table', () => {
  it('the same kWh per class and per day, and what the meters registered', async () => {
    expect(lastOfItsDay(JUMP)).toBe(true);
    const { competition, energy } = await meters.week({ from: '2026-11-16', to: '2026-11-20' });
    // 96 readings a day of 0.5 kWh each: 48 a day, the corrupted reading counted as nothing
    for (const classId of ['g1c1', 'g1c2']) {
      const board = competition.classes.find((c) => c.classId === classId)!;
      const table = energy.classes.find((c) => c.id === classId)!;
      expect(board.actualUse, classId).toBeCloseTo(5 * 48, 6);
      expect(table.use.current, classId).toBeCloseTo(5 * 48, 6);
      const meter = energy.meters.get(board.deviceId)!;
      const days = board.daily.filter((d) => d.date >= '2026-11-16');
      expect(days.map((d) => d.use)).toEqual(meter.buckets.map((b) => b.use));
      // the day's rollup keeps no reading before the jump: its use moves to the next day, the two add up to two days'
      const use = (date: string) => days.find((d) => d.date === date)!.use;
      expect(use('2026-11-17'), classId).toBeCloseTo(0.5, 6);
      expect(use('2026-11-17') + use('2026-11-18'), classId).toBeCloseTo(2 * 48, 6);
    }
  });
});

/** the jump is the last reading of its local day (a jump inside a day is walked over by the day's first -> last) */
function lastOfItsDay(ts: number): boolean {
  return campus.calendar.local(ts).date === '2026-11-17' && campus.calendar.local(ts + STEP).date === '2026-11-18';
}
