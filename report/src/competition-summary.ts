/**
 * The summary paragraph's sentence on the period's competitions and their 先进班级 ('' when there
 * is nothing to say).
 */
import { monthDayZh, num } from './format.ts';
import type { TermReport } from './term-report.ts';

export function competitionSentence(r: Omit<TermReport, 'summary'>): string {
  const won = r.competitions.filter((c) => c.result.winners.length);
  if (won.length) {
    const names = (c: (typeof won)[number]) => c.result.winners.map((id) => c.result.classes.find((k) => k.classId === id)!.name).join('、');
    return `开展节能评比 ${won.length} 项：${won.map((c) => `“${c.name}”（${monthDayZh(c.from)}—${monthDayZh(c.to)}）先进班级为${names(c)}，节约${c.resource === 'electricity' ? '电' : '水'}费约 ${num(c.result.totalSavedYuan, 0)} 元`).join('；')}。`;
  }
  return '';
}
