/**
 * The class energy-saving board (scoreCompetition, what /api/competition answers and the term
 * report scores), fair across seasons: a winter week against an autumn baseline (every class used
 * more, for the heating), a class whose meter has the same weeks a year earlier, and a competition
 * in which nobody saved — on the board, in the term report's competition table and in its summary
 * sentence; and the board within one season (windows, exam weeks, ties, water).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '@campus/contract';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';
import { scoreCompetition, type CompetitionResult } from '@campus/report';
import { competitionTable } from '../src/competition-table.ts';
import { competitionSentence } from '../src/competition-summary.ts';
import type { CompetitionHeld } from '../src/competitions.ts';
import type { TermReport } from '../src/report.ts';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const local = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);

/** A classroom meter's readings, each day of `spans` using `use(date)` kWh (0.5 on a day off). */
function meter(deviceId: string, spans: [string, string][], use: (date: string) => number): Reading[] {
  const readings: Reading[] = [];
  let total = 1000;
  for (const [from, to] of spans) {
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const kWh = campus.calendar.isSchoolDay(d) ? use(d) : 0.5;
      for (const [hhmm, add] of [
        ['00:30', 0],
        ['23:30', kWh],
      ] as const) {
        total += add;
        const ts = local(d, hhmm);
        readings.push({
          siteId: 'dongnan',
          deviceId,
          kind: 'electric_meter',
          ts,
          seq: 0,
          receivedAt: ts,
          values: { totalKWh: Math.round(total * 1000) / 1000 },
        });
      }
    }
  }
  return readings;
}

/** A store of the readings (written and rolled up before the describe's tests: the board reads daily rollups only) and its board. */
function board(readings: () => Reading[]) {
  const dir = tempDir();
  const store = new SqliteReadingStore(join(dir.path, 'c.db'), { context: storeContext([campus]) });
  beforeAll(async () => {
    await store.write({ readings: readings(), statuses: [], deadLetters: [] });
    while ((await store.rollUp(5000)).pending > 0);
  });
  afterAll(() => {
    store.close();
    dir.remove();
  });
  return {
    score: (opts: Omit<Parameters<typeof scoreCompetition>[2], 'resource'> & { resource?: 'electricity' | 'water' }) =>
      scoreCompetition(campus, store, { resource: 'electricity', ...opts }),
    /** a week, scored the day after it */
    week: (from: string, to: string) =>
      scoreCompetition(campus, store, { resource: 'electricity', period: 'custom', today: to, custom: { from, to }, now: local(addDays(to, 1), '09:00') }),
  };
}

const byClass = (r: CompetitionResult, classId: string) => r.classes.find((c) => c.classId === classId)!;
const held = (name: string, result: CompetitionResult): CompetitionHeld => ({
  name,
  resource: 'electricity',
  from: result.window.from,
  to: result.window.to,
  source: 'office',
  result,
});
const report = (...competitions: CompetitionHeld[]) => ({ competitions }) as unknown as TermReport;

// A. winter: the autumn baseline 11-16..11-27 (the exam week before it is left out) at 20 kWh a
// school day; in the week 11-30..12-04 the heating is on and four classes use 28 (+40 %), g3c5
// 22 (+10 %) and g3c6 21 (+5 %): all used more, the school 29 % more
const WINTER: [string, string][] = [['2026-11-14', '2026-12-05']];
const winter: Record<string, number> = { 'em-g3c1': 28, 'em-g3c2': 28, 'em-g3c3': 28, 'em-g3c4': 28, 'em-g3c5': 22, 'em-g3c6': 21 };
// B. spring 2027: the same week a year earlier (2026-03-02..06) is on g1c1's and g1c2's meters
// (20 kWh a day); the 10 school days before (January and February, heating) at 30 for all; the
// week 2027-03-01..05 at 24 / 22 / 24 / 27. g1c4's meter has only two days of the year-earlier week.
const YEAR_EARLIER: [string, string] = ['2026-03-01', '2026-03-07'];
const BEFORE: [string, string][] = [
  ['2027-01-10', '2027-01-16'],
  ['2027-02-21', '2027-03-06'],
];
// C. nobody saved: g2c1 and g2c2 have 2026-03-09..13 (18 kWh a day) and use 19 and 21 in 2027-03-08..12
const NOBODY: [string, string][] = [
  ['2026-03-08', '2026-03-14'],
  ['2027-03-07', '2027-03-13'],
];

const seasons = board(() => [
  ...Object.entries(winter).flatMap(([id, during]) => meter(id, WINTER, (d) => (d >= '2026-11-30' ? during : 20))),
  ...['em-g1c1', 'em-g1c2'].flatMap((id) =>
    meter(id, [YEAR_EARLIER, ...BEFORE], (d) => (d < '2027-01-01' ? 20 : d < '2027-03-01' ? 30 : id === 'em-g1c1' ? 24 : 22)),
  ),
  ...meter('em-g1c3', BEFORE, (d) => (d < '2027-03-01' ? 30 : 24)),
  ...meter('em-g1c4', [['2026-03-02', '2026-03-03'], ...BEFORE], (d) => (d < '2027-01-01' ? 20 : d < '2027-03-01' ? 30 : 27)),
  ...['em-g2c1', 'em-g2c2'].flatMap((id) => meter(id, NOBODY, (d) => (d < '2027-01-01' ? 18 : id === 'em-g2c1' ? 19 : 21))),
]);

