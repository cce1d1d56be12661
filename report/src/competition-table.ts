/**
 * The report's competition table: each competition of the period with its 先进班级 (or why it has
 * none), their saving and the baseline each was judged on (kind and dates).
 */
import type { TermReport } from './report.ts';
import { n, text, type ReportTable } from './columns.ts';
import { baselineText, verdictZh } from './competition-summary.ts';

export function competitionTable(r: TermReport): ReportTable {
  return {
    id: 'competitions',
    section: 'competitions',
    title: '节能评比与先进班级',
    columns: [text('评比'), text('类别'), text('时段'), n('名次'), text('班级'), n('节约率（%）', 1), n('人均日用量', 3), n('节约金额（元）', 0), text('说明')],
    rows: r.competitions.flatMap((c) => {
      const head = [c.name, c.resource === 'electricity' ? '节电' : '节水', `${c.from} 至 ${c.to}`];
      const winners = c.result.classes.filter((k) => c.result.winners.includes(k.classId));
      if (!winners.length) {
        const why = c.result.note ?? verdictZh(c.result);
        return [[...head, null, null, null, null, null, c.result.nobodySaved ? `${why}；${baselineText(c.result)}` : why]];
      }
      return winners.map((k) => [...head, k.rank, k.name, k.savingPct, k.perStudentPerDay, k.moneySavedYuan, baselineText(c.result, k.basis)]);
    }),
  };
}
