import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Reading } from '@campus/contract';
import { scoreCompetition } from '@campus/dashboard';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const dir = tempDir();
const store = new SqliteReadingStore(join(dir.path, 'c.db'), { context: storeContext([campus]) });
afterAll(() => {
  store.close();
  dir.remove();
});

const local = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** A classroom meter using `baseline` kWh a school day until `switchDate`, then `actual`. */
async function meter(deviceId: string, baseline: number, actual: number, switchDate: string) {
  const readings: Reading[] = [];
  let total = 1000;
  for (let d = '2026-10-26'; d <= '2026-11-27'; d = addDays(d, 1)) {
    const use = campus.calendar.isSchoolDay(d) ? (d >= switchDate ? actual : baseline) : 0.5;
    for (const [hhmm, add] of [
      ['00:30', 0],
      ['23:30', use],
    ] as const) {
      total += add;
      readings.push({
        siteId: 'dongnan',
        deviceId,
        kind: 'electric_meter',
        ts: local(d, hhmm),
        seq: 0,
        receivedAt: local(d, hhmm),
        values: { totalKWh: Math.round(total * 1000) / 1000 },
      });
    }
  }
  await store.write({ readings, statuses: [], deadLetters: [] });
  // the competition reads daily rollups only
  await store.rollUp();
}

describe('class energy-saving competition', () => {
  it('ranks by saving against the 10 school days before, without exam weeks, ties by use per student', async () => {
    await meter('em-g1c1', 20, 15, '2026-11-23'); // 25 % saved
    await meter('em-g1c2', 20, 18, '2026-11-23'); // 10 %
    await meter('em-g1c3', 15, 15, '2026-11-23'); // 0 %
    await meter('em-g1c4', 30, 27, '2026-11-23'); // 10 %, but more per student than g1c2
    const result = await scoreCompetition(campus, store, {
      resource: 'electricity',
      period: 'custom',
      today: '2026-11-27',
      custom: { from: '2026-11-23', to: '2026-11-27' },
      now: Date.parse('2026-11-28T00:00:00+08:00'), // the week is over: every day counts 24 h
    });

    expect(result.window.days).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
    // the exam week 11-09..13 is skipped: the baseline reaches back to the week before it
    expect(result.baseline.days).toEqual([
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    const ranked = result.classes.filter((c) => c.rank > 0);
    expect(ranked.map((c) => [c.rank, c.classId])).toEqual([
      [1, 'g1c1'],
      [2, 'g1c2'],
      [3, 'g1c4'],
      [4, 'g1c3'],
    ]);
    const first = ranked[0]!;
    expect(first.savingPct).toBeCloseTo(25, 6);
    expect(first.actualAvgKW).toBeCloseTo(15 / 24, 6);
    expect(first.baselineAvgKW).toBeCloseTo(20 / 24, 6);
    expect(first.perStudentPerDay).toBeCloseTo(15 / campus.classes.find((c) => c.id === 'g1c1')!.students, 6);
    expect(first.moneySavedYuan).toBeCloseTo(5 * 5 * 0.62, 6); // 5 kWh a day for 5 days at 0.62 元
    expect(first.coverage).toEqual({ competition: 5, baseline: 10 });
    expect(ranked[1]!.savingPct).toBeCloseTo(ranked[2]!.savingPct!, 6); // the tie g1c2 / g1c4
    expect(result.winners).toEqual(['g1c1', 'g1c2', 'g1c4']);
    expect(result.totalSavedYuan).toBeCloseTo((25 + 10 + 15 + 0) * 0.62, 6);
    // classes without data are listed unranked
    expect(result.classes.filter((c) => c.rank === 0)).toHaveLength(20);
  });

  it('a week is Monday to today; water has no class meters in the demo and says so', async () => {
    const week = await scoreCompetition(campus, store, {
      resource: 'electricity',
      period: 'week',
      today: '2026-11-25',
      now: Date.parse('2026-11-25T12:00:00+08:00'),
    });
    // today is not complete, so it does not count yet
    expect(week.window).toMatchObject({ from: '2026-11-23', to: '2026-11-25', days: ['2026-11-23', '2026-11-24'] });
    const monday = await scoreCompetition(campus, store, {
      resource: 'electricity',
      period: 'week',
      today: '2026-11-23',
      now: Date.parse('2026-11-23T09:00:00+08:00'),
    });
    expect(monday.note).toContain('还没有完整的上课日');
    const water = await scoreCompetition(campus, store, { resource: 'water', period: 'week', today: '2026-11-25' });
    expect(water.classes).toEqual([]);
    expect(water.note).toContain('没有按班级计量的水表');
  });
});
