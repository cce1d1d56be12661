/**
 * What the term report says about the period's competitions: the summary paragraph's sentence
 * ('' when there is nothing to say), the verdict when there is no 先进班级, and the baseline a
 * result was judged on (kind and dates), as the table prints them.
 */
import { monthDayZh, num, pct } from './format.ts';
import type { BaselineKind, CompetitionResult } from './competition.ts';
import type { TermReport } from './term-report.ts';

const used = (r: CompetitionResult) => (r.resource === 'electricity' ? '用电' : '用水');

function kindText(r: CompetitionResult, kind: BaselineKind): string {
  if (kind === 'year_earlier') return `去年同期 ${r.yearEarlier.from} 至 ${r.yearEarlier.to}（${r.yearEarlier.days.length} 个上课日）`;
  const trend = r.schoolRatio === null ? '' : `，按全校同期${used(r)}变化 ${pct(r.schoolRatio - 1)} 校正`;
  return `评比前 ${r.baseline.from} 至 ${r.baseline.to}（${r.baseline.days.length} 个上课日）${trend}`;
}

/** The baseline one class (`kind`) or every ranked class of the result was judged on. */
export function baselineText(r: CompetitionResult, kind?: BaselineKind): string {
  if (kind) return `基线：${kindText(r, kind)}`;
  const kinds = (['year_earlier', 'school_trend'] as const).filter((k) => r.bases[k] > 0);
  if (kinds.length === 1) return `基线：${kindText(r, kinds[0]!)}`;
  return `基线：${kinds.map((k) => `${r.bases[k]} 个班为${kindText(r, k)}`).join('；')}`;
}

/** Why a result names no 先进班级, plainly. */
export function verdictZh(r: CompetitionResult): string {
  if (r.nobodySaved) return `本期各班${used(r)}均未低于基线，不评先进班级`;
  return r.note ?? '无有效排名';
}

/** Money as said in a sentence: never a negative saving. */
const moneyZh = (r: CompetitionResult, yuan: number, who: string) => {
  const fee = r.resource === 'electricity' ? '电费' : '水费';
  if (Math.round(yuan) > 0) return `，${who}比基线节约${fee}约 ${num(yuan, 0)} 元`;
  if (Math.round(yuan) < 0) return `，${who}比基线多用${fee}约 ${num(-yuan, 0)} 元`;
  return '';
};

export function competitionSentence(r: Omit<TermReport, 'summary'>): string {
  const held = r.competitions.filter((c) => c.result.winners.length || c.result.nobodySaved);
  if (!held.length) return '';
  const one = ({ name, from, to, result }: (typeof held)[number]) => {
    const head = `“${name}”（${monthDayZh(from)}—${monthDayZh(to)}）`;
    if (!result.winners.length) return `${head}${verdictZh(result)}${moneyZh(result, result.totalSavedYuan, '全校')}`;
    const names = result.winners.map((id) => result.classes.find((k) => k.classId === id)!.name).join('、');
    // what the school really paid more, the season included (taken out of the savings)
    const measured = result.bases.school_trend && Math.round(result.measuredSavedYuan) < 0 ? moneyZh(result, result.measuredSavedYuan, '全校实测') : '';
    return `${head}先进班级为${names}${moneyZh(result, result.winnersSavedYuan, '共')}（${baselineText(result)}）${measured}`;
  };
  return `开展节能评比 ${held.length} 项：${held.map(one).join('；')}。`;
}
