/**
 * Tickets that wait too long are said again (the notifier tells the channels); call escalate()
 * every minute or so:
 * - a critical ticket nobody acknowledged within the site's notifications.escalateAfterMin:
 *   'escalated', once;
 * - a person's request nobody was assigned to within escalateAfterMin: 'escalated', once;
 * - a ticket not resolved by its due time (dueAt, from the priority or set by the office):
 *   'overdue', once per due time.
 */
import type { Ticket } from '@campus/contract';
import { localTime, type DeskCore, type DeskEvent } from './desk-core.ts';
import type { TicketRecord } from './ticket-store.ts';

const SYSTEM = 'system';

export function escalateTickets(core: DeskCore, siteIds: readonly string[], now: number): Ticket[] {
  const out: Ticket[] = [];
  const mark = (t: TicketRecord, patch: Partial<TicketRecord>, event: DeskEvent, note: string) => {
    const next = { ...t, ...patch };
    core.store.transaction(() => {
      core.store.update(next);
      core.store.audit(t.id, now, SYSTEM, event.type === 'overdue' ? 'overdue' : 'escalated', note);
    });
    out.push(core.publish(next, [event]));
  };
  for (const siteId of siteIds) {
    const campus = core.campus(siteId)!;
    const before = now - campus.notifications.escalateAfterMin * 60_000;
    const mine = (list: TicketRecord[]) => list.filter((t) => t.siteId === siteId);
    const minutes = (t: TicketRecord) => Math.round((now - t.openedAt) / 60_000);
    for (const t of mine(core.store.dueForEscalation(before))) {
      const m = minutes(t);
      mark(t, { escalatedAt: now }, { type: 'escalated', at: now, unacknowledgedMinutes: m }, `紧急报修单 ${m} 分钟无人确认，已升级通知`);
    }
    // read after the above: a critical request escalated just now is not escalated twice
    for (const t of mine(core.store.dueForUnassigned(before))) {
      const m = minutes(t);
      mark(t, { escalatedAt: now }, { type: 'escalated', at: now, unacknowledgedMinutes: m }, `报修 ${m} 分钟无人派单，已升级通知`);
    }
    for (const t of mine(core.store.dueForOverdue(now))) {
      mark(t, { overdueAt: now }, { type: 'overdue', at: now }, `已超过处理时限（${localTime(t.dueAt!, campus.site.timezone)}）`);
    }
  }
  return out;
}
