/**
 * The term report over a backfilled simulated term, on one store: `npm run campus -- report`
 * writes the files, and every table is checked against figures worked out here from the stored
 * rollups and the ticket table (expected.ts), and against the faults the term was given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ratedCurrentA } from '@campus/contract';
import { openDb, dbPath, type Db } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { campusCli } from '@campus/testkit';
import { cellNumber, hourlyUses, median, periodUse, readCsv, type RowSource } from './expected.ts';
import { LAST_YEAR, PREVIOUS, TERM } from './term-fixture.ts';

export interface Backfilled {
  campus: Campus;
  dataDir: string;
  /** the environment the CLI runs with (data dir, campus file, store) */
  env: Record<string, string>;
  rows: RowSource;
  /** the term's report files, written by the CLI */
  out: string;
  /** wall time of the CLI's report, ms (printed by the test) */
  reportMs: number;
}

const DAY = 86_400_000;
const H = 3_600_000;

export async function reportWithCli(env: Record<string, string>, out: string): Promise<{ output: string; ms: number }> {
  const t0 = performance.now();
  const output = await campusCli(env, 'report', '--term', TERM.name, '--out', out);
  return { output, ms: performance.now() - t0 };
}

/** Registers the checks; `ready()` resolves once the store is filled and the CLI has written the files. */
export function reportChecks(ready: () => Backfilled) {
  const ts = (c: Campus, date: string) => c.calendar.startOfDay(date);
  const range = (c: Campus, r: { start: string; end: string }) => [ts(c, r.start), ts(c, r.end) + DAY] as const;

  /** expected use of a set of devices over a term (null: none reported) */
  async function use(b: Backfilled, ids: string[], kind: string, field: string, term: { start: string; end: string }): Promise<number | null> {
    const [from, to] = range(b.campus, term);
    const each = await Promise.all(ids.map(async (id) => periodUse(await b.rows('1d', id, kind, field, from - 7 * DAY, to), from, to)));
    return each.some((x) => x !== null) ? each.reduce<number>((s, x) => s + (x ?? 0), 0) : null;
  }

  const close = (actual: number | null, expected: number | null, digits: number) => {
    if (expected === null) return expect(actual).toBeNull();
    expect(actual).not.toBeNull();
    expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);
  };

  it('totals: this term, the term before and the same term a year earlier match the daily rollups', async () => {
    const b = ready();
    const totals = readCsv(b.out, 'totals');
    expect(totals.header.slice(0, 5)).toEqual(['项目', '单位', '本期', '上学期', '去年同期']);
    const transformers = b.campus.devices.filter((d) => d.kind === 'transformer').map((d) => d.id);
    const electricity = totals.rows.find((r) => r[0] === '用电')!;
    const water = totals.rows.find((r) => r[0] === '用水')!;
    for (const [i, term] of [TERM, PREVIOUS, LAST_YEAR].entries()) {
      const e = await use(b, transformers, 'transformer', 'totalKWh', term);
      const w = await use(b, ['wm-main'], 'water_meter', 'totalM3', term);
      expect(e).toBeGreaterThan(1000);
      close(cellNumber(electricity[2 + i]), e, 1);
      close(cellNumber(water[2 + i]), w, 1);
    }
  });

  it('per building and per class: each figure is the sum of its meters in the rollups', async () => {
    const b = ready();
    const buildings = readCsv(b.out, 'electricity-buildings');
    const meters = b.campus.devices.filter((d) => d.kind === 'electric_meter');
    for (const building of b.campus.buildings) {
      const ids = meters.filter((d) => d.location.building === building.id).map((d) => d.id);
      if (!ids.length) continue;
      const row = buildings.rows.find((r) => r[0]!.startsWith(building.name))!;
      expect(row, building.name).toBeDefined();
      close(cellNumber(row[1]), await use(b, ids, 'electric_meter', 'totalKWh', TERM), 1);
      close(cellNumber(row[2]), await use(b, ids, 'electric_meter', 'totalKWh', PREVIOUS), 1);
      close(cellNumber(row[3]), await use(b, ids, 'electric_meter', 'totalKWh', LAST_YEAR), 1);
    }
    const classes = readCsv(b.out, 'electricity-classes');
    expect(classes.rows).toHaveLength(b.campus.classes.length);
    for (const c of b.campus.classes) {
      const row = classes.rows.find((r) => r[0] === c.name)!;
      const kwh = await use(b, [`em-${c.id}`], 'electric_meter', 'totalKWh', TERM);
      close(cellNumber(row[3]), kwh, 1);
      close(cellNumber(row[2]), kwh! / c.students, 1);
    }
    // water: the dormitory is its six floor meters; wm-dorm-3 was silent for two days and caught up
    const water = readCsv(b.out, 'water-buildings');
    const dorm = water.rows.find((r) => r[0]!.startsWith('学生公寓'))!;
    expect(dorm[0]).toBe('学生公寓（含估算）');
    const floors = b.campus.devices.filter((d) => d.kind === 'water_meter' && d.location.building === 'dorm').map((d) => d.id);
    close(cellNumber(dorm[1]), await use(b, floors, 'water_meter', 'totalM3', TERM), 2);
  });

  it('cost: time-of-use bands from the hourly rollups at the campus file prices', async () => {
    const b = ready();
    const [from, to] = range(b.campus, TERM);
    const bands = { peak: 0, flat: 0, valley: 0 };
    for (const id of ['tr-main', 'tr-sci']) {
      for (const { hour, use: u } of hourlyUses(await b.rows('1h', id, 'transformer', 'totalKWh', from - 7 * DAY, to), from, to)) {
        // the test campus: peak 08-11 and 18-21, valley 23-07 (Asia/Shanghai, UTC+8, no summer time)
        const h = new Date(hour + 8 * H).getUTCHours();
        bands[[8, 9, 10, 18, 19, 20].includes(h) ? 'peak' : h >= 23 || h < 7 ? 'valley' : 'flat'] += u;
      }
    }
    const cost = readCsv(b.out, 'cost');
    const row = (label: string) => cost.rows.find((r) => r[0] === label)!;
    close(cellNumber(row('用电（峰时）')[1]), bands.peak, 1);
    close(cellNumber(row('用电（平时）')[1]), bands.flat, 1);
    close(cellNumber(row('用电（谷时）')[1]), bands.valley, 1);
    const water = await use(b, ['wm-main'], 'water_meter', 'totalM3', TERM);
    const total = bands.peak * 0.98 + bands.flat * 0.62 + bands.valley * 0.32 + water! * 4.1;
    close(cellNumber(row('合计')[4]), total, 0);
  });

  it('tickets by condition and trade, with the median times to acknowledge and to resolve, match the ticket table', async () => {
    const b = ready();
    const db: Db = openDb(dbPath(b.dataDir), { readonly: true });
    const [from, to] = range(b.campus, TERM);
    const tickets = db
      .prepare('SELECT condition, trade, opened_at AS o, acknowledged_at AS a, resolved_at AS r FROM tickets WHERE opened_at >= ? AND opened_at < ?')
      .all(from, to) as { condition: string; trade: string; o: number; a: number | null; r: number | null }[];
    db.close();
    expect(tickets.length).toBeGreaterThan(5);
    for (const c of ['water.night_flow', 'water.burst', 'fridge.excursion', 'transformer.overload', 'transformer.near_capacity', 'device.offline'])
      expect(tickets.map((t) => t.condition)).toContain(c);
    const byTrade = readCsv(b.out, 'tickets-by-trade');
    const labels: Record<string, string> = { plumber: '水工', electrician: '电工', canteen: '食堂', office: '总务处' };
    for (const trade of new Set(tickets.map((t) => t.trade))) {
      const mine = tickets.filter((t) => t.trade === trade);
      const row = byTrade.rows.find((r) => r[0] === labels[trade])!;
      expect(cellNumber(row[1])).toBe(mine.length);
      close(cellNumber(row[7]), median(mine.filter((t) => t.a !== null).map((t) => (t.a! - t.o) / 60_000)), 0);
      close(cellNumber(row[8]), median(mine.filter((t) => t.r !== null).map((t) => (t.r! - t.o) / 60_000)), 0);
    }
    const byCondition = readCsv(b.out, 'tickets-by-condition');
    expect(cellNumber(byCondition.rows.at(-1)![1])).toBe(tickets.length);
    expect(byCondition.rows.find((r) => r[0] === '冷柜温度超标')![1]).toBe(String(tickets.filter((t) => t.condition === 'fridge.excursion').length));
    // the CLI writes the repair log too: one row per ticket of the period
    expect(readCsv(b.out, 'repair-log').rows).toHaveLength(tickets.length);
    expect(readCsv(b.out, 'repairs-by-trade').rows.length).toBeGreaterThan(0);
  });

  it('leaks caught, with the water wasted before repair close to what the faults leaked', () => {
    const b = ready();
    const leaks = readCsv(b.out, 'leaks');
    expect(leaks.rows.map((r) => r[1])).toEqual(['学生公寓4层水表（女生）', '学生公寓1层水表（男生）']);
    const [night, burst] = leaks.rows;
    // 150 L/h from its first ticket until the plumber's repair; the main meter's tickets for it are not counted again
    const hours = cellNumber(night![6])!;
    expect(cellNumber(night![7])).toBeGreaterThan(0.15 * 0.85);
    expect(cellNumber(night![7])).toBeLessThan(0.15 * 1.15);
    close(cellNumber(night![8]), cellNumber(night![7])! * hours, 0);
    // 9 m³/h for 30 minutes
    expect(cellNumber(burst![8])).toBeGreaterThan(4.5 * 0.75);
    expect(cellNumber(burst![8])).toBeLessThan(4.5 * 1.25);
  });

  it('fridge excursions: the 3-hour compressor failure, and how long the food was out of range', () => {
    const b = ready();
    const ex = readCsv(b.out, 'fridge-excursions');
    expect(ex.rows).toHaveLength(1);
    expect(ex.rows[0]![1]).toBe('冷藏柜2');
    const minutes = cellNumber(ex.rows[0]![4])!;
    expect(minutes).toBeGreaterThan(120);
    expect(minutes).toBeLessThan(300);
    const units = readCsv(b.out, 'fridge-units');
    expect(units.rows.find((r) => r[0] === '冷藏柜2')![8]).toBe(String(Math.round(minutes)));
    expect(units.rows.find((r) => r[0] === '冷藏柜1')![6]).toBe('0');
  });

  it('transformer peaks against rating from the daily maxima; the 80 kVA unit is named near capacity', async () => {
    const b = ready();
    const [from, to] = range(b.campus, TERM);
    const rows = readCsv(b.out, 'transformers').rows;
    for (const d of b.campus.devices) {
      if (d.kind !== 'transformer') continue;
      const maxima = await Promise.all(['currentA_a', 'currentA_b', 'currentA_c'].map((f) => b.rows('1d', d.id, 'transformer', f, from, to)));
      const peak = (Math.max(...maxima.flat().map((r) => r.max)) / ratedCurrentA(d.ratedKVA, d.voltageLLV)) * 100;
      const row = rows.find((r) => r[0] === d.name)!;
      close(cellNumber(row[3]), peak, 1);
    }
    const sci = rows.find((r) => r[0]!.startsWith('2号变压器'))!;
    expect(cellNumber(sci[3])).toBeGreaterThan(110); // the 115 % overload
    expect(sci[8]).toBe('9月21日—9月23日（3 个上课日）');
    expect(rows.find((r) => r[0]!.startsWith('1号主变压器'))![8]).toBe('无');
  });

  it('states its coverage, and the summary paragraph is built from the figures', () => {
    const b = ready();
    const coverage = readCsv(b.out, 'coverage');
    expect(coverage.rows.map((r) => [r[0], r[2]])).toEqual([['wm-dorm-3', '2']]);
    const summary = readFileSync(join(b.out, 'summary.txt'), 'utf8');
    const totals = readCsv(b.out, 'totals').rows;
    const kwh = Math.round(cellNumber(totals[0]![2])!).toLocaleString('en-US');
    expect(summary).toContain(`全校用电 ${kwh} kWh`);
    expect(summary).toContain('及时发现漏水 2 起');
    expect(summary).toContain('水表 wm-dorm-3（学生公寓3层水表（男生））离线 2 天（9月10日—9月11日），其用量按恢复后的读数分摊，为估算');
    expect(summary).toContain('2号变压器 80kVA（科技楼）有 1 段时间（9月21日—9月23日（3 个上课日））');
    expect(summary).toMatch(/“九月节电周”（9月21日—9月25日）先进班级为[^，]+、[^，]+、[^，]+，/);
  });

  it('the competitions held, with their winners, scored by the competition code', () => {
    const b = ready();
    const rows = readCsv(b.out, 'competitions').rows;
    const week = rows.filter((r) => r[0] === '九月节电周');
    expect(week.map((r) => r[3])).toEqual(['1', '2', '3']);
    const savings = week.map((r) => cellNumber(r[5])!);
    expect(savings).toEqual([...savings].sort((x, y) => y - x));
    // the term-long board has no baseline (the 10 school days before it are months back): it says so
    expect(rows.find((r) => r[0] === '学期节电评比')![8]).toContain('基线');
  });
}
