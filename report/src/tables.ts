/**
 * Every table of the report, once: the HTML page shows them (html.ts) and each is also a CSV file
 * (csv.ts) with the same rows. Cells hold raw numbers; a column says how many decimals it shows.
 */
import { SEVERITY_LABELS_ZH, STATUS_LABELS_ZH } from '@campus/contract';
import { dailyChange, type Compared, type ResourceFigures, type UseGroup } from './energy.ts';
import { daysText } from './coverage.ts';
import { localDateTime } from './format.ts';
import { spellText } from './near-capacity.ts';
import { FRIDGE_CLASS_ZH } from './fridges.ts';
import type { TermReport } from './report.ts';
import { chg, n, text, type Cell, type ReportTable } from './columns.ts';
import { competitionTable } from './competition-table.ts';
import { BAND_LABELS_ZH, BANDS, bandPrice } from './tariff.ts';
import type { TicketGroup } from './tickets.ts';

export type { Cell, Column, ReportTable, SectionId } from './columns.ts';

/** Change of the daily average, in %. */
const pctChange = (r: TermReport, use: Compared, against: 'previous' | 'lastYear'): number | null => {
  const c = dailyChange(use, r.period, against);
  return c === null ? null : c * 100;
};

const prevLabel = (r: TermReport) => (r.period.term ? '上学期' : '上一时段');

function useTable(r: TermReport, f: ResourceFigures, id: string, title: string, groups: UseGroup[], withTotals: boolean): ReportTable {
  const digits = f.resource === 'electricity' ? 1 : 2;
  const classes = groups.some((g) => g.students !== undefined);
  const row = (g: UseGroup): Cell[] => [
    g.estimated ? `${g.name}（含估算）` : g.name,
    ...(classes ? [g.students ?? null, g.use.current !== null && g.students ? g.use.current / g.students : null] : []),
    g.use.current,
    g.use.previous,
    g.use.lastYear,
    pctChange(r, g.use, 'previous'),
    pctChange(r, g.use, 'lastYear'),
    g.costYuan,
  ];
  const rows = groups.map(row);
  if (withTotals) {
    if (f.unmetered) rows.push(row(f.unmetered));
    rows.push(row({ ...f.total, name: '全校合计' }));
  }
  return {
    id,
    section: 'energy',
    title,
    columns: [
      text(classes ? '班级' : '楼宇'),
      ...(classes ? [n('学生数'), n(`人均（${f.unit}/人）`, digits)] : []),
      n(`本期（${f.unit}）`, digits),
      n(`${prevLabel(r)}（${f.unit}）`, digits),
      n(`去年同期（${f.unit}）`, digits),
      chg(`日均较${prevLabel(r)}（%）`),
      chg('日均较去年同期（%）'),
      n(`${f.resource === 'electricity' ? '电' : '水'}费（元）`, 0),
    ],
    rows,
    totalRows: withTotals ? (f.unmetered ? 2 : 1) : 0,
  };
}

function ticketTable(id: string, title: string, first: string, groups: TicketGroup[], total: TicketGroup): ReportTable {
  const row = (g: TicketGroup): Cell[] => [
    g.label,
    g.count,
    g.bySeverity.critical,
    g.bySeverity.major,
    g.bySeverity.minor,
    g.bySeverity.info,
    g.resolved,
    g.medianAckMin,
    g.medianResolveMin,
  ];
  return {
    id,
    section: 'tickets',
    title,
    columns: [
      text(first),
      n('报修单数'),
      n(SEVERITY_LABELS_ZH.critical),
      n(SEVERITY_LABELS_ZH.major),
      n(SEVERITY_LABELS_ZH.minor),
      n(SEVERITY_LABELS_ZH.info),
      n('已办结'),
      n('确认用时中位数（分钟）', 0),
      n('办结用时中位数（分钟）', 0),
    ],
    rows: [...groups.map(row), row(total)],
    totalRows: 1,
  };
}

/** "本期无数据的水表（无法判断是否漏水）：…。" when there are such */
function silentMeters(r: TermReport): string {
  const silent = Object.values(r.coverage.byDevice).filter((d) => d.kind === 'water_meter' && d.dataDays === 0);
  return silent.length ? `本期无数据的水表（无法判断是否漏水）：${silent.map((d) => d.name).join('、')}。` : '';
}

