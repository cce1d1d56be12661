/** Staff changes besides status: assign, take, comment, triage, merge, photo; and resolving with materials and cost. */
import { afterEach, describe, expect, it } from 'vitest';
import { PRIORITY_DUE_MIN } from '@campus/contract';
import { desk, MIN, refusal as status, report, T0, type Desk } from './desk-fixture.ts';

let d: Desk;
afterEach(() => d?.close());


describe('assigning a worker', () => {
  it('the office assigns li by username: his name on the ticket, an audit line, the event assigned naming him; reassign and unassign', () => {
    d = desk();
    const { ticketId } = d.svc.report(report());
    const t = d.svc.change(ticketId, { kind: 'assign', to: 'li' }, '王主任', { at: T0 + MIN });
    expect(t).toMatchObject({ assignee: 'li', assigneeName: '李师傅', assignedAt: new Date(T0 + MIN).toISOString() });
    expect(d.events.at(-1)).toMatchObject({ type: 'assigned', assignee: 'li', at: T0 + MIN, ticket: { assignee: 'li' } });
    d.svc.change(ticketId, { kind: 'assign', to: 'li' }, '王主任'); // the same again changes nothing
    d.svc.change(ticketId, { kind: 'assign', to: 'wang' }, '王主任', { at: T0 + 2 * MIN });
    d.svc.change(ticketId, { kind: 'assign', to: null }, '王主任', { at: T0 + 3 * MIN });
    expect(d.svc.get(ticketId)).toMatchObject({ assignee: null, assigneeName: null });
    expect(d.svc.get(ticketId)!.audit.slice(1).map((a) => [a.action, a.actor, a.note])).toEqual([
      ['assigned', '王主任', '李师傅（水工）'],
      ['assigned', '王主任', '王师傅（水工）'],
      ['unassigned', '王主任', '王师傅（水工）'],
    ]);
    expect(d.events.filter((e) => e.type === 'assigned').map((e) => e.assignee)).toEqual(['li', 'wang']);
    expect(status(() => d.svc.change(ticketId, { kind: 'assign', to: 'nobody' }, '王主任'))).toBe('400 to: no staff account "nobody"');
  });

  it('without a staff directory of its own (the ingest process) the desk takes the name the staff API looked up, and refuses none', () => {
    d = desk({ staff: false });
    const { ticketId } = d.svc.report(report());
    expect(status(() => d.svc.change(ticketId, { kind: 'assign', to: 'li' }, '王主任'))).toMatch(/^400 to: no staff account/);
    expect(d.svc.change(ticketId, { kind: 'assign', to: 'li' }, '王主任', { assigneeName: '李师傅' })).toMatchObject({ assignee: 'li', assigneeName: '李师傅' });
  });

  it('a worker takes a ticket for themselves, not one assigned to another', () => {
    d = desk();
    const { ticketId } = d.svc.report(report());
    expect(d.svc.change(ticketId, { kind: 'take' }, '李师傅', { username: 'li' })).toMatchObject({ assignee: 'li', assigneeName: '李师傅' });
    expect(d.svc.get(ticketId)!.audit.at(-1)).toMatchObject({ action: 'taken', actor: '李师傅', note: '李师傅（水工）' });
    expect(d.events.at(-1)).toMatchObject({ type: 'assigned', assignee: 'li' });
    expect(status(() => d.svc.change(ticketId, { kind: 'take' }, '王师傅', { username: 'wang' }))).toMatch(/^409 已派给 李师傅/);
  });
});

