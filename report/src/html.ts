/**
 * The report as one printable HTML page in Chinese: A4 (@page), each chapter on a new page,
 * tables that keep their rows whole and repeat their header, charts as inline SVG (they print
 * with no script). Self-contained: the CLI writes it to a file; the dashboard serves it with a
 * Content Security Policy that allows exactly its one style block (by hash) and nothing else.
 */
import { createHash } from 'node:crypto';
import { dailyAverage } from './energy.ts';
import { dateZh, localDateTime, monthDayZh, num, pct } from './format.ts';
import type { TermReport } from './report.ts';
import { barGroups, columnChart, esc, lineChart } from './svg.ts';
import { reportTables, type Cell, type Column, type ReportTable, type SectionId } from './tables.ts';
import { tariffText } from './tariff.ts';
import { capacityText } from './summary.ts';
import { NEAR_CAPACITY_PCT } from './transformers.ts';
import { deskParagraphs, deskTable } from './repair-tables.ts';

/** where the campus total comes from, for a figure's label */
const FROM_ZH = { main: '总表', transformer: '变压器计量', sum: '各楼分表合计' } as const;

export const REPORT_CSS = `
@page { size: A4; margin: 14mm 13mm 16mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 10pt; line-height: 1.55; color: #111; }
main { max-width: 184mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #1f5fa8; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2mm; }
.chapter { break-before: page; }
.cover .subtitle { font-size: 15pt; margin: 0 0 4mm; }
.meta { color: #444; font-size: 9pt; }
.summary { border: 1pt solid #9db4d3; background: #f3f7fc; padding: 3mm 4mm; text-align: justify; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2.5mm; margin: 4mm 0; break-inside: avoid; }
.kpi { border: 0.75pt solid #bbb; padding: 2mm 3mm; }
.kpi b { display: block; font-size: 14pt; }
.kpi span { color: #555; font-size: 8.5pt; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; margin-bottom: 1mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 1.5mm; font-size: 8.5pt; }
caption { text-align: left; font-weight: bold; font-size: 10pt; padding: 2mm 0 1mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.5pt solid #999; padding: 0.8mm 1.5mm; vertical-align: top; }
th { background: #e8eef6; font-weight: bold; }
td:first-child { white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f5f5f5; }
td.empty { text-align: center; color: #666; }
.note { font-size: 8pt; color: #555; }
.issues li { margin-bottom: 1mm; }
.warn { color: #b03a3a; font-weight: bold; }
.toolbar { font-size: 10pt; background: #1f2d3d; color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.toolbar a { color: #cfe3ff; }
.toolbar form { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.toolbar select, .toolbar input, .toolbar button { font: inherit; }
.toolbar .files a { margin-right: 8px; }
@media screen {
  body { background: #dfe3e8; }
  main { background: #fff; padding: 14mm 13mm; margin: 16px auto; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.25); }
  .chapter { margin-top: 12mm; }
}
@media print { .toolbar { display: none; } }
`;

/** The CSP source for the page's style block. */
export const REPORT_STYLE_HASH = `'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'`;

function renderCell(v: Cell, c: Column): string {
  if (v === null) return `<td class="n">—</td>`;
  if (typeof v === 'number') return `<td class="n">${c.type === 'change' ? pct(v / 100, c.digits ?? 1) : num(v, c.digits ?? 0)}</td>`;
  return `<td>${esc(v)}</td>`;
}

