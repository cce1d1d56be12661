/** Waiting too long: a request nobody was assigned to is escalated; a ticket past its due time is overdue, once. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCampus, DEMO_CAMPUS_FILE } from '@campus/site';
import { desk, MIN, report, T0, type Desk } from './desk-fixture.ts';

let d: Desk;
afterEach(() => d?.close());

function campus(escalateAfterMin: number) {
  const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  doc.notifications = { escalateAfterMin };
  return buildCampus(doc);
}

describe('escalation of people’s requests', () => {
  it('a request left unassigned past escalateAfterMin is escalated once; an assigned one is not', () => {
    d = desk({ campus: campus(15) });
    const left = d.svc.report(report());
    const taken = d.svc.report(report({ roomId: 'T-202' }));
    d.svc.change(taken.ticketId, { kind: 'assign', to: 'li' }, '王主任', { at: T0 + MIN });
    expect(d.svc.escalate(T0 + 14 * MIN)).toEqual([]);
    expect(d.svc.escalate(T0 + 15 * MIN).map((t) => t.id)).toEqual([left.ticketId]);
    expect(d.svc.escalate(T0 + 30 * MIN)).toEqual([]);
    expect(d.events.filter((e) => e.type === 'escalated').map((e) => [e.ticket.id, e.unacknowledgedMinutes, e.at])).toEqual([[left.ticketId, 15, T0 + 15 * MIN]]);
    expect(d.svc.get(left.ticketId)!.audit.at(-1)).toMatchObject({ actor: 'system', action: 'escalated', note: '报修 15 分钟无人派单，已升级通知' });
  });

  it('a critical request both unacknowledged and unassigned is escalated once', () => {
    d = desk({ campus: campus(10) });
    const r = d.svc.report(report());
    d.svc.change(r.ticketId, { kind: 'triage', severity: 'critical' }, '王主任');
    expect(d.svc.escalate(T0 + 10 * MIN).map((t) => t.id)).toEqual([r.ticketId]);
    expect(d.events.filter((e) => e.type === 'escalated')).toHaveLength(1);
  });

  it('a ticket not resolved by its due time is overdue, once per due time; a resolved one is not', () => {
    d = desk({ campus: campus(10_000) });
    const late = d.svc.report(report());
    const done = d.svc.report(report({ roomId: 'T-202' }));
    d.svc.change(late.ticketId, { kind: 'assign', to: 'li' }, '王主任');
    d.svc.act(done.ticketId, 'resolve', '李师傅', '修好了', { at: T0 + MIN });
    const due = T0 + 24 * 60 * MIN;
    expect(d.svc.escalate(due - 1)).toEqual([]);
    expect(d.svc.escalate(due).map((t) => t.id)).toEqual([late.ticketId]);
    expect(d.svc.escalate(due + 60 * MIN)).toEqual([]);
    const overdue = d.events.filter((e) => e.type === 'overdue');
    expect(overdue.map((e) => [e.ticket.id, e.ticket.assignee, e.at])).toEqual([[late.ticketId, 'li', due]]);
    expect(d.svc.get(late.ticketId)!.audit.at(-1)).toMatchObject({ action: 'overdue', note: '已超过处理时限（11月24日 10:00）' });
    // the office gives it a new due time: it may be overdue again
    d.svc.change(late.ticketId, { kind: 'triage', dueAt: new Date(due + 120 * MIN).toISOString() }, '王主任');
    expect(d.svc.escalate(due + 120 * MIN).map((t) => t.id)).toEqual([late.ticketId]);
    // a sensor ticket without a due time is never overdue
    d.svc.apply([{ active: true, condition: 'water.burst', subjectId: 'wm-main', at: T0, severity: 'major', trade: 'plumber', category: 'repair', title: 't', summary: 's' }]);
    expect(d.svc.escalate(due + 365 * 24 * 60 * MIN)).toEqual([]);
  });
});
