/**
 * The hot spells of a transformer, as the near-capacity notice (transformer.near_capacity) judges
 * them: a spell holds on each day whose week (that day and the six before) has `days` school days
 * with a peak above the limit; a school day without data may have been hot, so it does not end a
 * spell that holds. Calendar weeks would split a spell from Thursday to Tuesday in two weeks of two
 * hot days each and report nothing, where the notice was raised once.
 */
import { addDays, monthDayZh } from './format.ts';

export interface HotSpell {
  /** the first and last hot school day of the spell */
  from: string;
  to: string;
  /** its hot school days */
  hotDays: number;
}

export function hotSpells(
  daily: readonly { date: string; peakPct: number | null }[],
  isSchoolDay: (date: string) => boolean,
  limitPct: number,
  days: number,
): HotSpell[] {
  const byDate = new Map(daily.map((d) => [d.date, d.peakPct]));
  const hot = (date: string) => isSchoolDay(date) && (byDate.get(date) ?? null) !== null && byDate.get(date)! > limitPct;
  const unknown = (date: string) => isSchoolDay(date) && byDate.has(date) && byDate.get(date) === null;
  const spells: HotSpell[] = [];
  let open: { hot: Set<string> } | null = null;
  for (const { date } of daily) {
    const week = Array.from({ length: 7 }, (_, i) => addDays(date, -i));
    const hotInWeek = week.filter(hot);
    const holds = hotInWeek.length >= days || (open !== null && hotInWeek.length + week.filter(unknown).length >= days);
    if (holds) {
      open ??= { hot: new Set() };
      for (const d of hotInWeek) open.hot.add(d);
    } else if (open) {
      spells.push(spellOf(open.hot));
      open = null;
    }
  }
  if (open) spells.push(spellOf(open.hot));
  return spells;
}

function spellOf(hot: Set<string>): HotSpell {
  const sorted = [...hot].sort();
  return { from: sorted[0]!, to: sorted.at(-1)!, hotDays: sorted.length };
}

/** "9月8日—9月12日（4 个上课日）" */
export function spellText(s: HotSpell): string {
  return `${s.from === s.to ? monthDayZh(s.from) : `${monthDayZh(s.from)}—${monthDayZh(s.to)}`}（${s.hotDays} 个上课日）`;
}
