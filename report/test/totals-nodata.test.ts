/**
 * The term report says what it does not know: a week of 15-minute readings from some of the demo
 * campus's devices only, in a SQLite store, and the report of that week.
 * - Devices that sent nothing are 无数据, never "未发生温度超标" / "未发现漏水" / "未出现…";
 *   what is said of the others says how many days their data covers.
 * - The campus total comes from the meters that measure the whole school (the main meter, else the
 *   transformers' energy, a silent transformer made up by the meters it feeds), and says which;
 *   without them it is the building meters' sum, and says what that leaves out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Reading } from '@campus/contract';
import { openDb } from '@campus/runtime';
import { buildCampus, DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { tempDir } from '@campus/testkit';
import { buildReport, reportTables, type TermReport } from '@campus/report';

const STEP = 15 * 60_000;
const WEEK = { from: '2026-11-16', to: '2026-11-22' };
const NOW = Date.parse('2026-11-28T09:00:00+08:00');
/** readings from the day before the week (the registers' starting readings) to its end */
const FROM = Date.parse('2026-11-15T00:00:00+08:00');
const TO = Date.parse('2026-11-23T00:00:00+08:00');
const CLASS_METERS = ['em-g1c1', 'em-g1c2', 'em-g1c3', 'em-g1c4'];
/** rated current per phase at 400 V */
const RATED_A = { 'tr-main': 454.66, 'tr-sci': 115.47 };

/** The values a device sends at its k-th step (time ts); undefined: nothing. */
type Values = (k: number, ts: number) => Record<string, unknown> | undefined;

const dir = tempDir('report-nodata-');
afterAll(() => dir.remove());
let n = 0;

/** The week's report of `campus` with only `devices` sending. */
async function reportOf(campus: Campus, devices: Record<string, Values>): Promise<TermReport> {
  const path = join(dir.path, `r${n++}`);
  const store = new SqliteReadingStore(`${path}.db`, { context: storeContext([campus]) });
  const readings: Reading[] = [];
  for (let k = 0, ts = FROM; ts < TO; k++, ts += STEP) {
    for (const [deviceId, values] of Object.entries(devices)) {
      const v = values(k, ts);
      if (v) readings.push({ siteId: campus.site.id, deviceId, kind: campus.device(deviceId)!.kind, ts, seq: k, receivedAt: ts, values: v as unknown as Reading['values'] });
    }
  }
  await store.write({ readings, statuses: [], deadLetters: [] });
  while ((await store.rollUp(5000)).pending > 0);
  const db = openDb(`${path}-campus.db`);
  try {
    return await buildReport({ campus, store, db, period: WEEK, now: NOW });
  } finally {
    db.close();
    store.close();
  }
}

const kWh = (perStep: number, from = 1000): Values => (k) => ({ totalKWh: from + perStep * k });
const phases = (unit: keyof typeof RATED_A, pct: number, energy?: (k: number) => number): Values => (k) => ({
  currentA: [(RATED_A[unit] * pct) / 100, (RATED_A[unit] * pct * 0.9) / 100, (RATED_A[unit] * pct * 0.9) / 100],
  voltageV: [230, 230, 230],
  ...(energy ? { totalKWh: energy(k) } : {}),
});
const classMeters = Object.fromEntries(CLASS_METERS.map((id) => [id, kWh(0.5)]));
const table = (r: TermReport, id: string) => reportTables(r).find((t) => t.id === id)!;

/** the demo campus with a main meter in the power room (配电房总表) */
function withMainMeter(): Campus {
  const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  doc.devices.push({ id: 'em-main', kind: 'electric_meter', name: '配电房总表', usage: 'campus', location: { building: 'utility', floor: 1, room: 'U-POWER' }, reportingIntervalS: 900 });
  return buildCampus(doc);
}

