/**
 * The report's small parts on their own: register walks (a silent meter, a wrapped register, a
 * replaced meter), time-of-use bands across midnight and their validation, CSV for Excel, and
 * which period a request means.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RollupRow } from '@campus/store';
import { CampusConfigError, DEMO_CAMPUS_FILE, parseCampus } from '@campus/site';
import { PeriodError, registerUse, resolvePeriod, toCsv } from '@campus/report';
import { bandShares, splitByBand } from '../src/tariff.ts';

const H = 3_600_000;
const row = (bucket: number, first: number, last: number): RollupRow => ({ bucket, field: 'totalM3', n: 4, sum: 0, min: first, max: last, first, last });

describe('register walk', () => {
  it('starts from the reading before the period, and shares a silent meter catch-up over its silent buckets', () => {
    const rows = [row(0, 90, 100), row(H, 101, 103), row(4 * H, 110, 112)];
    const use = registerUse(rows, [H, 2 * H, 3 * H, 4 * H]);
    expect(use.total).toBeCloseTo(12); // 112 - 100
    expect(use.buckets.map((b) => [b.use, b.estimated, b.missing])).toEqual([
      [3, false, false],
      [7 / 3, true, true],
      [7 / 3, true, true],
      [2 + 7 / 3, true, false],
    ]);
  });

  it('follows a wrapped register and a replaced meter, and says nothing for a period without readings', () => {
    const wrap = registerUse([row(0, 99_999_990, 99_999_998), row(H, 2, 5)], [0, H], 99_999_999);
    expect(wrap.total).toBeCloseTo(8 + 4 + 3);
    expect(wrap.events).toEqual([{ bucket: H, kind: 'rollover' }]);
    const replaced = registerUse([row(0, 5000, 5010), row(H, 0.2, 3)], [0, H], 99_999_999);
    expect(replaced.total).toBeCloseTo(10 + 0.2 + 2.8);
    expect(replaced.events).toEqual([{ bucket: H, kind: 'replacement' }]);
    expect(registerUse([], [0, H]).total).toBeNull();
  });
});

describe('time-of-use prices', () => {
  const base = readFileSync(DEMO_CAMPUS_FILE, 'utf8');
  const withTariffs = (yaml: string) => parseCampus(base.replace(/^tariffs:\n(  .*\n)+/m, `tariffs:\n${yaml.replace(/^/gm, '  ')}\n`), 'test.yaml');

  it('splits each hour by the minutes each band covers, across midnight', () => {
    const campus = withTariffs(
      'electricityYuanPerKWh: 0.6\nwaterYuanPerM3: 4\npeak: { yuanPerKWh: 1, hours: ["08:30-11:00"] }\nvalley: { yuanPerKWh: 0.3, hours: ["23:00-07:00"] }',
    );
    expect(bandShares(campus.tariffs, 8 * 60)).toEqual({ peak: 0.5, valley: 0, flat: 0.5 });
    expect(bandShares(campus.tariffs, 23 * 60)).toEqual({ peak: 0, valley: 1, flat: 0 });
    expect(bandShares(campus.tariffs, 3 * 60)).toEqual({ peak: 0, valley: 1, flat: 0 });
    // 00:00 local (UTC+8) is valley, 08:00 half peak
    const midnight = Date.parse('2026-09-07T00:00:00+08:00');
    const split = splitByBand(campus, [
      { bucket: midnight, use: 10, estimated: false, missing: false },
      { bucket: midnight + 8 * H, use: 4, estimated: false, missing: false },
    ]);
    expect(split).toEqual({ peak: 2, flat: 2, valley: 10 });
  });

  it('refuses overlapping bands and malformed hours, by path', () => {
    const bad = () => withTariffs('peak: { yuanPerKWh: 1, hours: ["08:00-11:00"] }\nvalley: { yuanPerKWh: 0.3, hours: ["10:00-12:00", "8-9"] }');
    expect(bad).toThrow(CampusConfigError);
    try {
      bad();
    } catch (err) {
      expect((err as CampusConfigError).problems).toEqual([
        expect.stringMatching(/^tariffs\.valley\.hours\[1\]: must be a time range HH:MM-HH:MM/),
        'tariffs.valley.hours[0]: "10:00-12:00" overlaps the peak hours (08:00-11:00)',
      ]);
    }
    // the file of a school without time-of-use prices still loads
    expect(withTariffs('electricityYuanPerKWh: 0.6\nwaterYuanPerM3: 4').tariffs).toEqual({ electricityYuanPerKWh: 0.6, waterYuanPerM3: 4 });
  });
});

describe('CSV for Excel', () => {
  it('has a byte-order mark, CRLF, quoting, and no formulas from campus-file names', () => {
    const csv = toCsv({
      id: 't',
      section: 'energy',
      title: 't',
      columns: [{ label: '名称' }, { label: '用量', type: 'number', digits: 2 }],
      rows: [
        ['教学楼, "A"', 1234.5678],
        ['=HYPERLINK("x")', -3],
        [null, null],
      ],
    });
    expect(csv).toBe('\uFEFF名称,用量\r\n"教学楼, ""A""",1234.57\r\n"\'=HYPERLINK(""x"")",-3.00\r\n,\r\n');
  });
});

describe('the period a request means', () => {
  const campus = parseCampus(readFileSync(DEMO_CAMPUS_FILE, 'utf8'), 'demo');
  const now = Date.parse('2026-11-24T09:00:00+08:00');

  it('by default the term running now, up to yesterday, compared with the same stretch of the others', () => {
    const p = resolvePeriod(campus, { now });
    expect([p.term, p.from, p.to, p.termEnd, p.days]).toEqual(['2026-2027学年第一学期', '2026-09-01', '2026-11-23', '2027-01-22', 84]);
    expect(p.previous).toEqual({ from: '2026-02-24', to: '2026-05-18', label: '2025-2026学年第二学期（前84天）' });
    expect(p.lastYear).toBeNull(); // the demo file has no autumn 2025 term
    expect(p.fromTs).toBe(Date.parse('2026-09-01T00:00:00+08:00'));
  });

  it('a named term, or dates (compared with as many days before and the same dates a year earlier); refused when nothing is complete', () => {
    const spring = resolvePeriod(campus, { term: '2025-2026学年第二学期', now });
    expect([spring.from, spring.to, spring.termEnd, spring.previous]).toEqual(['2026-02-24', '2026-07-03', null, null]);
    const range = resolvePeriod(campus, { from: '2026-10-01', to: '2026-10-07', now });
    expect(range.previous).toEqual({ from: '2026-09-24', to: '2026-09-30', label: '上一时段' });
    expect(range.lastYear).toEqual({ from: '2025-10-01', to: '2025-10-07', label: '去年同期' });
    expect(range.schoolDays).toBe(0); // 国庆节
    expect(() => resolvePeriod(campus, { term: '2026-2027学年第二学期', now })).toThrow(PeriodError);
    expect(() => resolvePeriod(campus, { from: '2026-11-24', to: '2026-11-30', now })).toThrow(/no complete day/);
    expect(() => resolvePeriod(campus, { term: 'nope', now })).toThrow(/no term "nope"/);
  });
});
