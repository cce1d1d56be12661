/**
 * Repair tickets (报修单) opened in the period, by condition and by trade: how many, how bad, how
 * many resolved, and the median time to acknowledge and to resolve (from opening). The repair
 * desk's figures (people's requests, response, overdue, cost, rating) are repair-desk.ts's.
 * Tickets live in campus.db whichever store holds the readings (repairs/src/ticket-store.ts).
 */
import { REPORT_KIND_LABELS_ZH, SEVERITIES, TRADE_LABELS_ZH, type Severity, type Trade } from '@campus/contract';
import type { TicketRecord } from '@campus/repairs';
import { median } from './format.ts';
import { conditionLabel } from './labels.ts';

export interface TicketGroup {
  key: string;
  label: string;
  count: number;
  bySeverity: Record<Severity, number>;
  resolved: number;
  /** minutes from opening; null when none was acknowledged / resolved */
  medianAckMin: number | null;
  medianResolveMin: number | null;
}

export interface TicketFigures {
  total: TicketGroup;
  byCondition: TicketGroup[];
  byTrade: TicketGroup[];
  records: TicketRecord[];
}

function summarise(key: string, label: string, tickets: readonly TicketRecord[]): TicketGroup {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, tickets.filter((t) => t.severity === s).length])) as Record<Severity, number>;
  const minutes = (at: number | null, t: TicketRecord) => (at === null ? [] : [(at - t.openedAt) / 60_000]);
  return {
    key,
    label,
    count: tickets.length,
    bySeverity,
    resolved: tickets.filter((t) => t.status === 'resolved').length,
    medianAckMin: median(tickets.flatMap((t) => minutes(t.acknowledgedAt, t))),
    medianResolveMin: median(tickets.flatMap((t) => minutes(t.resolvedAt, t))),
  };
}

export function ticketFigures(records: readonly TicketRecord[]): TicketFigures {
  const groups = <K extends string>(key: (t: TicketRecord) => K, label: (k: K, sample: TicketRecord) => string) => {
    const by = new Map<K, TicketRecord[]>();
    for (const t of records) {
      const list = by.get(key(t));
      if (list) list.push(t);
      else by.set(key(t), [t]);
    }
    return [...by].map(([k, ts]) => summarise(k, label(k, ts[0]!), ts)).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  return {
    total: summarise('all', '合计', records),
    byCondition: groups(
      (t) => t.condition,
      // a person's request: what they picked, not the first reporter's words
      (k, t) => (t.source === 'person' && t.reportKind ? `维修申报：${REPORT_KIND_LABELS_ZH[t.reportKind]}` : conditionLabel(k, t.title)),
    ),
    byTrade: groups(
      (t) => t.trade,
      (k) => TRADE_LABELS_ZH[k as Trade] ?? k,
    ),
    records: [...records],
  };
}
