/** Hot spells counted as the near-capacity notice counts them: a rolling week, not calendar weeks. */
import { describe, expect, it } from 'vitest';
import { hotSpells, spellText } from '../src/near-capacity.ts';
import { addDays, datesFrom } from '../src/format.ts';

const weekday = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
const days = (hot: Record<string, number | null>) => datesFrom('2026-09-01', '2026-10-31').map((date) => ({ date, peakPct: date in hot ? hot[date]! : 50 }));

describe('hot spells of a transformer', () => {
  it('a spell from Thursday to Tuesday is one spell (calendar weeks would hold two hot days each, and none)', () => {
    const spells = hotSpells(days({ '2026-09-10': 85, '2026-09-11': 90, '2026-09-14': 88, '2026-09-15': 84 }), weekday, 80, 3);
    expect(spells).toEqual([{ from: '2026-09-10', to: '2026-09-15', hotDays: 4 }]);
    expect(spellText(spells[0]!)).toBe('9月10日—9月15日（4 个上课日）');
  });

  it('two hot weeks apart are two spells; two hot days in a week are none; a weekend peak does not count', () => {
    const hot: Record<string, number> = {};
    for (const d of ['2026-09-07', '2026-09-08', '2026-09-09']) hot[d] = 85;
    for (const d of ['2026-10-12', '2026-10-14', '2026-10-16']) hot[d] = 95;
    hot['2026-09-22'] = hot['2026-09-23'] = 99; // two only
    hot['2026-09-26'] = 99; // a Saturday
    expect(hotSpells(days(hot), weekday, 80, 3).map((s) => [s.from, s.to, s.hotDays])).toEqual([
      ['2026-09-07', '2026-09-09', 3],
      ['2026-10-12', '2026-10-16', 3],
    ]);
  });

  it('a school day without data does not end a spell that holds, and cannot open one', () => {
    const hot: Record<string, number | null> = { '2026-09-07': 85, '2026-09-08': 85, '2026-09-09': 85, '2026-09-16': 90 };
    for (let i = 0; i < 5; i++) hot[addDays('2026-09-10', i)] = null; // the monitor down Thu to Mon
    const spells = hotSpells(days(hot), weekday, 80, 3);
    expect(spells).toEqual([{ from: '2026-09-07', to: '2026-09-16', hotDays: 4 }]);
    expect(hotSpells(days({ '2026-09-07': null, '2026-09-08': null, '2026-09-09': 85 }), weekday, 80, 3)).toEqual([]);
  });
});
