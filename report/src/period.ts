/**
 * What a report covers: a term of the campus file (by name; by default the term running now, or
 * the last one that ended), or any date range; and what it is compared with: the term before and
 * the same term a year earlier (for a range: the same number of days right before, and the same
 * dates a year earlier). A term still running is reported up to yesterday, the last complete day.
 */
import type { Campus } from '@campus/site';
import { addDays, DAY_MS, dayCount } from './format.ts';

export interface DateRange {
  /** first and last local date, inclusive */
  from: string;
  to: string;
  label: string;
}

export interface ReportPeriod extends DateRange {
  /** the term's name, when the report is for a term */
  term: string | null;
  /** a term still running: reported up to `to` (yesterday), not to its end */
  termEnd: string | null;
  previous: DateRange | null;
  lastYear: DateRange | null;
  days: number;
  /** school days (lessons) in the period */
  schoolDays: number;
  /** epoch ms: local midnight starting `from`, and ending `to` */
  fromTs: number;
  toTs: number;
}

export class PeriodError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The same date a year earlier (29 February -> 28 February). */
function yearEarlier(date: string): string {
  const y = Number(date.slice(0, 4)) - 1;
  const md = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${y}-${md}`;
}

/** A comparison range cut to the report's length (a running term is compared with the same stretch of the other). */
const sameLength = (r: DateRange, days: number): DateRange => {
  const to = addDays(r.from, days - 1);
  return to < r.to ? { ...r, to, label: `${r.label}（前${days}天）` } : r;
};

export interface PeriodRequest {
  term?: string;
  from?: string;
  to?: string;
  now?: number;
}

export function resolvePeriod(campus: Campus, req: PeriodRequest): ReportPeriod {
  const cal = campus.calendar;
  const today = cal.local(req.now ?? Date.now()).date;
  const yesterday = addDays(today, -1);
  const terms = [...cal.config.terms].sort((a, b) => a.start.localeCompare(b.start));
  const finish = (p: Omit<ReportPeriod, 'days' | 'schoolDays' | 'fromTs' | 'toTs'>): ReportPeriod => {
    let schoolDays = 0;
    for (let d = p.from; d <= p.to; d = addDays(d, 1)) if (cal.isSchoolDay(d)) schoolDays++;
    return { ...p, days: dayCount(p.from, p.to), schoolDays, fromTs: cal.startOfDay(p.from), toTs: cal.startOfDay(addDays(p.to, 1)) };
  };

  if (req.from || req.to) {
    const { from, to } = req;
    if (!from || !to || !DATE.test(from) || !DATE.test(to) || to < from) throw new PeriodError('from and to: dates YYYY-MM-DD, from <= to');
    if (from > yesterday) throw new PeriodError(`${from} has no complete day yet (the last complete day is ${yesterday})`);
    const end = to > yesterday ? yesterday : to;
    const days = dayCount(from, end);
    return finish({
      from,
      to: end,
      label: `${from} 至 ${end}`,
      term: null,
      termEnd: null,
      previous: { from: addDays(from, -days), to: addDays(from, -1), label: '上一时段' },
      lastYear: { from: yearEarlier(from), to: yearEarlier(end), label: '去年同期' },
    });
  }

  let term = req.term ? terms.find((t) => t.name === req.term) : undefined;
  if (req.term && !term) throw new PeriodError(`no term "${req.term}" in the campus file (terms: ${terms.map((t) => t.name).join(', ')})`);
  // by default: the term running now, else the last one that ended
  term ??= terms.find((t) => t.start <= yesterday && today <= t.end) ?? terms.filter((t) => t.end < today).at(-1);
  if (!term) throw new PeriodError(`no term has started yet (terms: ${terms.map((t) => t.name).join(', ')})`);
  if (term.start > yesterday) throw new PeriodError(`the term "${term.name}" starts ${term.start}: nothing to report yet`);
  const to = term.end > yesterday ? yesterday : term.end;
  const days = dayCount(term.start, to);
  const i = terms.indexOf(term);
  const before = terms[i - 1];
  // the same term a year earlier: the one that started within two months of a year before
  const target = Date.parse(`${yearEarlier(term.start)}T00:00:00Z`);
  const lastYear = terms.find((t) => t !== term && Math.abs(Date.parse(`${t.start}T00:00:00Z`) - target) <= 62 * DAY_MS);
  return finish({
    from: term.start,
    to,
    label: term.name,
    term: term.name,
    termEnd: to < term.end ? term.end : null,
    previous: before ? sameLength({ from: before.start, to: before.end, label: before.name }, days) : null,
    lastYear: lastYear ? sameLength({ from: lastYear.start, to: lastYear.end, label: lastYear.name }, days) : null,
  });
}
