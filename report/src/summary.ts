/**
 * The paragraph the office pastes into its 学期后勤工作总结: templated Chinese sentences filled
 * with the report's own figures (no model, nothing invented), one per section, in a fixed order.
 */
import { SEVERITY_LABELS_ZH } from '@campus/contract';
import { dailyChange, type Compared, type ResourceFigures } from './energy.ts';
import { competitionSentence } from './competition-summary.ts';
import { dateZh, durationZh, monthDayZh, num, pct } from './format.ts';
import type { TermReport } from './term-report.ts';
import { NEAR_CAPACITY_PCT } from './transformers.ts';

type Figures = Omit<TermReport, 'summary'>;

/** "较上学期下降 3.2%、较去年同期上升 1.1%", on daily averages (terms differ in length). */
function comparedText(r: Figures, use: Compared): string {
  const { period } = r;
  const parts: string[] = [];
  const say = (ratio: number | null, against: string) => {
    if (ratio === null) return;
    parts.push(Math.abs(ratio) < 0.0005 ? `与${against}持平` : `较${against}${ratio < 0 ? '下降' : '上升'} ${pct(Math.abs(ratio)).replace('+', '')}`);
  };
  say(dailyChange(use, period, 'previous'), period.term ? '上学期' : '上一时段');
  say(dailyChange(use, period, 'lastYear'), '去年同期');
  return parts.length ? `日均${parts.join('、')}` : '暂无往期数据可比';
}

function resourceText(r: Figures, f: ResourceFigures, noun: string, digits: number): string {
  const total = f.total.use.current;
  if (total === null) return `${noun}本期没有数据`;
  return `全校${noun} ${num(total, digits)} ${f.unit}（日均 ${num(total / r.period.days, digits)} ${f.unit}），${comparedText(r, f.total.use)}`;
}

/** gaps named one by one in the summary paragraph; the rest are counted */
const MAX_COVERAGE_NAMED = 3;

export function summaryText(r: Figures): string {
  const { period, electricity, water, tickets, leaks, fridges, transformers, coverage } = r;
  const out: string[] = [];
  const until = period.termEnd ? `，截至${dateZh(period.to)}` : '';
  out.push(
    `${r.site.name}${period.term ?? ''}（${dateZh(period.from)}至${dateZh(period.to)}${until}，共 ${period.days} 天，其中上课日 ${period.schoolDays} 天）后勤运行情况如下。`,
  );
  out.push(`${resourceText(r, electricity, '用电', 0)}；${resourceText(r, water, '用水', 1)}。`);

  const eCost = electricity.total.costYuan;
  const wCost = water.total.costYuan;
  if (eCost !== null || wCost !== null) {
    const bands = electricity.total.bands;
    const kwh = electricity.total.use.current ?? 0;
    const tou = r.tariffs.peak || r.tariffs.valley;
    const share = tou && bands && kwh > 0 ? `，其中峰时用电占 ${num((bands.peak / kwh) * 100, 1)}%、谷时占 ${num((bands.valley / kwh) * 100, 1)}%` : '';
    out.push(
      `按现行${tou ? '峰谷分时' : ''}电价和水价计，${[eCost !== null ? `电费约 ${num(eCost, 0)} 元${share}` : '', wCost !== null ? `水费约 ${num(wCost, 0)} 元` : ''].filter(Boolean).join('，')}${eCost !== null && wCost !== null ? `，合计约 ${num(eCost + wCost, 0)} 元` : ''}。`,
    );
  }

  const competitions = competitionSentence(r);
  if (competitions) out.push(competitions);

  const t = tickets.total;
  if (t.count) {
    const sev = (['critical', 'major'] as const)
      .filter((s) => t.bySeverity[s])
      .map((s) => `${SEVERITY_LABELS_ZH[s]} ${t.bySeverity[s]} 张`)
      .join('、');
    const ack = t.medianAckMin === null ? '' : `，确认用时中位数 ${durationZh(t.medianAckMin)}`;
    const res = t.medianResolveMin === null ? '' : `，办结用时中位数 ${durationZh(t.medianResolveMin)}`;
    out.push(`系统自动生成报修单 ${t.count} 张${sev ? `（其中${sev}）` : ''}，已办结 ${t.resolved} 张${ack}${res}。`);
  } else out.push('本期未生成报修单。');

  if (leaks.length) {
    const wasted = leaks.reduce((s, l) => s + (l.wastedM3 ?? 0), 0);
    const places = [...new Set(leaks.map((l) => l.deviceName))].join('、');
    out.push(`及时发现漏水 ${leaks.length} 起（${places}），修复前估计漏失水量约 ${num(wasted, 1)} m³（约 ${num(wasted * r.tariffs.waterYuanPerM3, 0)} 元）。`);
  }

  const ex = fridges.excursions;
  if (ex.length) {
    const longest = ex.reduce((a, b) => (b.minutes > a.minutes ? b : a));
    out.push(
      `食堂冷链温度超标 ${ex.length} 次，食品超温累计 ${durationZh(ex.reduce((s, e) => s + e.minutes, 0))}，最长一次为${longest.deviceName} ${durationZh(longest.minutes)}（${monthDayZh(longest.date)}）。`,
    );
  } else if (fridges.units.length) out.push('食堂冷柜未发生温度超标。');

  if (transformers.length) {
    const peaks = transformers
      .filter((x) => x.peakPct !== null)
      .map((x) => `${x.name} ${num(x.peakPct, 0)}%（${monthDayZh(x.peakDate!)}）`)
      .join('、');
    const near = transformers.filter((x) => x.nearCapacityWeeks.length);
    const nearText = near.length
      ? `；${near.map((x) => `${x.name}有 ${x.nearCapacityWeeks.length} 周（共 ${x.schoolDaysOver80} 个上课日）峰值负载超过额定的 ${NEAR_CAPACITY_PCT}%`).join('，')}，接近容量上限，建议评估增容或调整负荷`
      : `；各变压器负载均未出现一周 3 天以上超过额定 ${NEAR_CAPACITY_PCT}% 的情况`;
    if (peaks) out.push(`变压器最大负载率（最大相电流 / 额定电流）：${peaks}${nearText}。`);
  }

  // a paragraph to paste: name a few gaps, count the rest (the coverage table lists them all)
  const shown = coverage.issues.slice(0, MAX_COVERAGE_NAMED).map((i) => i.text);
  const more = coverage.issues.length - shown.length;
  if (more > 0) shown.push(`另有 ${more} 台设备数据不全，详见“数据覆盖”表`);
  out.push(shown.length ? `数据说明：${shown.join('；')}。` : `数据说明：全部 ${coverage.devices} 台设备在本期内数据完整。`);
  return out.join('');
}
