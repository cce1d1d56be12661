/**
 * The paragraph the office pastes into its 学期后勤工作总结: templated Chinese sentences filled
 * with the report's own figures (no model, nothing invented), one per section, in a fixed order.
 */
import { dailyChange, type Compared, type ResourceFigures } from './energy.ts';
import { competitionSentence } from './competition-summary.ts';
import { dateZh, durationZh, monthDayZh, num, pct } from './format.ts';
import type { Coverage } from './coverage.ts';
import type { TermReport } from './term-report.ts';
import { NEAR_CAPACITY_DAYS, NEAR_CAPACITY_PCT } from './transformers.ts';
import { spellText } from './near-capacity.ts';
import { deskParagraphs } from './repair-tables.ts';

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
  return parts.length ? parts.join('、') : '暂无往期数据可比';
}

/** "全校用电 4,665 kWh（总表：配电房总表），日均 222 kWh，较上学期下降 3.2%": the total says which meters it comes from. */
function resourceText(r: Figures, f: ResourceFigures, noun: string, digits: number): string {
  const total = f.total.use.current;
  if (total === null) return `全校${noun}本期无数据，无法统计`;
  return `全校${noun} ${num(total, digits)} ${f.unit}（${f.totalSource}），日均 ${num(total / r.period.days, digits)} ${f.unit}，${comparedText(r, f.total.use)}`;
}

interface Said {
  /** what the devices are: 冷柜, 水表 */
  noun: string;
  /** what may be said of a device whose data covers the days: 未发生温度超标 */
  what: string;
  /** what cannot be said of one without data: 无法判断是否超温 */
  unknown: string;
  /** the data it lacks: 温度 */
  data?: string;
  /** how many devices of the kind there are: `ids` may be the others than those already named (其余) */
  of: number;
}

/**
 * What may be said of some devices, by the days they sent data on: `what` of those with data on
 * every day of the period (saying so), `what` on the days they had data of those with some,
 * and of those with none that it cannot be said (never "no excursion" from no data).
 */
export function saidOf(c: Coverage, ids: readonly string[], said: Said): { known: string[]; unknown: string[] } {
  const days = (id: string) => c.byDevice[id]?.dataDays ?? 0;
  const names = (some: readonly string[]) => some.map((id) => c.byDevice[id]?.name ?? id).join('、');
  const full = ids.filter((id) => days(id) >= c.days);
  const some = ids.filter((id) => days(id) > 0 && days(id) < c.days);
  const none = ids.filter((id) => days(id) === 0);
  const known: string[] = [];
  if (full.length) {
    const whole = full.length === ids.length && ids.length > 1;
    const who = whole ? `${ids.length < said.of ? '其余' : '全部'} ${ids.length} 台${said.noun}` : names(full);
    known.push(`${who}（数据覆盖本期全部 ${c.days} 天）${said.what}`);
  }
  if (some.length) known.push(`${some.map((id) => `${names([id])}（${days(id)}/${c.days} 天有数据）`).join('、')}在有数据的日子里${said.what}`);
  return { known, unknown: none.length ? [`${said.noun} ${none.length} 台（${names(none)}）本期无${said.data ?? ''}数据，${said.unknown}`] : [] };
}

const all = (s: { known: string[]; unknown: string[] }) => [...s.known, ...s.unknown];

/** The transformers: what their load says of their capacity, each as far as its data goes. */
export function capacityText(r: Pick<Figures, 'transformers' | 'coverage'>): string[] {
  const near = r.transformers.filter((x) => x.nearCapacitySpells.length);
  return [
    ...near.map(
      (x) =>
        `${x.name}有 ${x.nearCapacitySpells.length} 段时间（${x.nearCapacitySpells.map(spellText).join('、')}）峰值负载超过额定的 ${NEAR_CAPACITY_PCT}%，接近容量上限，建议评估增容或调整负荷`,
    ),
    ...all(
      saidOf(
        r.coverage,
        r.transformers.filter((x) => !near.includes(x)).map((x) => x.deviceId),
        {
          of: r.transformers.length,
          noun: '变压器',
          what: `未出现一周 ${NEAR_CAPACITY_DAYS} 个上课日以上峰值超过额定 ${NEAR_CAPACITY_PCT}% 的情况`,
          unknown: '无法判断负载是否接近容量上限',
          data: '负载',
        },
      ),
    ),
  ];
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

  // people's requests and the detectors' tickets, with response, repair, overdue, cost and rating
  out.push(tickets.total.count ? deskParagraphs(r).text : '本期未生成报修单。');

  const meters = (kind: string) => Object.keys(coverage.byDevice).filter((id) => coverage.byDevice[id]!.kind === kind);
  const leaking = new Set(leaks.map((l) => l.deviceId));
  const noLeak = saidOf(
    coverage,
    meters('water_meter').filter((id) => !leaking.has(id)),
    { noun: '水表', what: '未发现漏水', unknown: '无法判断是否漏水', of: meters('water_meter').length },
  );
  if (leaks.length) {
    const wasted = leaks.reduce((s, l) => s + (l.wastedM3 ?? 0), 0);
    const places = [...new Set(leaks.map((l) => l.deviceName))].join('、');
    out.push(
      `及时发现漏水 ${leaks.length} 起（${places}），修复前估计漏失水量约 ${num(wasted, 1)} m³（约 ${num(wasted * r.tariffs.waterYuanPerM3, 0)} 元）${noLeak.unknown.map((t) => `；${t}`).join('')}。`,
    );
  } else if (all(noLeak).length) out.push(`${all(noLeak).join('；')}。`);

  const ex = fridges.excursions;
  const warm = new Set(ex.map((e) => e.deviceId));
  const cold = saidOf(
    coverage,
    fridges.units.filter((u) => !warm.has(u.deviceId)).map((u) => u.deviceId),
    { noun: '冷柜', what: '未发生温度超标', unknown: '无法判断是否超温', data: '温度', of: fridges.units.length },
  );
  if (ex.length) {
    const longest = ex.reduce((a, b) => (b.minutes > a.minutes ? b : a));
    out.push(
      `食堂冷链温度超标 ${ex.length} 次，食品超温累计 ${durationZh(ex.reduce((s, e) => s + e.minutes, 0))}，最长一次为${longest.deviceName} ${durationZh(longest.minutes)}（${monthDayZh(longest.date)}）${all(
        cold,
      )
        .map((t) => `；${t}`)
        .join('')}。`,
    );
  } else if (all(cold).length) out.push(`食堂冷柜：${all(cold).join('；')}。`);

  if (transformers.length) {
    const peaks = transformers
      .filter((x) => x.peakPct !== null)
      .map((x) => `${x.name} ${num(x.peakPct, 0)}%（${monthDayZh(x.peakDate!)}）`)
      .join('、');
    const capacity = capacityText(r).join('；');
    out.push(peaks ? `变压器最大负载率（最大相电流 / 额定电流）：${peaks}；${capacity}。` : `${capacity}。`);
  }

  // a paragraph to paste: name a few gaps, count the rest (the coverage table lists them all)
  const shown = coverage.issues.slice(0, MAX_COVERAGE_NAMED).map((i) => i.text);
  const more = coverage.issues.length - shown.length;
  if (more > 0) shown.push(`另有 ${more} 台设备数据不全，详见“数据覆盖”表`);
  out.push(shown.length ? `数据说明：${shown.join('；')}。` : `数据说明：全部 ${coverage.devices} 台设备在本期内数据完整。`);
  return out.join('');
}
