/** The reporter's tracking page: each step in Chinese, no phone numbers or usernames; confirm and rate, or reopen, within 3 days. */
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIRM_WINDOW_MS } from '@campus/contract';
import { desk, MIN, refusal as refused, report, T0, type Desk } from './desk-fixture.ts';

let d: Desk;
afterEach(() => d?.close());


/** reported, assigned to li, acknowledged, a comment, resolved with materials and cost */
function repaired(dk: Desk) {
  const r = dk.svc.report(report({ reporterName: '张老师', reporterPhone: '13800000000', photoIds: ['p1'] }));
  dk.svc.change(r.ticketId, { kind: 'assign', to: 'li' }, '王主任', { at: T0 + MIN });
  dk.svc.act(r.ticketId, 'ack', '李师傅', undefined, { at: T0 + 2 * MIN });
  dk.svc.change(r.ticketId, { kind: 'comment', note: '需要更换阀芯' }, '李师傅', { at: T0 + 3 * MIN });
  dk.svc.act(r.ticketId, 'resolve', '李师傅', '已更换阀芯', { materials: '阀芯', costYuan: 20, at: T0 + 40 * MIN });
  return r;
}

describe('the tracking view', () => {
  it('shows each step in Chinese with the worker by name; no phone, no username, no cost', () => {
    d = desk();
    const r = repaired(d);
    d.clock.now = T0 + 41 * MIN;
    const view = d.svc.track(r.trackingToken)!;
    expect(view).toMatchObject({
      id: r.ticketId,
      title: '高一(1)班教室 · 水',
      kind: 'water',
      place: '高一(1)班教室',
      status: 'resolved',
      severity: 'major',
      assigneeName: '李师傅',
      photoIds: ['p1'],
      canConfirm: true,
      confirmedAt: null,
    });
    expect(view.steps.map((s) => [s.what, s.note])).toEqual([
      ['已受理', null],
      ['已派给 李师傅（水工）', null],
      ['维修人员已收到', null],
      ['李师傅：需要更换阀芯', null],
      ['已修好', '已更换阀芯'],
    ]);
    const text = JSON.stringify(view);
    for (const secret of ['13800000000', '"li"', '王主任', '20.00', '材料']) expect(text).not.toContain(secret);
    expect(d.svc.track('token-9999-abcdefghijklmnop')).toBeUndefined();
    expect(d.svc.track('short')).toBeUndefined();
  });

  it('the reporter confirms and rates once, within 3 days of the resolution', () => {
    d = desk();
    const r = repaired(d);
    d.clock.now = T0 + 60 * MIN;
    expect(refused(() => d.svc.reporterAct(r.trackingToken, { kind: 'confirm', rating: 6 }))).toMatch(/^400 rating must be 1 to 5/);
    const view = d.svc.reporterAct(r.trackingToken, { kind: 'confirm', rating: 5, note: '谢谢' });
    expect(view).toMatchObject({ confirmedAt: new Date(T0 + 60 * MIN).toISOString(), rating: 5, canConfirm: false });
    expect(view.steps.at(-1)).toMatchObject({ what: '报修人已确认修好', note: '评价 5 星；谢谢' });
    expect(d.svc.get(r.ticketId)).toMatchObject({ rating: 5, confirmedAt: new Date(T0 + 60 * MIN).toISOString() });
    expect(d.svc.get(r.ticketId)!.audit.at(-1)).toMatchObject({ actor: '报修人', action: 'confirmed' });
    expect(refused(() => d.svc.reporterAct(r.trackingToken, { kind: 'confirm' }))).toMatch(/^409/);
  });

  it('a joined reporter follows the same ticket; not before it is resolved, nor after 3 days', () => {
    d = desk();
    const first = d.svc.report(report());
    const second = d.svc.report(report({ text: '又漏了' }));
    expect(refused(() => d.svc.reporterAct(second.trackingToken, { kind: 'confirm' }))).toMatch(/^409 还没有修好/);
    d.svc.act(first.ticketId, 'resolve', '李师傅', '修好了', { at: T0 + MIN });
    d.clock.now = T0 + MIN + CONFIRM_WINDOW_MS + 1;
    expect(d.svc.track(second.trackingToken)).toMatchObject({ id: first.ticketId, canConfirm: false });
    expect(refused(() => d.svc.reporterAct(second.trackingToken, { kind: 'reopen', note: '还在漏' }))).toMatch(/^409 .*3 天/);
    expect(refused(() => d.svc.reporterAct('token-9999-abcdefghijklmnop', { kind: 'confirm' }))).toMatch(/^404/);
  });

  it('the reporter reopens with a note: the ticket is reopened, due again by its priority, and the step says so', () => {
    d = desk();
    const r = repaired(d);
    d.clock.now = T0 + 2 * 24 * 60 * MIN;
    expect(refused(() => d.svc.reporterAct(r.trackingToken, { kind: 'reopen', note: ' ' }))).toMatch(/^400 .*note is required/);
    const view = d.svc.reporterAct(r.trackingToken, { kind: 'reopen', note: '还在滴水' });
    expect(view).toMatchObject({ status: 'reopened', resolvedAt: null, canConfirm: false });
    expect(view.steps.at(-1)).toMatchObject({ what: '报修人反映没有修好，重新处理', note: '还在滴水' });
    expect(d.svc.get(r.ticketId)).toMatchObject({ status: 'reopened', resolution: null, dueAt: new Date(d.clock.now + 24 * 60 * MIN).toISOString() });
    // reopened is still open: a new report joins it
    expect(d.svc.report(report())).toMatchObject({ ticketId: r.ticketId, joined: true });
  });
});
