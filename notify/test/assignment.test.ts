/**
 * The repair desk's events on the robots (issue 19): an assignment names the worker and mentions
 * them where the robot can (WeCom `mentioned_list` / `mentioned_mobile_list` or `<@userid>` in
 * markdown; DingTalk `at` with "@phone" in the text), an overdue ticket says when it was due, and a
 * person's request says what they picked and wrote, never their phone. Real local receivers,
 * payloads asserted whole.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, waitFor, type HttpReceiver } from '@campus/testkit';
import type { Ticket, TicketEvent } from '@campus/contract';
import type { Contact, Notifier } from '@campus/notify';
import { BASE, campusWith, MIN, notifier, T0, ticket } from './fixture.ts';

let robot: HttpReceiver;
const notifiers: Notifier[] = [];
beforeAll(async () => {
  robot = await startHttpReceiver();
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop();
  robot.requests.length = 0;
});
afterAll(() => robot.close());

const REPORTER_PHONE = '13912345678';
/** 王老师 reported a dripping tap in 303; the office gave it to li, due 10:30 */
const request = (over: Partial<Ticket> = {}): Ticket =>
  ticket({
    id: 31,
    source: 'person',
    reportKind: 'water',
    deviceId: '',
    deviceName: '',
    condition: 'request.water',
    title: '水龙头漏水',
    summary: '后门边的水龙头关不紧，一直滴水',
    severity: 'minor',
    trade: 'plumber',
    location: { building: 'teach', buildingName: '教学楼', floor: 3, room: 'T303', roomName: '303教室' },
    reporter: { name: '王老师', phone: REPORTER_PHONE },
    reports: 2,
    assignee: 'li',
    assigneeName: '李师傅',
    assignedAt: new Date(T0).toISOString(),
    dueAt: new Date(T0 + 30 * MIN).toISOString(),
    ...over,
  });
const assigned = (over: Partial<Ticket> = {}): TicketEvent => ({ type: 'assigned', ticket: request(over), at: T0, assignee: 'li' });

const LI: Contact = { name: '李师傅', phone: '13800001111', wecomUserId: 'LiShiFu', dingtalkUserId: 'ding-li-01' };

function started(channel: Record<string, unknown>, contacts: Record<string, Contact> = { li: LI }): Notifier {
  // the channel keeps its default minSeverity (major): the assignment of a minor ticket goes out all the same
  const { notifier: n } = notifier(campusWith({ channels: [{ id: 'r', url: `${robot.url}?key=k`, trades: ['plumber'], ...channel }] }), {
    contactOf: (u) => contacts[u],
  });
  notifiers.push(n);
  return n;
}

async function one(n: Notifier, event: TicketEvent) {
  n.notify(event);
  await waitFor('the robot message, answered', () => robot.requests.length === 1 && n.status().channels[0]!.sent === 1);
  expect(robot.requests[0]!.raw).not.toContain(REPORTER_PHONE);
  return robot.requests[0]!.body;
}

const TEXT_FACTS = '学校：东南中学\n地点：教学楼 3层 303教室\n报修类别：水\n级别：一般\n工种：水工\n时间：2026-11-23 10:00\n报修人：王老师\n报修人次：2 人次\n维修工：李师傅\n应修好：2026-11-23 10:30';

describe('an assignment on a WeCom robot', () => {
  it('markdown: names the worker and mentions them with <@userid>', async () => {
    const body = await one(started({ type: 'wecom' }), assigned());
    expect(body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '### <font color="comment">【一般】派工：303教室 · 水 → 李师傅（#31）</font>',
          TEXT_FACTS.split('\n').map((l) => `> ${l}`).join('\n'),
          '后门边的水龙头关不紧，一直滴水',
          `[查看报修单](${BASE}/tickets?id=31)`,
          '<@LiShiFu>',
        ].join('\n\n'),
      },
    });
  });

  it('markdown, a worker known by phone only: sent as text with mentioned_mobile_list (markdown cannot mention a phone)', async () => {
    const body = await one(started({ type: 'wecom' }, { li: { name: '李师傅', phone: '138-0000-1111' } }), assigned());
    expect(body).toEqual({
      msgtype: 'text',
      text: {
        content: `【一般】派工：303教室 · 水 → 李师傅（#31）\n${TEXT_FACTS}\n后门边的水龙头关不紧，一直滴水\n查看报修单：${BASE}/tickets?id=31`,
        mentioned_mobile_list: ['13800001111'],
      },
    });
  });

  it('text: mentioned_list with the WeCom user id', async () => {
    const body = await one(started({ type: 'wecom', msgtype: 'text' }), assigned());
    expect(body.text.mentioned_list).toEqual(['LiShiFu']);
    expect(body.text.mentioned_mobile_list).toBeUndefined();
    expect(body.text.content.split('\n')[0]).toBe('【一般】派工：303教室 · 水 → 李师傅（#31）');
  });

  it('a worker the accounts do not know: the name the ticket carries, and no mention', async () => {
    const body = await one(started({ type: 'wecom' }, {}), assigned());
    expect(body.markdown.content).toMatch(/^### <font color="comment">【一般】派工：303教室 · 水 → 李师傅（#31）<\/font>/);
    expect(body.markdown.content).not.toContain('<@');
    expect(body.markdown.content.endsWith(`[查看报修单](${BASE}/tickets?id=31)`)).toBe(true);
  });

  it('an id that is not one (markup in an account) is not written into the message', async () => {
    const body = await one(started({ type: 'wecom' }, { li: { name: '李师傅', wecomUserId: 'li><font color="info">' } }), assigned());
    expect(body.markdown.content).not.toContain('<@');
    expect(body.markdown.content).not.toContain('color="info"');
  });
});