describe('a winter week against an autumn baseline', () => {
  it('takes out what the heating did to every class: the two below the school trend rank first, and only they are 先进', async () => {
    const r = await seasons.week('2026-11-30', '2026-12-04');
    expect(r.baseline).toMatchObject({ from: '2026-11-16', to: '2026-11-27' });
    expect(r.bases).toEqual({ year_earlier: 0, school_trend: 6 });
    const school = (4 * 28 + 22 + 21) / (6 * 20);
    expect(r.schoolRatio).toBeCloseTo(school, 6);
    const ranked = r.classes.filter((c) => c.rank > 0);
    // every class used more than its baseline, as measured
    for (const c of ranked) expect(c.rawSavingPct!).toBeLessThan(0);
    expect(ranked.map((c) => c.classId).slice(0, 2)).toEqual(['g3c6', 'g3c5']);
    expect(byClass(r, 'g3c6').savingPct).toBeCloseTo((1 - 21 / 20 / school) * 100, 6);
    expect(byClass(r, 'g3c6').expectedAvgKW).toBeCloseTo((20 * school) / 24, 6);
    expect(byClass(r, 'g3c1').savingPct!).toBeLessThan(0);
    // the third is not named: it used more than the school's trend
    expect(r.winners).toEqual(['g3c6', 'g3c5']);
    expect(r.nobodySaved).toBe(false);
    expect(r.winnersSavedYuan).toBeCloseTo((20 * school - 21 + (20 * school - 22)) * 5 * 0.62, 6);
    // against the measured baselines the school paid more: 35 kWh a day over 5 days
    expect(r.measuredSavedYuan).toBeCloseTo(-35 * 5 * 0.62, 6);

    const [head, second] = competitionTable(report(held('十二月节电周', r))).rows;
    expect([head![4], head![8]]).toEqual([
      '高三(6)班',
      expect.stringContaining('基线：评比前 2026-11-16 至 2026-11-27（10 个上课日），按全校同期用电变化 +29.2% 校正'),
    ]);
    expect(second![4]).toBe('高三(5)班');
    const sentence = competitionSentence(report(held('十二月节电周', r)));
    expect(sentence).toMatch(
      /^开展节能评比 1 项：“十二月节电周”（11月30日—12月4日）先进班级为高三\(6\)班、高三\(5\)班，共比基线节约电费约 \d+ 元（基线：评比前/,
    );
    expect(sentence).toContain('校正），全校实测比基线多用电费约 109 元');
    expect(sentence).not.toMatch(/[-−] *\d+ 元/);
  });
});

