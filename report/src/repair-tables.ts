/**
 * The repairs chapter's tables: the desk by trade (repair-desk.ts's figures; on the page and as
 * CSV) and the repair log, one row per ticket opened in the period (CSV only: the office's
 * 维修台账 in Excel). Times in the site's zone; overdue as of when the report was made.
 */
import { REPORT_KIND_LABELS_ZH, SEVERITY_LABELS_ZH, STATUS_LABELS_ZH, TRADE_LABELS_ZH } from '@campus/contract';
import type { TicketRecord } from '@campus/repairs';
import type { Campus } from '@campus/site';
import { n, text, type Cell, type ReportTable } from './columns.ts';
import { durationZh, localDateTime, num } from './format.ts';
import { conditionLabel } from './labels.ts';
import { deskFigures, isOverdue, respondedAt, type DeskGroup } from './repair-desk.ts';
import type { TermReport } from './term-report.ts';

export const NO_DATA = '无数据';
export const SOURCE_LABELS_ZH = { person: '维修申报', sensor: '自动监测' } as const;

/** What the desk's figures need of a report (the summary paragraph has it before the report is whole). */
type DeskSource = Pick<TermReport, 'tickets' | 'generatedAt'>;

/** The desk's figures of a report: its tickets, overdue as of when it was made. */
export const reportDesk = (r: DeskSource) => deskFigures(r.tickets.records, r.generatedAt);

const or = (v: number | null): Cell => (v === null ? NO_DATA : v);

export function deskTable(r: TermReport): ReportTable {
  const d = reportDesk(r);
  const row = (g: DeskGroup): Cell[] => [
    g.label,
    g.person,
    g.reports,
    g.sensor,
    g.count,
    g.resolved,
    or(g.medianRespondMin),
    or(g.medianRepairMin),
    g.withDue ? `${g.overdue} / ${g.withDue}` : NO_DATA,
    or(g.overdueShare === null ? null : g.overdueShare * 100),
    or(g.costYuan),
    or(g.meanRating),
    g.rated,
  ];
  return {
    id: 'repairs-by-trade',
    section: 'tickets',
    title: '维修申报与自动监测报修（按工种）',
    columns: [
      text('工种'),
      n('维修申报（张）'),
      n('申报人次'),
      n('自动监测（张）'),
      n('合计（张）'),
      n('已办结'),
      n('响应用时中位数（分钟）', 0),
      n('修复用时中位数（分钟）', 0),
      text('超时 / 有处理时限'),
      n('超时占比（%）', 1),
      n('维修费用（元）', 2),
      n('平均评价（星）', 1),
      n('评价人数'),
    ],
    rows: [...d.byTrade, d.person, d.sensor, d.total].map(row),
    totalRows: 3,
    note: d.merged ? `另有 ${d.merged} 张重复申报已合并到其他报修单，不另计（其申报人次计入合并后的报修单）。` : undefined,
  };
}

/** Where a ticket is, in words: the request's place, or the device's building, floor, room and name (its id without the campus file). */
function placeOf(campus: Campus | undefined, t: TicketRecord): string {
  if (t.source === 'person') return t.place ?? t.subjectId;
  if (!campus) return t.subjectId;
  const d = campus.device(t.subjectId) ?? campus.gateways.find((g) => g.id === t.subjectId);
  if (!d) return t.subjectId;
  const building = campus.buildings.find((b) => b.id === d.location.building)?.name ?? d.location.building;
  const room = d.location.room ? (campus.rooms.find((x) => x.id === d.location.room)?.name ?? d.location.room) : null;
  const floor = d.location.floor === undefined ? null : `${d.location.floor}层`;
  return [building, floor, room, d.name].filter(Boolean).join(' ');
}