describe('an assignment on a DingTalk robot', () => {
  it('markdown: at.atUserIds with "@userId" as the last line', async () => {
    const body = await one(started({ type: 'dingtalk' }), assigned());
    expect(body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '【一般】派工：303教室 · 水 → 李师傅（#31）',
        text: [
          '### 【一般】派工：303教室 · 水 → 李师傅（#31）',
          TEXT_FACTS.split('\n').map((l) => `- ${l}`).join('\n'),
          '后门边的水龙头关不紧，一直滴水',
          `[查看报修单](${BASE}/tickets?id=31)`,
          '@ding-li-01',
        ].join('\n\n'),
      },
      at: { atMobiles: [], atUserIds: ['ding-li-01'], isAtAll: false },
    });
  });

  it('text, a worker known by phone: at.atMobiles with "@phone" in the text', async () => {
    const body = await one(started({ type: 'dingtalk', msgtype: 'text' }, { li: { name: '李师傅', phone: '13800001111' } }), assigned());
    expect(body).toEqual({
      msgtype: 'text',
      text: { content: `【一般】派工：303教室 · 水 → 李师傅（#31）\n${TEXT_FACTS}\n后门边的水龙头关不紧，一直滴水\n查看报修单：${BASE}/tickets?id=31\n\n@13800001111` },
      at: { atMobiles: ['13800001111'], atUserIds: [], isAtAll: false },
    });
  });
});

describe('overdue', () => {
  it('says when it was due, names and mentions the worker', async () => {
    const n = started({ type: 'wecom', msgtype: 'text', minSeverity: 'minor' });
    const body = await one(n, { type: 'overdue', ticket: request(), at: T0 + 31 * MIN });
    const [title, ...rest] = body.text.content.split('\n');
    expect(title).toBe('【一般】超时未修：303教室 · 水 → 李师傅，应于 10:30 前修好（#31）');
    expect(rest).toContain('应修好：2026-11-23 10:30');
    expect(body.text.mentioned_list).toEqual(['LiShiFu']);
  });

  it('due another day: the date too; nobody assigned: said so, nobody mentioned', async () => {
    const n = started({ type: 'wecom', msgtype: 'text', minSeverity: 'minor' });
    const t = request({ assignee: null, assigneeName: null, assignedAt: null, dueAt: '2026-11-22T09:00:00.000Z' }); // 17:00 the day before
    const body = await one(n, { type: 'overdue', ticket: t, at: T0 });
    expect(body.text.content.split('\n')[0]).toBe('【一般】超时未修：303教室 · 水（未派工），应于 11-22 17:00 前修好（#31）');
    expect(body.text.mentioned_list).toBeUndefined();
  });

  it('keeps to minSeverity (an assignment does not)', async () => {
    const n = started({ type: 'wecom', msgtype: 'text' });
    n.notify({ type: 'overdue', ticket: request(), at: T0 + 31 * MIN });
    n.notify(assigned());
    await waitFor('the assignment, answered', () => robot.requests.length === 1 && n.status().channels[0]!.sent === 1);
    expect(robot.requests[0]!.body.text.content).toMatch(/^【一般】派工/);
  });
});

describe("a person's request", () => {
  it("opened: the kind they picked, what they wrote, their name; the webhook's ticket has no phone", async () => {
    const n = started({ type: 'webhook', minSeverity: 'minor' });
    const t = request({ assignee: null, assigneeName: null, assignedAt: null, reports: 1 });
    const body = await one(n, { type: 'opened', ticket: t, at: T0 });
    expect(body).toEqual({
      type: 'ticket.opened',
      site: { id: 'dongnan', name: '东南中学' },
      link: `${BASE}/tickets?id=31`,
      ticket: { ...t, reporter: { name: '王老师', phone: null } },
      text: `【一般】新报修单 #31 水龙头漏水\n学校：东南中学\n地点：教学楼 3层 303教室\n报修类别：水\n级别：一般\n工种：水工\n时间：2026-11-23 10:00\n报修人：王老师\n后门边的水龙头关不紧，一直滴水\n查看报修单：${BASE}/tickets?id=31`,
    });
  });

  it('a place the reporter wrote (no room): the place in the message', async () => {
    const t = request({ deviceName: '操场东侧水龙头', location: { building: '', buildingName: '', floor: null, room: null, roomName: null } });
    const body = await one(started({ type: 'wecom', msgtype: 'text' }), { type: 'assigned', ticket: t, at: T0, assignee: 'li' });
    const lines: string[] = body.text.content.split('\n');
    expect(lines[0]).toBe('【一般】派工：操场东侧水龙头 · 水 → 李师傅（#31）');
    expect(lines).toContain('地点：操场东侧水龙头');
  });

  it('escalated while nobody is assigned: says it waits for a worker', async () => {
    const t = request({ assignee: null, assigneeName: null, assignedAt: null, severity: 'major', title: '303教室 · 水' });
    const body = await one(started({ type: 'wecom', msgtype: 'text' }), { type: 'escalated', ticket: t, at: T0 + 10 * MIN, unacknowledgedMinutes: 10 });
    expect(body.text.content.split('\n')[0]).toBe('【重要】10 分钟无人派工 #31 303教室 · 水');
    expect(body.text.mentioned_list).toBeUndefined();
  });

  it("assigned, on the webhook: who was assigned, by username and name", async () => {
    const body = await one(started({ type: 'webhook' }), assigned());
    expect(body).toMatchObject({ type: 'ticket.assigned', assignee: { username: 'li', name: '李师傅' } });
  });
});