export function reportTables(r: TermReport): ReportTable[] {
  const at = (ts: number) => localDateTime(r.calendar, ts);
  const { electricity: e, water: w } = r;
  const tables: ReportTable[] = [];

  tables.push({
    id: 'totals',
    section: 'energy',
    title: '全校用电用水总量',
    columns: [
      text('项目'),
      text('单位'),
      n('本期', 1),
      n(prevLabel(r), 1),
      n('去年同期', 1),
      chg(`日均较${prevLabel(r)}（%）`),
      chg('日均较去年同期（%）'),
      text('计量来源'),
    ],
    rows: [e, w].map((f) => [
      f.resource === 'electricity' ? '用电' : '用水',
      f.unit,
      f.total.use.current,
      f.total.use.previous,
      f.total.use.lastYear,
      pctChange(r, f.total.use, 'previous'),
      pctChange(r, f.total.use, 'lastYear'),
      f.totalSource,
    ]),
    note: [
      `本期：${r.period.from} 至 ${r.period.to}（${r.period.days} 天）`,
      r.period.previous ? `${prevLabel(r)}：${r.period.previous.label}，${r.period.previous.from} 至 ${r.period.previous.to}` : `${prevLabel(r)}：无`,
      r.period.lastYear ? `去年同期：${r.period.lastYear.label}，${r.period.lastYear.from} 至 ${r.period.lastYear.to}` : '去年同期：无',
    ].join('；'),
  });
  tables.push(useTable(r, e, 'electricity-buildings', '各楼用电', e.buildings, true));
  tables.push(useTable(r, w, 'water-buildings', '各楼用水', w.buildings, true));
  if (e.classes.length) tables.push(useTable(r, e, 'electricity-classes', '各班用电（教室分表）', e.classes, false));
  if (w.classes.length) tables.push(useTable(r, w, 'water-classes', '各班用水', w.classes, false));

  const bands = e.total.bands ?? { peak: 0, flat: e.total.use.current ?? 0, valley: 0 };
  const tou = Boolean(r.tariffs.peak || r.tariffs.valley);
  const costRows: Cell[][] = (tou ? BANDS : (['flat'] as const)).map((b) => [
    tou ? `用电（${BAND_LABELS_ZH[b]}）` : '用电',
    bands[b],
    'kWh',
    bandPrice(r.tariffs, b),
    bands[b] * bandPrice(r.tariffs, b),
  ]);
  costRows.push(['用水', w.total.use.current, 'm³', r.tariffs.waterYuanPerM3, w.total.costYuan]);
  costRows.push(['合计', null, null, null, (e.total.costYuan ?? 0) + (w.total.costYuan ?? 0)]);
  tables.push({
    id: 'cost',
    section: 'cost',
    title: '水电费用（按校园文件中的价格）',
    columns: [text('项目'), n('用量', 1), text('单位'), n('单价（元）', 2), n('金额（元）', 0)],
    rows: costRows,
    totalRows: 1,
  });

  tables.push(competitionTable(r));

  tables.push(ticketTable('tickets-by-condition', '报修单（按问题类型）', '问题类型', r.tickets.byCondition, r.tickets.total));
  tables.push(ticketTable('tickets-by-trade', '报修单（按工种）', '工种', r.tickets.byTrade, r.tickets.total));

  const endedBy = { resolved: '修复办结', cleared: '条件消除', open: '未结束' };
  tables.push({
    id: 'leaks',
    section: 'leaks',
    title: '漏水与漏失水量估算',
    columns: [
      text('报修单号'),
      text('水表'),
      text('类型'),
      text('报修时间'),
      text('结束时间'),
      text('结束'),
      n('持续（小时）', 1),
      n('漏水速率（m³/h）', 3),
      n('估算漏失水量（m³）', 2),
      n('折合水费（元）', 0),
    ],
    rows: r.leaks.map((l) => [
      l.ticketIds.join('、'),
      l.deviceName,
      l.label,
      at(l.openedAt),
      at(l.endedAt),
      endedBy[l.endedBy],
      l.hours,
      l.rateM3h,
      l.wastedM3,
      l.costYuan,
    ]),
    note: `${silentMeters(r)}同一水表同一时段的多张报修单计为一起；总水表与下游分表同时报警时按分表计。漏失水量：漏水跨夜时，按夜间（02:00–04:00）每小时用水比前 14 天中位数的增量 × 持续小时数；否则按各小时用水超出前 14 天同时段中位数之和。`,
  });

  tables.push({
    id: 'fridge-excursions',
    section: 'fridges',
    title: '冷链温度超标',
    columns: [n('报修单号'), text('冷柜'), text('开始超温'), text('恢复'), n('超温时长（分钟）', 0), n('最高 / 最低温度（°C）', 1), text('级别'), text('状态')],
    rows: r.fridges.excursions.map((x) => [
      x.ticketId,
      x.deviceName,
      at(x.since),
      at(x.until),
      x.minutes,
      x.peakC,
      SEVERITY_LABELS_ZH[x.severity],
      STATUS_LABELS_ZH[x.status],
    ]),
  });
  tables.push({
    id: 'fridge-units',
    section: 'fridges',
    title: '各冷柜温度（小时均温）',
    columns: [
      text('冷柜'),
      text('类别'),
      text('限值（°C）'),
      n('平均（°C）', 1),
      n('小时均温最低', 1),
      n('小时均温最高', 1),
      n('均温超限小时数（已上报的除霜除外）'),
      n('超标次数'),
      n('超温累计（分钟）', 0),
      text('有温度数据的天数'),
    ],
    // a unit without data: its hours beyond the limits are not known to be none
    rows: r.fridges.units.map((u) => [
      u.name,
      FRIDGE_CLASS_ZH[u.fridgeClass],
      u.limits.min !== undefined ? `${u.limits.min}～${u.limits.max}` : `≤ ${u.limits.max}`,
      u.meanC,
      u.minHourC,
      u.maxHourC,
      u.hours ? u.hoursOutOfRange : null,
      u.excursions,
      u.excursionMinutes,
      u.hours ? daysText(r.coverage, u.deviceId) : '无数据',
    ]),
    // the detectors learn an unreported defrost from the temperature; the hourly averages cannot
    note: '不上报除霜状态的冷柜，除霜所在小时的均温也可能超限；食品是否超温以“超标次数”（报修单，已按学习到的除霜规律排除除霜）为准',
  });

  tables.push({
    id: 'transformers',
    section: 'transformers',
    title: '变压器峰值负载（最大相电流 / 额定电流）',
    columns: [
      text('变压器'),
      n('额定容量（kVA）'),
      n('额定电流（A）', 0),
      n('最大负载率（%）', 1),
      text('出现日期'),
      n('日峰值平均（%）', 1),
      n('超过 80% 的上课日'),
      n('超过 100% 的天数'),
      text('接近容量上限的时段（滚动一周内 3 个上课日超过 80%）'),
      text('有负载数据的天数'),
    ],
    rows: r.transformers.map((x) => [
      x.name,
      x.ratedKVA,
      x.ratedA,
      x.peakPct,
      x.peakDate,
      x.meanDailyPeakPct,
      x.peakPct === null ? null : x.schoolDaysOver80,
      x.peakPct === null ? null : x.daysOver100,
      x.peakPct === null ? '无数据' : x.nearCapacitySpells.map(spellText).join('、') || '无',
      x.peakPct === null ? '无数据' : daysText(r.coverage, x.deviceId),
    ]),
  });

  tables.push({
    id: 'coverage',
    section: 'coverage',
    title: '数据覆盖情况',
    columns: [text('设备'), text('名称'), n('离线天数'), n('数据不全天数'), text('说明')],
    rows: r.coverage.issues.map((i) => [i.deviceId, i.name, i.missingDays.length, i.partialDays.length, i.text]),
    note: `共 ${r.coverage.devices} 台设备，${r.coverage.complete} 台数据完整。`,
  });

  const dayType = { school_day: '上课日', weekend: '周末', holiday: '节假日', vacation: '假期' } as const;
  tables.push({
    id: 'daily',
    section: 'daily',
    title: '每日用电用水（全校）',
    columns: [text('日期'), text('类型'), n('用电（kWh）', 1), n('用水（m³）', 2), text('说明')],
    rows: r.days.map((d, i) => {
      const eDay = e.daily[i]!;
      const wDay = w.daily[i]!;
      return [d.date, dayType[d.type], eDay.use, wDay.use, eDay.estimated || wDay.estimated ? '含估算' : ''];
    }),
  });
  return tables;
}