describe('comments, triage, photos', () => {
  it('comments 1..2000 characters, each in the audit trail with who and when', () => {
    d = desk();
    const { ticketId } = d.svc.report(report());
    d.svc.change(ticketId, { kind: 'comment', note: ' 需要更换阀芯 ' }, '李师傅', { at: T0 + MIN });
    expect(d.svc.get(ticketId)!.audit.at(-1)).toEqual({ at: new Date(T0 + MIN).toISOString(), actor: '李师傅', action: 'commented', note: '需要更换阀芯' });
    expect(status(() => d.svc.change(ticketId, { kind: 'comment', note: '' }, '李师傅'))).toMatch(/^400 .*note is required/);
    expect(status(() => d.svc.change(ticketId, { kind: 'comment', note: 'x'.repeat(2001) }, '李师傅'))).toMatch(/^400 note is longer than 2000/);
    expect(status(() => d.svc.change(ticketId, { kind: 'paint' } as never, '李师傅'))).toMatch(/^400 kind must be one of/);
    expect(status(() => d.svc.change(999, { kind: 'comment', note: 'x' }, '李师傅'))).toBe('404 no ticket 999');
  });

  it('triage sets trade, priority and due time; a new priority without a due time moves the due time by the priority', () => {
    d = desk();
    const { ticketId } = d.svc.report(report({ kind: 'other', text: '楼道有异味' }));
    let t = d.svc.change(ticketId, { kind: 'triage', severity: 'critical', trade: 'plumber' }, '王主任', { at: T0 + MIN });
    expect(t).toMatchObject({ severity: 'critical', trade: 'plumber', dueAt: new Date(T0 + PRIORITY_DUE_MIN.critical * MIN).toISOString() });
    const due = '2026-11-25T08:00:00.000Z';
    t = d.svc.change(ticketId, { kind: 'triage', severity: 'minor', dueAt: due }, '王主任');
    expect(t).toMatchObject({ severity: 'minor', dueAt: due });
    expect(d.svc.get(ticketId)!.audit.filter((a) => a.action === 'triaged').map((a) => a.note)).toEqual([
      '优先级 重要 → 紧急；工种 总务处 → 水工；11月23日 10:30 前处理',
      '优先级 紧急 → 一般；11月25日 16:00 前处理',
    ]);
    expect(status(() => d.svc.change(ticketId, { kind: 'triage' }, '王主任'))).toMatch(/^400 triage needs/);
    expect(status(() => d.svc.change(ticketId, { kind: 'triage', trade: 'painter' as never }, '王主任'))).toMatch(/^400 trade must be one of/);
    expect(status(() => d.svc.change(ticketId, { kind: 'triage', dueAt: 'tomorrow' }, '王主任'))).toMatch(/^400 dueAt must be a time/);
  });

  it('a photo is added with who added it; at most 20 on a ticket', () => {
    d = desk();
    const { ticketId } = d.svc.report(report({ photoIds: ['r1'] }));
    const t = d.svc.change(ticketId, { kind: 'photo', photoId: 's1', bytes: 1234 }, '李师傅', { username: 'li', at: T0 + MIN });
    expect(t.photos).toEqual([
      { id: 'r1', at: new Date(T0).toISOString(), by: 'reporter', bytes: 0 },
      { id: 's1', at: new Date(T0 + MIN).toISOString(), by: 'li', bytes: 1234 },
    ]);
    expect(status(() => d.svc.change(ticketId, { kind: 'photo', photoId: 'a/b' }, '李师傅'))).toMatch(/^400 photoId/);
    for (let i = 2; i < 20; i++) d.svc.change(ticketId, { kind: 'photo', photoId: `s${i}` }, '李师傅');
    expect(status(() => d.svc.change(ticketId, { kind: 'photo', photoId: 's20' }, '李师傅'))).toMatch(/^409 a ticket keeps at most 20/);
  });
});

