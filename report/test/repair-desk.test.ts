/**
 * The repairs chapter of the term report (issue 19) on a real campus.db and the real TicketService:
 * a week in which teachers report five faults (one twice, one a duplicate the office merges), the
 * office triages, dispatches and the workers resolve with materials and cost, reporters rate, and
 * the detectors open two tickets. Every figure below is worked out by hand in the comments.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonReport } from '@campus/contract';
import { createLog, openDb } from '@campus/runtime';
import { raise, TicketService, TicketStore } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { tempDir } from '@campus/testkit';
import { buildReport, csvTables, renderReportHtml, toCsv, type TermReport } from '@campus/report';

const at = (local: string) => Date.parse(`${local}+08:00`);
const WEEK = { from: '2026-11-16', to: '2026-11-22' };
/** the report is made the Saturday after */
const NOW = at('2026-11-28T09:00');
const campus = loadCampus(DEMO_CAMPUS_FILE);
const dir = tempDir('report-repairs-');
let report: TermReport;

beforeAll(async () => {
  const db = openDb(join(dir.path, 'campus.db'));
  const clock = { now: 0 };
  let n = 0;
  const staff: Record<string, string> = { li: '李师傅', wang: '王师傅' };
  const svc = new TicketService(new TicketStore(db), [campus], createLog('test'), {
    now: () => clock.now,
    newToken: () => `token-${++n}-abcdefghijklmnopqrstuv`,
    staffName: (u) => staff[u],
  });
  const when = (local: string) => (clock.now = at(local));
  const request = (local: string, r: Partial<PersonReport>) => (when(local), svc.report({ siteId: 'dongnan', roomId: 'T-201', kind: 'water', text: '水龙头一直滴水', ...r }));
  const change = (id: number, local: string, c: Parameters<TicketService['change']>[1]) => svc.change(id, c, 'admin', { at: when(local), username: 'admin' });
  const act = (id: number, local: string, a: 'ack' | 'resolve', note?: string, extras: { materials?: string; costYuan?: number } = {}) =>
    svc.act(id, a, 'li', note, { at: when(local), ...extras });

  // before the week: not counted
  request('2026-11-15T15:00', { roomId: 'T-301', kind: 'furniture', text: '椅子坏了' });

  // A (water, 高一(1)班): reported twice; dispatched to li after 10 min, acknowledged, resolved after 120 min with 35.5 元; rated 5
  const a = request('2026-11-16T08:00', { reporterName: '王老师', reporterPhone: '13912345678' });
  change(a.ticketId, '2026-11-16T08:10', { kind: 'assign', to: 'li' });
  request('2026-11-16T08:20', { text: '还在滴' });
  act(a.ticketId, '2026-11-16T08:30', 'ack');
  act(a.ticketId, '2026-11-16T10:00', 'resolve', '换了阀芯', { materials: '水龙头阀芯 1 个', costYuan: 35.5 });
  when('2026-11-16T12:00');
  svc.reporterAct(a.trackingToken, { kind: 'confirm', rating: 5 });

  // B (electricity, 高一(2)班): made urgent (due 30 min after the report, 09:30); wang after 20 min; resolved 10:30 (late) with 120 元; rated 3
  const b = request('2026-11-16T09:00', { roomId: 'T-202', kind: 'electricity', text: '教室停电了' });
  change(b.ticketId, '2026-11-16T09:05', { kind: 'triage', severity: 'critical' });
  change(b.ticketId, '2026-11-16T09:20', { kind: 'assign', to: 'wang' });
  act(b.ticketId, '2026-11-16T10:30', 'resolve', '更换空开', { costYuan: 120 });
  when('2026-11-16T18:00');
  svc.reporterAct(b.trackingToken, { kind: 'confirm', rating: 3 });

  // C (door, 高一(3)班): nobody has taken it; due Wed 14:00, still open when the report is made: overdue
  request('2026-11-17T14:00', { roomId: 'T-203', kind: 'doors_windows', text: '门锁坏了' });

  // E (water, 高一(4)班) and F (a place written, the same fault): F merged into E; li after 40 min; resolved after 360 min, no cost said
  const e = request('2026-11-18T10:00', { roomId: 'T-204', text: '洗手池下水管漏水' });
  const f = request('2026-11-18T10:05', { roomId: null, place: '高一(4)班门口洗手池', text: '漏水' });
  change(f.ticketId, '2026-11-18T10:15', { kind: 'merge', into: e.ticketId });
  change(e.ticketId, '2026-11-18T10:40', { kind: 'assign', to: 'li' });
  act(e.ticketId, '2026-11-18T16:00', 'resolve', '更换下水管');

  // S1 (night flow on the dormitory's 4th floor): the office gives it until 09:00; acknowledged after 270 min, resolved 09:30 (late), 80 元
  const [s1] = svc.apply([
    raise('water.night_flow', 'wm-dorm-4', at('2026-11-17T03:00'), { severity: 'major', trade: 'plumber', category: 'repair', title: '夜间流量异常', summary: '夜间最小流量 150 L/h' }),
  ]);
  change(s1!.id, '2026-11-17T07:00', { kind: 'triage', dueAt: new Date(at('2026-11-17T09:00')).toISOString() });
  act(s1!.id, '2026-11-17T07:30', 'ack');
  act(s1!.id, '2026-11-17T09:30', 'resolve', '更换漏水阀门', { materials: '阀门', costYuan: 80 });

  // S2 (transformer overload): resolved 45 min after it opened, nobody acknowledged it first; no due time
  const [s2] = svc.apply([
    raise('transformer.overload', 'tr-sci', at('2026-11-19T11:00'), { severity: 'critical', trade: 'electrician', category: 'repair', title: '变压器过载', summary: '负载 115%' }),
  ]);
  act(s2!.id, '2026-11-19T11:45', 'resolve', '负载已转移');

  // after the week: not counted
  request('2026-11-23T08:00', { roomId: 'T-205', kind: 'multimedia', text: '投影仪不亮' });

  const store = new SqliteReadingStore(join(dir.path, 'readings.db'), { context: storeContext([campus]) });
  try {
    report = await buildReport({ campus, store, db, period: WEEK, now: NOW });
  } finally {
    store.close();
    db.close();
  }
});
afterAll(() => dir.remove());