export function renderTable(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${esc(c.label)}</th>`).join('');
  const total = t.totalRows ?? 0;
  const body = t.rows.length
    ? t.rows
        .map((row, i) => `<tr${i >= t.rows.length - total ? ' class="total"' : ''}>${row.map((v, k) => renderCell(v, t.columns[k]!)).join('')}</tr>`)
        .join('')
    : `<tr><td class="empty" colspan="${t.columns.length}">本期无</td></tr>`;
  return `<table id="t-${esc(t.id)}"><caption>${esc(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${
    t.note ? `<p class="note">${esc(t.note)}</p>` : ''
  }`;
}

export interface HtmlOptions {
  /** above the report on screen (the dashboard's form and download links); already HTML */
  toolbar?: string;
}

const page = (title: string, body: string, options: HtmlOptions) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${options.toolbar ?? ''}
<main>${body}</main>
</body>
</html>
`;

/** A page that says why there is no report (a term not started, dates the wrong way round). */
export function renderMessagePage(message: string, options: HtmlOptions = {}): string {
  return page('学期报告', `<h1>学期报告</h1><p class="warn" id="message">${esc(message)}</p>`, options);
}

export function renderReportHtml(r: TermReport, options: HtmlOptions = {}): string {
  const tables = reportTables(r);
  const section = (id: SectionId) =>
    tables
      .filter((t) => t.section === id)
      .map(renderTable)
      .join('');
  const { period, electricity: e, water: w } = r;
  const dayLabels = r.days.map((d) => d.date.slice(5));
  const muted = r.days.map((d) => d.type !== 'school_day');
  const title = `${r.site.name}${period.term ?? period.label}后勤工作数据报告`;
  const prev = period.term ? '上学期' : '上一时段';
  const buildingChart = (f: typeof e, noun: string) =>
    barGroups({
      title: `各楼日均${noun}`,
      unit: `${f.unit}/天`,
      series: ['本期', prev, '去年同期'],
      rows: [...f.buildings, ...(f.unmetered ? [f.unmetered] : [])].map((b) => ({
        label: b.name,
        values: [dailyAverage(b.use.current, period), dailyAverage(b.use.previous, period.previous), dailyAverage(b.use.lastYear, period.lastYear)],
      })),
    });
  const dailyChart = (f: typeof e, noun: string) =>
    columnChart({
      id: `daily-${f.resource}`,
      title: `每日全校${noun}`,
      unit: f.unit,
      labels: dayLabels,
      values: f.daily.map((d) => d.use),
      muted,
      estimated: f.daily.map((d) => d.estimated),
    });
  const kpi = (value: string, label: string) => `<div class="kpi"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const cost = (e.total.costYuan ?? 0) + (w.total.costYuan ?? 0);
  const wasted = r.leaks.reduce((s, l) => s + (l.wastedM3 ?? 0), 0);
  const near = r.transformers.filter((x) => x.nearCapacitySpells.length);
  // no count of leaks or excursions from devices that sent nothing
  const desk = deskParagraphs(r);
  const heard = (kind: string) => Object.values(r.coverage.byDevice).some((d) => d.kind === kind && d.dataDays > 0);

  const body = `
<section class="cover">
  <h1>${esc(r.site.name)}</h1>
  <p class="subtitle">${esc(period.term ?? period.label)} · 后勤工作数据报告</p>
  <p class="meta">统计时段：${dateZh(period.from)}至${dateZh(period.to)}（${period.days} 天，上课日 ${period.schoolDays} 天${
    period.termEnd ? `；学期至${dateZh(period.termEnd)}结束，尚在进行` : ''
  }）。生成时间：${esc(localDateTime(r.calendar, r.generatedAt))}。数据来源：设施监测系统的每小时 / 每日汇总数据（${esc(r.store === 'influx' ? 'InfluxDB' : 'SQLite')}）与报修单记录。</p>
  <h3>摘要（可直接粘贴到工作总结）</h3>
  <p class="summary" id="summary">${esc(r.summary)}</p>
  <div class="kpis">
    ${kpi(`${num(e.total.use.current, 0)} kWh`, `全校用电（${FROM_ZH[e.totalFrom]}；${prev}：${num(e.total.use.previous, 0)}）`)}
    ${kpi(`${num(w.total.use.current, 1)} m³`, `全校用水（${FROM_ZH[w.totalFrom]}；${prev}：${num(w.total.use.previous, 1)}）`)}
    ${kpi(`${num(cost, 0)} 元`, '水电费用')}
    ${kpi(`${r.tickets.total.count} 张`, `报修单（已办结 ${r.tickets.total.resolved} 张）`)}
    ${kpi(heard('water_meter') ? `${r.leaks.length} 起 / ${num(wasted, 1)} m³` : '无数据', '发现漏水 / 估算漏失水量')}
    ${kpi(heard('fridge') ? `${r.fridges.excursions.length} 次` : '无数据', '冷链温度超标')}
  </div>
  <h3>数据覆盖</h3>
  ${
    r.coverage.issues.length
      ? `<ul class="issues">${r.coverage.issues.map((i) => `<li>${esc(i.text)}</li>`).join('')}</ul><p class="note">其余 ${r.coverage.complete} 台设备数据完整。</p>`
      : `<p>全部 ${r.coverage.devices} 台设备在本期内数据完整。</p>`
  }
</section>

<section class="chapter" id="energy">
  <h2>一、用电与用水</h2>
  ${renderTable(tables.find((t) => t.id === 'totals')!)}
  <figure><figcaption>每日全校用电（kWh；浅色为周末、节假日，斜线为含估算的日子）</figcaption>${dailyChart(e, '用电')}</figure>
  <figure><figcaption>每日全校用水（m³）</figcaption>${dailyChart(w, '用水')}</figure>
  <figure><figcaption>各楼日均用电（kWh/天），与${prev}、去年同期对比</figcaption>${buildingChart(e, '用电')}</figure>
  <figure><figcaption>各楼日均用水（m³/天）</figcaption>${buildingChart(w, '用水')}</figure>
  ${tables
    .filter((t) => t.section === 'energy' && t.id !== 'totals')
    .map(renderTable)
    .join('')}
  <p class="note">逐日数据见 daily.csv。</p>
</section>

<section class="chapter" id="cost">
  <h2>二、水电费用</h2>
  <p>价格：${esc(tariffText(r.tariffs))}。</p>
  ${section('cost')}
  <h2 id="competitions">三、节能评比</h2>
  <p>评分方法：节约率 = 1 −（评比期平均功率 / 基线期平均功率），基线为评比开始前 10 个上课日；只计上课日，考试周不计；名次相同时以人均用量低者优先。</p>
  ${section('competitions')}
</section>

<section class="chapter" id="tickets">
  <h2>四、报修情况</h2>
  <p id="repairs-text">${esc(desk.text)}</p>
  ${tables.some((t) => t.id === 'repairs-by-trade') ? '' : renderTable(deskTable(r))}
  ${section('tickets')}
  <p class="note" id="repairs-note">${esc(desk.note)}确认、办结用时（下两表）从报修单生成时算起。维修台账（逐张）见 repair-log.csv。</p>
  <h2 id="leaks">五、漏水</h2>
  ${section('leaks')}
</section>

<section class="chapter" id="fridges">
  <h2>六、食堂冷链（食品安全）</h2>
  <p>限值：冷藏柜、留样柜 0～8 °C，冷冻柜不高于 −12 °C；超温时长自首次超限读数起至温度恢复止（除霜不计）。</p>
  ${section('fridges')}
  <h2 id="transformers">七、变压器负载</h2>
  ${r.transformers.length ? `<p${near.length ? ' class="warn"' : ''}>${esc(capacityText(r).join('；'))}。</p>` : ''}
  <figure><figcaption>各变压器每日峰值负载率（最大相电流 / 额定电流，%）</figcaption>${lineChart({
    title: '变压器每日峰值负载率',
    unit: '%',
    labels: dayLabels,
    series: r.transformers.map((x) => ({ label: x.name, values: x.daily.map((d) => d.peakPct) })),
    marks: [
      { value: NEAR_CAPACITY_PCT, label: `${NEAR_CAPACITY_PCT}%` },
      { value: 100, label: '100%' },
    ],
  })}</figure>
  ${section('transformers')}
  <h2 id="coverage">附：数据覆盖</h2>
  ${section('coverage')}
  <p class="note">本报告由设施监测系统根据汇总数据自动生成（${monthDayZh(period.to)}止，用时 ${(r.work.ms / 1000).toFixed(1)} 秒，查询 ${r.work.queries} 次）。</p>
</section>`;

  return page(title, body, options);
}
