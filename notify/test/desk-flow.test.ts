/**
 * The repair desk's events as the real TicketService emits them (SQLite), into the notifier, to
 * WeCom-shaped receivers: a teacher reports a dripping tap (the message says the kind and what they
 * wrote, not their phone), the office assigns li (the plumbers' robot names and mentions 李师傅,
 * though its minSeverity is above the request's), and nobody repairs it by its due time (the
 * office's robot, which takes minor tickets' overdue events, says so and mentions li too).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLog, openDb } from '@campus/runtime';
import { TicketService, TicketStore } from '@campus/repairs';
import { startHttpReceiver, tempDir, waitFor } from '@campus/testkit';
import { BASE, campusWith, ManualClock, MIN, notifier, T0 } from './fixture.ts';

const dir = tempDir();
afterAll(() => dir.remove());

describe('a request through the desk', () => {
  it('opened and assigned (li mentioned) on the plumbers\' robot, overdue on the office\'s', async () => {
    const wecom = await startHttpReceiver();
    const office = await startHttpReceiver();
    const campus = campusWith({
      channels: [
        { id: 'plumbers', type: 'wecom', url: wecom.url, msgtype: 'text', trades: ['plumber'], minSeverity: 'major' },
        { id: 'office', type: 'wecom', url: office.url, msgtype: 'text', trades: ['plumber'], minSeverity: 'minor', events: ['overdue'] },
      ],
    });
    const clock = new ManualClock(T0);
    const { notifier: n } = notifier(campus, { clock, contactOf: (u) => (u === 'li' ? { name: '李师傅', phone: '13800001111' } : undefined) });
    const desk = new TicketService(new TicketStore(openDb(join(dir.path, 'campus.db'))), [campus], createLog('test'), {
      now: () => clock.now(),
      staffName: (u) => (u === 'li' ? '李师傅' : undefined),
    });
    desk.on('event', (e) => n.notify(e));
    const sent = (k: number) => waitFor(`message ${k}, answered`, () => wecom.requests.length === k && n.status().channels[0]!.sent === k);
    const text = (k: number): string[] => wecom.requests[k]!.body.text.content.split('\n');

    const { ticketId: id } = desk.report({ siteId: 'dongnan', roomId: 'T-201', kind: 'water', text: '后门水龙头一直滴水', reporterName: '王老师', reporterPhone: '13912345678' });
    await sent(1);
    expect(text(0)).toEqual([
      `【重要】新报修单 #${id} 高一(1)班教室 · 水`,
      '学校：东南中学',
      expect.stringMatching(/^地点：.+ 2层 高一\(1\)班教室$/),
      '报修类别：水',
      '级别：重要',
      '工种：水工',
      '时间：2026-11-23 10:00',
      '报修人：王老师',
      '后门水龙头一直滴水',
      `查看报修单：${BASE}/tickets?id=${id}`,
    ]);

    // the office makes it minor (due in a week is too long here: it sets 10:30) and gives it to li
    clock.advance(5 * MIN);
    desk.change(id, { kind: 'triage', severity: 'minor', dueAt: new Date(T0 + 30 * MIN).toISOString() }, 'admin', { at: clock.now() });
    desk.change(id, { kind: 'assign', to: 'li' }, 'admin', { at: clock.now() });
    await sent(2);
    expect(text(1)[0]).toBe(`【一般】派工：高一(1)班教室 · 水 → 李师傅（#${id}）`);
    expect(text(1)).toEqual(expect.arrayContaining(['维修工：李师傅', '应修好：2026-11-23 10:30', '时间：2026-11-23 10:05']));
    expect(wecom.requests[1]!.body.text.mentioned_mobile_list).toEqual(['13800001111']);

    // 10:31, not repaired: overdue, on the office's robot (the plumbers' takes minor tickets' assignments only)
    clock.advance(26 * MIN);
    desk.escalate(clock.now());
    await waitFor('the overdue message, answered', () => office.requests.length === 1 && n.status().channels[1]!.sent === 1);
    expect(office.requests[0]!.body.text).toMatchObject({ mentioned_mobile_list: ['13800001111'] });
    expect(office.requests[0]!.body.text.content.split('\n')[0]).toBe(`【一般】超时未修：高一(1)班教室 · 水 → 李师傅，应于 10:30 前修好（#${id}）`);
    for (const r of [...wecom.requests, ...office.requests]) expect(r.raw).not.toContain('13912345678');
    await n.stop();
    expect(wecom.requests).toHaveLength(2);
    await Promise.all([wecom.close(), office.close()]);
  });
});