export function repairLogTable(r: TermReport, campus?: Campus): ReportTable {
  const time = (ts: number | null): Cell => (ts === null ? null : localDateTime(r.calendar, ts));
  const yesNo = (v: boolean | null): Cell => (v === null ? null : v ? '是' : '否');
  return {
    id: 'repair-log',
    section: 'tickets',
    title: '维修台账（本期报修单逐张）',
    columns: [
      text('单号'),
      text('报修时间'),
      text('来源'),
      text('地点'),
      text('类别 / 问题'),
      text('标题'),
      text('工种'),
      text('优先级'),
      text('状态'),
      text('维修工'),
      text('响应时间（确认或派工）'),
      text('办结时间'),
      text('应修好时间'),
      text('超时'),
      text('材料'),
      n('费用（元）', 2),
      n('评价（星）'),
    ],
    rows: r.tickets.records.map((t) => [
      String(t.id),
      time(t.openedAt),
      SOURCE_LABELS_ZH[t.source === 'person' ? 'person' : 'sensor'],
      placeOf(campus, t),
      t.source === 'person' && t.reportKind ? REPORT_KIND_LABELS_ZH[t.reportKind] : conditionLabel(t.condition, t.title),
      t.title,
      TRADE_LABELS_ZH[t.trade] ?? t.trade,
      SEVERITY_LABELS_ZH[t.severity],
      t.mergedInto !== null ? `已合并到 #${t.mergedInto}` : (STATUS_LABELS_ZH[t.status] ?? t.status),
      t.assigneeName ?? t.assignee,
      time(respondedAt(t)),
      time(t.status === 'resolved' ? t.resolvedAt : null),
      time(t.dueAt),
      yesNo(t.mergedInto !== null ? null : isOverdue(t, r.generatedAt)),
      t.resolutionMaterials,
      t.resolutionCostYuan,
      t.rating,
    ]),
  };
}

/** The repairs chapter's tables with a CSV each (the page shows the first only). */
export const repairTables = (r: TermReport, campus?: Campus): ReportTable[] => [deskTable(r), repairLogTable(r, campus)];

/** The chapter's text (fit for the summary paragraph too): the counts and the figures; and what each figure means. */
export function deskParagraphs(r: DeskSource): { text: string; note: string } {
  const { person, sensor, total, merged } = reportDesk(r);
  const dur = (m: number | null) => (m === null ? NO_DATA : durationZh(m));
  const text = [
    `本期共有报修单 ${total.count} 张：师生维修申报 ${person.count} 张（${person.reports} 人次），自动监测发现 ${sensor.count} 张；已办结 ${total.resolved} 张${merged ? `；另有 ${merged} 张重复申报已合并，不另计` : ''}。`,
    `响应用时中位数 ${dur(total.medianRespondMin)}（维修申报 ${dur(person.medianRespondMin)}，自动监测 ${dur(sensor.medianRespondMin)}），修复用时中位数 ${dur(total.medianRepairMin)}；`,
    total.withDue ? `有处理时限的 ${total.withDue} 张中超时 ${total.overdue} 张（${num((total.overdueShare ?? 0) * 100, 1)}%）；` : `超时：${NO_DATA}（无处理时限）；`,
    `维修费用合计 ${total.costYuan === null ? NO_DATA : `${num(total.costYuan, 2)} 元`}；`,
    `申报人评价 ${total.meanRating === null ? NO_DATA : `平均 ${num(total.meanRating, 1)} 星（${total.rated} 人评价）`}。`,
  ].join('');
  const note =
    '响应用时：从报修（或系统生成报修单）起，到第一次有人接手止——确认、派工给维修工或维修工接单，取最早的一次；未经接手直接办结的，算到办结。' +
    '修复用时：从报修到办结。超时：有处理时限的报修单（紧急 30 分钟、重要 24 小时、一般 7 天，总务处可调整）中，办结晚于时限的，或到报告生成时仍未办结且已过时限的。' +
    '维修费用为维修工办结时填写的金额之和；评价为申报人确认修复时给出的 1～5 星。';
  return { text, note };
}