describe('a campus with a main meter, whose fridges and most water meters sent nothing', () => {
  let r: TermReport;
  beforeAll(async () => {
    r = await reportOf(withMainMeter(), { 'em-main': kWh(10, 50_000), ...classMeters, 'tr-main': phases('tr-main', 50), 'tr-sci': phases('tr-sci', 40), 'wm-main': (k) => ({ totalM3: 100 + 0.2 * k }) });
  });

  it('the electricity total is the main meter, and the summary and the totals table name it', () => {
    // 8 days of 96 readings from the day before: the week is 7 x 96 steps of 10 kWh
    expect(r.electricity.total.use.current).toBeCloseTo(7 * 96 * 10, 6);
    expect(r.electricity.total.deviceIds).toEqual(['em-main']);
    expect(r.electricity.totalSource).toBe('总表：配电房总表');
    expect(r.summary).toContain('全校用电 6,720 kWh（总表：配电房总表），日均 960 kWh');
    const totals = table(r, 'totals');
    expect(totals.rows.find((row) => row[0] === '用电')!.at(-1)).toBe('总表：配电房总表');
    expect(r.water.totalSource).toBe('总水表：校园总水表');
  });

  it('fridges that sent nothing: no "未发生温度超标", a 无数据 sentence, 无数据 in their table', () => {
    expect(r.summary).not.toContain('未发生温度超标');
    expect(r.summary).toContain('冷柜 5 台（冷藏柜1、冷藏柜2、冷冻柜1、冷冻柜2、留样柜）本期无温度数据，无法判断是否超温');
    const units = table(r, 'fridge-units');
    expect(units.rows.map((row) => row.at(-1))).toEqual(['无数据', '无数据', '无数据', '无数据', '无数据']);
    expect(units.rows.map((row) => row[6])).toEqual([null, null, null, null, null]); // hours beyond the limits: not known
    // an unreported defrost is learned by the detectors, not by hourly averages: the column does not claim to leave it out
    expect(units.columns[6]!.label).toBe('均温超限小时数（已上报的除霜除外）');
    expect(units.note).toContain('以“超标次数”（报修单，已按学习到的除霜规律排除除霜）为准');
  });

  it('water meters without data cannot be said to have no leak; the one with data is said to, with its coverage', () => {
    expect(r.summary).toContain('校园总水表（数据覆盖本期全部 7 天）未发现漏水');
    expect(r.summary).toContain('水表 7 台（食堂水表、学生公寓1层水表（男生）、');
    expect(r.summary).toContain('学生公寓6层水表（女生））本期无数据，无法判断是否漏水');
    expect(table(r, 'leaks').note).toContain('本期无数据的水表（无法判断是否漏水）：');
  });
});

describe('a campus without a main meter whose transformers sent no energy', () => {
  let r: TermReport;
  beforeAll(async () => {
    const tempC = (c: number, days = 8): Values => (_k, ts) => (ts < FROM + days * 86_400_000 ? { tempC: c, doorOpen: false } : undefined);
    // tr-main: load but no energy register; tr-sci: nothing; one fridge all week, one for its first 3 days (and the day before)
    r = await reportOf(loadCampus(DEMO_CAMPUS_FILE), { ...classMeters, 'em-sci': kWh(2), 'tr-main': phases('tr-main', 50), 'fr-chiller-1': tempC(4), 'fr-freezer-1': tempC(-20, 4) });
  });

  it('the total is the sum of the building meters, saying so and what it leaves out', () => {
    expect(r.electricity.total.use.current).toBeCloseTo(7 * 96 * (4 * 0.5 + 2), 6);
    // the class meters and em-sci sent, em-dorm, em-canteen and the 20 other class meters did not
    expect(r.electricity.totalSource).toBe('各楼分表 5 台合计（另有 22 台无数据），未含未单独计量的用电；1号主变压器 315kVA、2号变压器 80kVA（科技楼）本期无电能数据');
    expect(r.summary).toContain(`全校用电 2,688 kWh（${r.electricity.totalSource}），日均 384 kWh`);
    expect(table(r, 'totals').rows.find((row) => row[0] === '用电')!.at(-1)).toBe(r.electricity.totalSource);
  });

  it('a transformer without data is 无数据, not "未出现…超过额定 80%"', () => {
    expect(r.summary).not.toContain('各变压器负载均未出现');
    expect(r.summary).toContain('1号主变压器 315kVA（数据覆盖本期全部 7 天）未出现一周 3 个上课日以上峰值超过额定 80% 的情况');
    expect(r.summary).toContain('变压器 1 台（2号变压器 80kVA（科技楼））本期无负载数据，无法判断负载是否接近容量上限');
    expect(table(r, 'transformers').rows.find((row) => row[0] === '2号变压器 80kVA（科技楼）')!.slice(-2)).toEqual(['无数据', '无数据']);
  });

  it('fridges: said of each as far as its data goes', () => {
    expect(r.summary).toContain(
      '食堂冷柜：冷藏柜1（数据覆盖本期全部 7 天）未发生温度超标；冷冻柜1（3/7 天有数据）在有数据的日子里未发生温度超标；冷柜 3 台（冷藏柜2、冷冻柜2、留样柜）本期无温度数据，无法判断是否超温。',
    );
  });
});

describe('a campus whose second transformer sent no energy', () => {
  it('the total is the transformer that did, with the meters fed by the one that did not, named', async () => {
    const r = await reportOf(loadCampus(DEMO_CAMPUS_FILE), { ...classMeters, 'em-sci': kWh(2), 'tr-main': phases('tr-main', 50, (k) => 200_000 + 20 * k), 'tr-sci': phases('tr-sci', 40) });
    expect(r.electricity.totalFrom).toBe('transformer');
    expect(r.electricity.total.use.current).toBeCloseTo(7 * 96 * (20 + 2), 6);
    expect(r.electricity.totalSource).toBe('变压器计量：1号主变压器 315kVA；2号变压器 80kVA（科技楼）本期无电能数据，按其所带分表（科技楼总电表）计');
  });
});
