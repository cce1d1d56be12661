/**
 * One class, one kWh: the competition board (the store's daily use, as /competition and the
 * report's competitions table score it) and the report's energy table (per class, from the
 * rollups) give the same use for a class whose meter was replaced in the middle of a school day,
 * one whose meter was silent for a day, and one whose register wrapped past its digits, and both
 * give what the meters registered.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { classMeters, FROM, STEP } from './class-meters.ts';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const REPLACED = Date.parse('2026-11-18T10:07:00+08:00');
const SILENT = [Date.parse('2026-11-18T00:00:00+08:00'), Date.parse('2026-11-19T00:00:00+08:00')] as const;
/** the campus file's default registerMaxKWh: 8 digits */
const MAX = 99_999_999;
/** readings from FROM to the wrap, at 0.5 kWh a reading: the register passes 99,999,999.5 at about noon on 18 November */
const BEFORE_WRAP = Math.round((Date.parse('2026-11-18T12:00:00+08:00') - FROM) / STEP);

/** +0.5 kWh every 15 minutes; a new meter reading 0.2 fitted on 18 November at 10:00 */
const replaced = (k: number, ts: number) => (ts < REPLACED ? 1000 + 0.5 * k : 0.2 + 0.5 * Math.round((ts - REPLACED) / STEP));
/** the same register, silent all of 18 November */
const silent = (k: number, ts: number) => (ts >= SILENT[0] && ts < SILENT[1] ? undefined : 2000 + 0.5 * k);
/** the same register, wrapping at its digits */
const wrapping = (k: number) => (MAX + 1 - 0.5 * BEFORE_WRAP + 0.5 * k) % (MAX + 1);

const meters = classMeters(campus, { 'em-g1c1': replaced, 'em-g1c2': silent, 'em-g1c3': wrapping });

describe('a class meter replaced mid-term: the competition and the energy table agree', () => {
  it('the same kWh per class, per day and over the week, and what the meters registered', async () => {
    const week = { from: '2026-11-16', to: '2026-11-20' };
    const { competition, energy } = await meters.week(week);
    expect(competition.window.days).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);

    // 96 readings a day, 0.5 kWh each from the reading before; the new meter's first reading counts its 0.2
    const registered: Record<string, number> = { g1c1: 479 * 0.5 + 0.2, g1c2: 480 * 0.5, g1c3: 480 * 0.5 };
    for (const [classId, kWh] of Object.entries(registered)) {
      const board = competition.classes.find((c) => c.classId === classId)!;
      const table = energy.classes.find((c) => c.id === classId)!;
      expect(board.actualUse, classId).toBeCloseTo(kWh, 6);
      expect(table.use.current, classId).toBeCloseTo(kWh, 6);
      // day by day: the board's days are the energy table's meter days
      const meter = energy.meters.get(board.deviceId)!;
      const days = board.daily.filter((d) => d.date >= week.from);
      expect(days.map((d) => d.use)).toEqual(meter.buckets.map((b) => b.use));
      expect(days.map((d) => d.estimated ?? false)).toEqual(meter.buckets.map((b) => b.estimated));
    }
    // the replaced meter's day is the old meter's 10 hours and the new one's 14, not 1000-odd kWh
    const replacedDay = competition.classes.find((c) => c.classId === 'g1c1')!.daily.find((d) => d.date === '2026-11-18')!;
    expect(replacedDay.use).toBeCloseTo(95 * 0.5 + 0.2, 6);
    // the silent day holds half the catch-up (23:52 on the 17th to 00:07 on the 19th: 97 steps),
    // estimated, and is not counted as a day with readings
    const g1c2 = competition.classes.find((c) => c.classId === 'g1c2')!;
    expect(g1c2.daily.find((d) => d.date === '2026-11-18')).toEqual({ date: '2026-11-18', use: (97 * 0.5) / 2, estimated: true });
    expect(g1c2.coverage.competition).toBe(4);
  });
});