const table = (id: string) => csvTables(report, campus).find((t) => t.id === id)!;

describe('the repairs chapter', () => {
  it('counts by trade, people and detectors apart, with response, repair, overdue, cost and rating', () => {
    const t = table('repairs-by-trade');
    expect(t.columns.map((c) => c.label)).toEqual([
      '工种',
      '维修申报（张）',
      '申报人次',
      '自动监测（张）',
      '合计（张）',
      '已办结',
      '响应用时中位数（分钟）',
      '修复用时中位数（分钟）',
      '超时 / 有处理时限',
      '超时占比（%）',
      '维修费用（元）',
      '平均评价（星）',
      '评价人数',
    ]);
    expect(t.rows).toEqual([
      // A, E, S1: response 10, 40, 270 -> 40; repair 120, 360, 390 -> 360; S1 late of 3 with a due time; 35.5 + 80
      ['水工', 2, 4, 1, 3, 3, 40, 360, '1 / 3', (1 / 3) * 100, 115.5, 5, 1],
      // B, S2: response 20, 45 -> 32.5; repair 90, 45 -> 67.5; B late; 120
      ['电工', 1, 1, 1, 2, 2, 32.5, 67.5, '1 / 1', 100, 120, 3, 1],
      // C: nothing yet, and past its due time
      ['木工', 1, 1, 0, 1, 0, '无数据', '无数据', '1 / 1', 100, '无数据', '无数据', 0],
      // A, B, C, E: response 10, 20, 40 -> 20; repair 120, 90, 360 -> 120; B and C late of 4; 35.5 + 120; (5 + 3) / 2
      ['维修申报合计', 4, 6, 0, 4, 3, 20, 120, '2 / 4', 50, 155.5, 4, 2],
      // S1, S2: response 270, 45; repair 390, 45; only S1 had a due time
      ['自动监测合计', 0, 0, 2, 2, 2, 157.5, 217.5, '1 / 1', 100, 80, '无数据', 0],
      // response 10, 20, 40, 45, 270 -> 40; repair 45, 90, 120, 360, 390 -> 120; 3 late of 5; 235.5 元
      ['全部合计', 4, 6, 2, 6, 5, 40, 120, '3 / 5', 60, 235.5, 4, 2],
    ]);
    expect(t.note).toBe('另有 1 张重复申报已合并到其他报修单，不另计（其申报人次计入合并后的报修单）。');
  });

  it('says the figures and what they mean on the page', () => {
    const html = renderReportHtml(report);
    expect(html).toContain(
      '<p id="repairs-text">本期共有报修单 6 张：师生维修申报 4 张（6 人次），自动监测发现 2 张；已办结 5 张；另有 1 张重复申报已合并，不另计。' +
        '响应用时中位数 40分钟（维修申报 20分钟，自动监测 2小时38分钟），修复用时中位数 2小时；有处理时限的 5 张中超时 3 张（60.0%）；' +
        '维修费用合计 235.50 元；申报人评价 平均 4.0 星（2 人评价）。</p>',
    );
    expect(html).toContain('响应用时：从报修（或系统生成报修单）起，到第一次有人接手止——确认、派工给维修工或维修工接单，取最早的一次');
    expect(html).toContain('<caption>维修申报与自动监测报修（按工种）</caption>');
    expect(html).toContain('<td>木工</td><td class="n">1</td><td class="n">1</td><td class="n">0</td><td class="n">1</td><td class="n">0</td><td>无数据</td>');
    // the old tables group people's requests by what they picked
    expect(table('tickets-by-condition').rows.map((r) => r[0])).toEqual(expect.arrayContaining(['维修申报：水', '维修申报：电', '维修申报：门窗']));
  });
});

