/**
 * The repair desk in the term report (issue 19): people's requests (维修申报) and the tickets the
 * detectors opened, by trade, with how fast the school answered and repaired, how many missed
 * their due time, what the repairs cost and how the reporters rated them. Tickets opened in the
 * period; a duplicate the office merged into another is counted in that one (its reporters
 * too), not again.
 *
 * - Response (响应): from the ticket's opening to the first time someone took it on: acknowledged
 *   (确认), dispatched to a named worker (派工) or taken by one (接单), or, failing those, resolved.
 * - Repair (修复): from the opening to its resolution (办结).
 * - Overdue (超时): of the tickets with a due time, those resolved after it, or not resolved and
 *   past it when the report is made.
 * - Money: the sum of the costs (元) the workers wrote when resolving; rating: the mean of the
 *   reporters' 1-5 stars. Null (无数据) where nothing was written.
 */
import { TRADE_LABELS_ZH, TRADES, type Trade } from '@campus/contract';
import type { TicketRecord } from '@campus/repairs';
import { median } from './format.ts';

export interface DeskGroup {
  key: string;
  label: string;
  /** people's requests and detectors' tickets (merged duplicates not counted) */
  person: number;
  sensor: number;
  count: number;
  /** how many reports people made (a second report of the same fault adds to its ticket) */
  reports: number;
  resolved: number;
  /** minutes; null when none */
  medianRespondMin: number | null;
  medianRepairMin: number | null;
  /** tickets with a due time, and those of them overdue */
  withDue: number;
  overdue: number;
  /** overdue / withDue; null when no ticket had a due time */
  overdueShare: number | null;
  /** sum of the costs written, 元; null when no resolution said a cost */
  costYuan: number | null;
  /** how many reporters rated, and their mean (1-5); null when nobody rated */
  rated: number;
  meanRating: number | null;
}

export interface DeskFigures {
  byTrade: DeskGroup[];
  person: DeskGroup;
  sensor: DeskGroup;
  total: DeskGroup;
  /** duplicates the office merged into another ticket (not counted above) */
  merged: number;
}

/** When someone first took the ticket on (see the header); null when nobody has yet. */
export function respondedAt(t: TicketRecord): number | null {
  const times = [t.acknowledgedAt, t.assignedAt].filter((x): x is number => x !== null);
  if (times.length) return Math.min(...times);
  return t.resolvedAt;
}

/** Resolved after its due time, or still open past it at `now`; null when it has no due time. */
export function isOverdue(t: TicketRecord, now: number): boolean | null {
  if (t.dueAt === null) return null;
  if (t.status === 'resolved' && t.resolvedAt !== null) return t.resolvedAt > t.dueAt;
  return now > t.dueAt;
}

const minutesFrom = (t: TicketRecord, at: number | null): number[] => (at === null ? [] : [Math.max(0, at - t.openedAt) / 60_000]);

function group(key: string, label: string, tickets: readonly TicketRecord[], now: number): DeskGroup {
  const due = tickets.map((t) => isOverdue(t, now)).filter((x): x is boolean => x !== null);
  const resolved = tickets.filter((t) => t.status === 'resolved');
  const costs = resolved.map((t) => t.resolutionCostYuan).filter((x): x is number => x !== null);
  const ratings = tickets.map((t) => t.rating).filter((x): x is number => x !== null);
  const overdue = due.filter(Boolean).length;
  return {
    key,
    label,
    person: tickets.filter((t) => t.source === 'person').length,
    sensor: tickets.filter((t) => t.source !== 'person').length,
    count: tickets.length,
    reports: tickets.reduce((s, t) => s + (t.source === 'person' ? Math.max(1, t.reports) : 0), 0),
    resolved: resolved.length,
    medianRespondMin: median(tickets.flatMap((t) => minutesFrom(t, respondedAt(t)))),
    medianRepairMin: median(resolved.flatMap((t) => minutesFrom(t, t.resolvedAt))),
    withDue: due.length,
    overdue,
    overdueShare: due.length ? overdue / due.length : null,
    // in fen, so that 0.1 + 0.2 is 0.3 元
    costYuan: costs.length ? costs.reduce((s, c) => s + Math.round(c * 100), 0) / 100 : null,
    rated: ratings.length,
    meanRating: ratings.length ? ratings.reduce((s, r) => s + r, 0) / ratings.length : null,
  };
}

/** The desk's figures of the tickets opened in the period; `now`: when the report is made (open tickets past their due time). */
export function deskFigures(records: readonly TicketRecord[], now: number): DeskFigures {
  const counted = records.filter((t) => t.mergedInto === null);
  const byTrade = TRADES.map((trade: Trade) => [trade, counted.filter((t) => t.trade === trade)] as const)
    .filter(([, ts]) => ts.length)
    .map(([trade, ts]) => group(trade, TRADE_LABELS_ZH[trade], ts, now));
  return {
    byTrade,
    person: group('person', '维修申报合计', counted.filter((t) => t.source === 'person'), now),
    sensor: group('sensor', '自动监测合计', counted.filter((t) => t.source !== 'person'), now),
    total: group('all', '全部合计', counted, now),
    merged: records.length - counted.length,
  };
}