describe('merging a duplicate', () => {
  it('the duplicate is resolved into the other: its reports, photos and reporters follow the other', () => {
    d = desk();
    const a = d.svc.report(report({ roomId: 'T-201', text: '走廊水管漏水', photoIds: ['pa'] }));
    const b = d.svc.report(report({ roomId: 'T-202', text: '隔壁走廊水管漏水', photoIds: ['pb'] }));
    d.svc.report(report({ roomId: 'T-202', text: '还在漏' }));
    const merged = d.svc.change(b.ticketId, { kind: 'merge', into: a.ticketId }, '王主任', { at: T0 + MIN });
    expect(merged).toMatchObject({ status: 'resolved', mergedInto: a.ticketId, resolvedBy: '王主任', resolution: { note: `与 #${a.ticketId} 重复，已合并` } });
    expect(d.svc.get(a.ticketId)).toMatchObject({ status: 'open', reports: 3 });
    expect(d.svc.get(a.ticketId)!.photos.map((p) => p.id)).toEqual(['pa', 'pb']);
    expect(d.svc.track(b.trackingToken)?.id).toBe(a.ticketId);
    expect(d.events.filter((e) => e.type === 'resolved')).toEqual([]); // a merge is no repair
    // the place is free again: the next report of T-202 is a new ticket
    expect(d.svc.report(report({ roomId: 'T-202' })).joined).toBe(false);
    expect(status(() => d.svc.change(a.ticketId, { kind: 'merge', into: a.ticketId }, '王主任'))).toMatch(/^400 into: .*itself/);
    expect(status(() => d.svc.change(a.ticketId, { kind: 'merge', into: b.ticketId }, '王主任'))).toMatch(/^409 into: ticket \d+ is resolved/);
    expect(status(() => d.svc.change(b.ticketId, { kind: 'merge', into: a.ticketId }, '王主任'))).toMatch(/^409 cannot merge a ticket that is resolved/);
    expect(status(() => d.svc.change(a.ticketId, { kind: 'merge', into: 4242 }, '王主任'))).toMatch(/^404 into: no ticket 4242/);
  });
});

describe('resolving', () => {
  it('records the note, materials and cost (元, at most 2 decimals, 0..1,000,000)', () => {
    d = desk();
    const { ticketId } = d.svc.report(report());
    expect(status(() => d.svc.act(ticketId, 'resolve', '李师傅', '换阀芯', { costYuan: -1 }))).toMatch(/^400 costYuan/);
    expect(status(() => d.svc.act(ticketId, 'resolve', '李师傅', '换阀芯', { costYuan: 12.345 }))).toMatch(/^400 costYuan/);
    expect(status(() => d.svc.act(ticketId, 'resolve', '李师傅', '换阀芯', { costYuan: 1_000_001 }))).toMatch(/^400 costYuan/);
    expect(status(() => d.svc.act(ticketId, 'resolve', '李师傅', '换阀芯', { materials: 'x'.repeat(501) }))).toMatch(/^400 materials/);
    const t = d.svc.act(ticketId, 'resolve', '李师傅', '换了阀芯', { materials: '阀芯 1 个', costYuan: 35.5, at: T0 + 30 * MIN });
    expect(t).toMatchObject({ status: 'resolved', resolution: { note: '换了阀芯', materials: '阀芯 1 个', costYuan: 35.5 } });
    expect(d.svc.get(ticketId)!.audit.at(-1)).toMatchObject({ action: 'resolve', actor: '李师傅', note: '换了阀芯\n材料：阀芯 1 个；费用 35.50 元' });
    expect(d.svc.list({ status: 'resolved' })[0]!.resolution).toEqual({ note: '换了阀芯', materials: '阀芯 1 个', costYuan: 35.5 });
    // a staff reopen takes the resolution away
    expect(d.svc.act(ticketId, 'reopen', '王主任', '还在滴')).toMatchObject({ status: 'reopened', resolution: null });
  });
});

describe('the list', () => {
  it('filters by source, assignee and unassigned; newest first', () => {
    d = desk();
    d.svc.apply([
      { active: true, condition: 'water.burst', subjectId: 'wm-main', at: T0, severity: 'major', trade: 'plumber', category: 'repair', title: '流量骤增', summary: '…' },
    ]);
    const a = d.svc.report(report());
    const b = d.svc.report(report({ roomId: 'T-202' }));
    d.svc.change(a.ticketId, { kind: 'assign', to: 'li' }, '王主任');
    const ids = (q: Parameters<typeof d.svc.list>[0]) => d.svc.list(q).map((t) => t.id);
    expect(ids({ source: 'person' })).toEqual([b.ticketId, a.ticketId]);
    expect(d.svc.list({ source: 'sensor' }).map((t) => [t.condition, t.source, t.reporter, t.reports])).toEqual([['water.burst', 'sensor', null, 0]]);
    expect(ids({ assignee: 'li' })).toEqual([a.ticketId]);
    expect(ids({ unassigned: true, source: 'person' })).toEqual([b.ticketId]);
  });
});
