/** A person's request (维修申报): one open ticket per place and kind; a second report adds to it. */
import { afterEach, describe, expect, it } from 'vitest';
import { PRIORITY_DUE_MIN } from '@campus/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLog, openDb } from '@campus/runtime';
import { TicketService, TicketStore } from '@campus/repairs';
import { buildCampus, DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';
import { desk, MIN, report, T0, type Desk } from './desk-fixture.ts';

let d: Desk;
afterEach(() => d?.close());

describe('a request from the public form', () => {
  it('opens a person ticket for the room: title, trade from the kind, 重要, due a school day later, its own tracking token', () => {
    d = desk();
    const receipt = d.svc.report(report({ reporterName: '张老师', reporterPhone: '138 0000 0000', photoIds: ['p1'] }));
    expect(receipt).toEqual({ ticketId: expect.any(Number), trackingToken: 'token-0001-abcdefghijklmnop', joined: false });
    const t = d.svc.get(receipt.ticketId)!;
    expect(t).toMatchObject({
      source: 'person',
      deviceId: 'room:dongnan/T-201',
      condition: 'request.water',
      title: '高一(1)班教室 · 水',
      summary: '水龙头一直滴水',
      severity: 'major',
      trade: 'plumber',
      category: 'repair',
      status: 'open',
      reportKind: 'water',
      reporter: { name: '张老师', phone: '138 0000 0000' },
      reports: 1,
      deviceName: '高一(1)班教室',
      location: { building: 'teaching', floor: 2, room: 'T-201', roomName: '高一(1)班教室' },
      classId: 'g1c1',
      dueAt: new Date(T0 + PRIORITY_DUE_MIN.major * MIN).toISOString(),
      photos: [{ id: 'p1', by: 'reporter', at: new Date(T0).toISOString() }],
    });
    expect(t.audit).toEqual([{ at: new Date(T0).toISOString(), actor: '张老师', action: 'opened', note: '水龙头一直滴水' }]);
    expect(d.events.map((e) => [e.type, e.ticket.id])).toEqual([['opened', t.id]]);
    // only the token's hash is kept
    const kept = d.db.prepare('SELECT token_sha256 FROM ticket_trackers').all() as { token_sha256: string }[];
    expect(kept).toHaveLength(1);
    expect(kept[0]!.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(d.db.prepare('SELECT * FROM ticket_trackers').all())).not.toContain('token-0001');
  });

  it('a second report of the same place and kind while it is open adds to it; another kind or place is a ticket of its own', () => {
    d = desk();
    const first = d.svc.report(report({ photoIds: ['p1'] }));
    d.clock.now = T0 + 5 * MIN;
    const second = d.svc.report(report({ text: '水池下面也在漏', photoIds: ['p2', 'p1'] }));
    expect(second).toMatchObject({ ticketId: first.ticketId, joined: true });
    expect(second.trackingToken).not.toBe(first.trackingToken);
    const t = d.svc.get(first.ticketId)!;
    expect(t).toMatchObject({ reports: 2, summary: '水龙头一直滴水', lastAt: new Date(T0 + 5 * MIN).toISOString() });
    expect(t.photos.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(t.audit.map((a) => [a.action, a.actor, a.note])).toEqual([
      ['opened', '报修人', '水龙头一直滴水'],
      ['reported', '报修人', '水池下面也在漏'],
    ]);
    expect(d.events.map((e) => e.type)).toEqual(['opened']); // a joined report is no new event
    expect(d.svc.report(report({ kind: 'electricity', text: '灯不亮' })).joined).toBe(false);
    expect(d.svc.report(report({ roomId: 'T-202' })).joined).toBe(false);
    // a written place: the same place written alike is one place
    const yard = d.svc.report(report({ roomId: null, place: '操场 东侧  水龙头', text: '水管爆了' }));
    expect(d.svc.report(report({ roomId: null, place: '操场西侧水龙头', text: '还在喷' })).joined).toBe(false);
    expect(d.svc.report(report({ roomId: null, place: '操场 东侧 水龙头', text: '还在喷' }))).toMatchObject({ ticketId: yard.ticketId, joined: true });
    expect(d.svc.get(yard.ticketId)).toMatchObject({ deviceId: 'place:dongnan/操场 东侧 水龙头', deviceName: '操场 东侧  水龙头', title: '操场 东侧  水龙头 · 水' });
    expect(d.svc.list({ source: 'person', status: 'open' })).toHaveLength(5);
  });

  it('after the ticket is resolved, the same fault is a new ticket', () => {
    d = desk();
    const first = d.svc.report(report());
    d.svc.act(first.ticketId, 'resolve', '李师傅', '换了阀芯');
    const again = d.svc.report(report());
    expect(again.joined).toBe(false);
    expect(again.ticketId).not.toBe(first.ticketId);
  });

  it('refuses what the form must not send, naming the field', () => {
    d = desk();
    const refused = (over: object) => {
      try {
        d.svc.report(report(over));
      } catch (err) {
        return `${(err as { status: number }).status} ${(err as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused({ kind: 'fire' })).toMatch(/^400 kind must be one of/);
    expect(refused({ text: '   ' })).toMatch(/^400 .*text is required/);
    expect(refused({ text: '漏'.repeat(501) })).toMatch(/^400 text is longer than 500/);
    expect(refused({ text: '漏'.repeat(500) })).toBe('accepted');
    expect(refused({ reporterName: '张'.repeat(41) })).toMatch(/^400 reporterName/);
    expect(refused({ reporterPhone: '1'.repeat(21) })).toMatch(/^400 reporterPhone/);
    expect(refused({ reporterPhone: '<b>138</b>' })).toMatch(/^400 reporterPhone/);
    expect(refused({ roomId: 'T-999' })).toMatch(/^400 roomId: no room "T-999"/);
    expect(refused({ roomId: null, place: '' })).toMatch(/^400 .*place is required/);
    expect(refused({ siteId: 'nowhere' })).toMatch(/^400 siteId/);
    expect(refused({ photoIds: ['a', 'b', 'c', 'd'] })).toMatch(/^400 photoIds: at most 3/);
    expect(refused({ photoIds: ['../etc/passwd'] })).toMatch(/^400 photoIds\[0\]/);
    expect(d.svc.list()).toHaveLength(1);
  });
});

describe('two schools of a district with rooms named alike', () => {
  it('a request for room T-201 of each is a ticket of its own, placed at its own school', () => {
    const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
    const other = buildCampus({ ...doc, site: { ...doc.site, id: 'xinan', name: '西南中学' } });
    const dir = tempDir();
    const db = openDb(join(dir.path, 'campus.db'));
    try {
      const svc = new TicketService(new TicketStore(db), [loadCampus(DEMO_CAMPUS_FILE), other], createLog('test'), { now: () => T0 });
      const a = svc.report(report());
      const b = svc.report(report({ siteId: 'xinan' }));
      expect(b.joined).toBe(false);
      expect(b.ticketId).not.toBe(a.ticketId);
      expect([svc.get(a.ticketId)!.siteId, svc.get(b.ticketId)!.siteId]).toEqual(['dongnan', 'xinan']);
      expect(svc.get(b.ticketId)!.location.roomName).toBe('高一(1)班教室');
      // a second report at the second school joins its own ticket
      expect(svc.report(report({ siteId: 'xinan' }))).toMatchObject({ ticketId: b.ticketId, joined: true });
    } finally {
      db.close();
      dir.remove();
    }
  });
});