describe('the same weeks a year earlier', () => {
  it('a class whose meter has them is judged on them; one without them (or with too few days) on the school trend', async () => {
    const r = await seasons.week('2027-03-01', '2027-03-05');
    expect(r.yearEarlier).toEqual({ from: '2026-03-02', to: '2026-03-06', days: ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'] });
    expect(r.baseline.days).toEqual([
      '2027-01-11',
      '2027-01-12',
      '2027-01-13',
      '2027-01-14',
      '2027-01-15',
      '2027-02-22',
      '2027-02-23',
      '2027-02-24',
      '2027-02-25',
      '2027-02-26',
    ]);
    const g1c1 = byClass(r, 'g1c1');
    expect(g1c1.basis).toBe('year_earlier');
    expect(g1c1.baselineAvgKW).toBeCloseTo(20 / 24, 6);
    expect(g1c1.savingPct).toBeCloseTo(-20, 6); // 24 against 20 a year earlier, not +20 % against the heated January
    expect(g1c1.daily.slice(0, 5).map((d) => d.date)).toEqual(r.yearEarlier.days);
    expect(byClass(r, 'g1c2').basis).toBe('year_earlier');
    expect([byClass(r, 'g1c3').basis, byClass(r, 'g1c4').basis]).toEqual(['school_trend', 'school_trend']);
    const school = (24 + 22 + 24 + 27) / (4 * 30);
    expect(byClass(r, 'g1c3').savingPct).toBeCloseTo((1 - 24 / 30 / school) * 100, 6);
    expect(r.bases).toEqual({ year_earlier: 2, school_trend: 2 });
    expect(r.winners).toEqual(['g1c3']);

    const [row] = competitionTable(report(held('三月节电周', r))).rows;
    expect(row![8]).toContain('基线：评比前 2027-01-11 至 2027-02-26');
    const sentence = competitionSentence(report(held('三月节电周', r)));
    expect(sentence).toContain('2 个班为去年同期 2026-03-02 至 2026-03-06（5 个上课日）；2 个班为评比前 2027-01-11 至 2027-02-26');
  });
});

describe('a competition in which nobody saved', () => {
  it('names no 先进班级, says so plainly, and shows no negative money', async () => {
    const r = await seasons.week('2027-03-08', '2027-03-12');
    const ranked = r.classes.filter((c) => c.rank > 0);
    expect(ranked.map((c) => [c.classId, c.basis])).toEqual([
      ['g2c1', 'year_earlier'],
      ['g2c2', 'year_earlier'],
    ]);
    expect(r.winners).toEqual([]);
    expect(r.nobodySaved).toBe(true);
    expect(r.winnersSavedYuan).toBe(0);
    expect(r.totalSavedYuan).toBeCloseTo(-(1 + 3) * 5 * 0.62, 6);

    const rows = competitionTable(report(held('三月第二周', r))).rows;
    expect(rows).toEqual([
      [
        '三月第二周',
        '节电',
        '2027-03-08 至 2027-03-12',
        null,
        null,
        null,
        null,
        null,
        '本期各班用电均未低于基线，不评先进班级；基线：去年同期 2026-03-09 至 2026-03-13（5 个上课日）',
      ],
    ]);
    const sentence = competitionSentence(report(held('三月第二周', r)));
    expect(sentence).toBe('开展节能评比 1 项：“三月第二周”（3月8日—3月12日）本期各班用电均未低于基线，不评先进班级，全校比基线多用电费约 12 元。');
    expect(sentence).not.toContain('先进班级为');
  });
});

describe('the board within one season', () => {
  // a school day's kWh before the week 11-23..27 and in it
  const plan: Record<string, [number, number]> = { 'em-g1c1': [20, 15], 'em-g1c2': [20, 18], 'em-g1c3': [15, 15], 'em-g1c4': [30, 27] };
  const autumn = board(() =>
    Object.entries(plan).flatMap(([id, [before, during]]) => meter(id, [['2026-10-26', '2026-11-27']], (d) => (d >= '2026-11-23' ? during : before))),
  );

  it('ranks by saving against the 10 school days before corrected by the change of all classes together, without exam weeks, ties by use per student', async () => {
    const result = await autumn.score({
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
    // no meter has the same weeks a year earlier (the calendar starts in 2026): each is judged on
    // the 10 days before, times the change of the four together (75 kWh a day against 85)
    const school = (15 + 18 + 15 + 27) / (20 + 20 + 15 + 30);
    expect(result.schoolRatio).toBeCloseTo(school, 6);
    expect(result.bases).toEqual({ year_earlier: 0, school_trend: 4 });
    const ranked = result.classes.filter((c) => c.rank > 0);
    expect(ranked.map((c) => [c.rank, c.classId])).toEqual([
      [1, 'g1c1'],
      [2, 'g1c2'],
      [3, 'g1c4'],
      [4, 'g1c3'],
    ]);
    const first = ranked[0]!;
    expect(first.rawSavingPct).toBeCloseTo(25, 6);
    expect(first.savingPct).toBeCloseTo((1 - 0.75 / school) * 100, 6);
    expect(first.actualAvgKW).toBeCloseTo(15 / 24, 6);
    expect(first.baselineAvgKW).toBeCloseTo(20 / 24, 6);
    expect(first.expectedAvgKW).toBeCloseTo((20 * school) / 24, 6);
    expect(first.perStudentPerDay).toBeCloseTo(15 / campus.classes.find((c) => c.id === 'g1c1')!.students, 6);
    expect(first.moneySavedYuan).toBeCloseTo((20 * school - 15) * 5 * 0.62, 6); // a day's kWh below the trend, 5 days at 0.62 元
    expect(first.coverage).toEqual({ competition: 5, baseline: 10 });
    expect(ranked[1]!.savingPct).toBeCloseTo(ranked[2]!.savingPct!, 6); // the tie g1c2 / g1c4
    // g1c2 and g1c4 saved 10 %, less than the school's 11.8 %: only g1c1 is 先进
    expect(ranked[1]!.savingPct!).toBeLessThan(0);
    expect(result.winners).toEqual(['g1c1']);
    expect(result.winnersSavedYuan).toBeCloseTo(first.moneySavedYuan!, 6);
    // against the measured baselines, the four saved 10 kWh a day
    expect(result.measuredSavedYuan).toBeCloseTo(10 * 5 * 0.62, 6);
    // classes without data are listed unranked
    expect(result.classes.filter((c) => c.rank === 0)).toHaveLength(20);
  });

  it('a week is Monday to today; water has no class meters in the demo and says so', async () => {
    const week = await autumn.score({
      period: 'week',
      today: '2026-11-25',
      now: Date.parse('2026-11-25T12:00:00+08:00'),
    });
    // today is not complete, so it does not count yet
    expect(week.window).toMatchObject({ from: '2026-11-23', to: '2026-11-25', days: ['2026-11-23', '2026-11-24'] });
    const monday = await autumn.score({
      period: 'week',
      today: '2026-11-23',
      now: Date.parse('2026-11-23T09:00:00+08:00'),
    });
    expect(monday.note).toContain('还没有完整的上课日');
    const water = await autumn.score({ resource: 'water', period: 'week', today: '2026-11-25' });
    expect(water.classes).toEqual([]);
    expect(water.note).toContain('没有按班级计量的水表');
  });
});