describe('the repair log (维修台账) as CSV', () => {
  it('one row per ticket opened in the period, for Excel: BOM, CRLF, local times, no reporter phone', () => {
    const csv = toCsv(table('repair-log'));
    expect(csv.startsWith('\uFEFF单号,报修时间,来源,地点,类别 / 问题,标题,工种,优先级,状态,维修工,响应时间（确认或派工）,办结时间,应修好时间,超时,材料,费用（元）,评价（星）\r\n')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n').slice(1);
    // A, B, S1, C, E, F, S2 by opening
    expect(lines).toEqual([
      '2,2026-11-16 08:00,维修申报,高一(1)班教室,水,高一(1)班教室 · 水,水工,重要,已办结,李师傅,2026-11-16 08:10,2026-11-16 10:00,2026-11-17 08:00,否,水龙头阀芯 1 个,35.50,5',
      '3,2026-11-16 09:00,维修申报,高一(2)班教室,电,高一(2)班教室 · 电,电工,紧急,已办结,王师傅,2026-11-16 09:20,2026-11-16 10:30,2026-11-16 09:30,是,,120.00,3',
      `7,2026-11-17 03:00,自动监测,学生公寓 4层 学生公寓4层水表（女生）,夜间流量异常（疑似漏水）,夜间流量异常,水工,重要,已办结,,2026-11-17 07:30,2026-11-17 09:30,2026-11-17 09:00,是,阀门,80.00,`,
      '4,2026-11-17 14:00,维修申报,高一(3)班教室,门窗,高一(3)班教室 · 门窗,木工,重要,待处理,,,,2026-11-18 14:00,是,,,',
      '5,2026-11-18 10:00,维修申报,高一(4)班教室,水,高一(4)班教室 · 水,水工,重要,已办结,李师傅,2026-11-18 10:40,2026-11-18 16:00,2026-11-19 10:00,否,,,',
      '6,2026-11-18 10:05,维修申报,高一(4)班门口洗手池,水,高一(4)班门口洗手池 · 水,水工,重要,已合并到 #5,,2026-11-18 10:15,2026-11-18 10:15,2026-11-19 10:05,,,,',
      `8,2026-11-19 11:00,自动监测,后勤楼（配电房、水泵房） 1层 配电房 2号变压器 80kVA（科技楼）,变压器过载,变压器过载,电工,紧急,已办结,,2026-11-19 11:45,2026-11-19 11:45,,,,,`,
    ]);
    expect(csv).not.toContain('13912345678');
  });
});
