/**
 * Each channel against a real local receiver, byte for byte: the WeCom and DingTalk robots' JSON
 * (DingTalk's signature recomputed here), the mail an SMTP server receives, the webhook's JSON,
 * and `escalationWebhook` as before.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, startSmtpInbox, waitFor, type HttpReceiver, type SmtpInbox } from '@campus/testkit';
import type { Notifier } from '@campus/notify';
import { BASE, campusWith, MIN, notifier, opened, T0, ticket } from './fixture.ts';

const receivers: HttpReceiver[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop();
});
afterAll(async () => {
  for (const r of receivers) await r.close();
});

async function receiver(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  receivers.push(r);
  return r;
}

function started(...args: Parameters<typeof notifier>): Notifier {
  const { notifier: n } = notifier(...args);
  notifiers.push(n);
  return n;
}

const plumbers = { trades: ['plumber'] };

describe('WeCom group robot', () => {
  it('gets the markdown message: what, where, how bad, when, and the link', async () => {
    const wecom = await receiver();
    const n = started(campusWith({ channels: [{ id: 'plumbers-wecom', type: 'wecom', url: `${wecom.url}?key=abc`, ...plumbers }] }));
    n.notify(opened());
    // the robot has the request before the notifier has its answer: wait for the notifier's count too
    await waitFor('the robot message, answered', () => wecom.requests.length === 1 && n.status().channels[0]!.sent === 1);
    const [req] = wecom.requests;
    expect(req!.query.get('key')).toBe('abc');
    expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req!.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '### <font color="warning">【紧急】新报修单 #12 水表报警：爆管</font>',
          '> 学校：东南中学\n> 地点：学生公寓 2层\n> 设备：学生公寓2层水表（男生）\n> 级别：紧急\n> 工种：水工\n> 时间：2026-11-23 10:00',
          '水表自报 BURST（爆管），请立即关阀检查',
          `[查看报修单](${BASE}/tickets?id=12)`,
        ].join('\n\n'),
      },
    });
    expect(n.status().channels[0]).toMatchObject({ id: 'plumbers-wecom', type: 'wecom', state: 'ok', sent: 1, failed: 0 });
  });

  it("gets plain text when asked, and only its trades' tickets", async () => {
    const wecom = await receiver();
    const n = started(campusWith({ channels: [{ id: 'w', type: 'wecom', url: wecom.url, msgtype: 'text', trades: ['canteen'], minSeverity: 'minor' }] }));
    const fridge = ticket({
      id: 3,
      trade: 'canteen',
      severity: 'minor',
      title: '冷柜累计超温',
      summary: '今日累计 65 分钟',
      deviceName: '留样柜',
      location: { building: 'canteen', buildingName: '食堂', floor: 1, room: 'C-SAMPLE', roomName: '留样间' },
    });
    n.notify({ type: 'opened', ticket: fridge, at: T0 + 5 * MIN });
    n.notify(opened()); // a plumber's ticket: not this channel's
    // the robot has the request before the notifier has its answer: wait for the notifier's count too
    await waitFor('the robot message, answered', () => wecom.requests.length === 1 && n.status().channels[0]!.sent === 1);
    expect(wecom.requests[0]!.body).toEqual({
      msgtype: 'text',
      text: {
        content: `【一般】新报修单 #3 冷柜累计超温\n学校：东南中学\n地点：食堂 1层 留样间\n设备：留样柜\n级别：一般\n工种：食堂\n时间：2026-11-23 10:05\n今日累计 65 分钟\n查看报修单：${BASE}/tickets?id=3`,
      },
    });
  });

  it('keeps names from the campus file from opening links or markup', async () => {
    const wecom = await receiver();
    const n = started(campusWith({ channels: [{ id: 'w', type: 'wecom', url: wecom.url, ...plumbers }] }));
    n.notify(opened({ deviceName: '水表[点我](http://evil.example)<font color="info">*', title: '漏水' }));
    // the robot has the request before the notifier has its answer: wait for the notifier's count too
    await waitFor('the robot message, answered', () => wecom.requests.length === 1 && n.status().channels[0]!.sent === 1);
    const content: string = wecom.requests[0]!.body.markdown.content;
    expect(content).toContain('> 设备：水表［点我］(http://evil.example)＜font color="info"＞＊\n');
    expect(content.match(/\]\(/g)).toHaveLength(1); // the ticket link only
  });
});

describe('DingTalk group robot', () => {
  it('signs every message with the secret (加签): timestamp and HmacSHA256, recomputed here', async () => {
    const ding = await receiver();
    const secret = 'SEC0123456789abcdef';
    const n = started(
      campusWith({ channels: [{ id: 'ding', type: 'dingtalk', url: `${ding.url}?access_token=tok`, secret: { env: 'TEST_DING_SECRET' }, ...plumbers }] }),
      { env: { TEST_DING_SECRET: secret } },
    );
    const before = Date.now();
    n.notify({ type: 'escalated', ticket: ticket({ escalatedAt: new Date(T0 + 10 * MIN).toISOString() }), at: T0 + 10 * MIN, unacknowledgedMinutes: 10 });
    await waitFor('the robot message', () => ding.requests.length === 1);
    const req = ding.requests[0]!;
    expect([...req.query.keys()]).toEqual(['access_token', 'timestamp', 'sign']);
    expect(req.query.get('access_token')).toBe('tok');
    const timestamp = Number(req.query.get('timestamp'));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(req.query.get('sign')).toBe(expected);
    // on the wire the signature is URL-encoded (base64 has "+", "/" and "=")
    expect(req.target).toBe(`/hook?access_token=tok&timestamp=${timestamp}&sign=${encodeURIComponent(expected)}`);
    expect(req.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '【紧急】10 分钟无人确认 #12 水表报警：爆管',
        text: [
          '### 【紧急】10 分钟无人确认 #12 水表报警：爆管',
          '- 学校：东南中学\n- 地点：学生公寓 2层\n- 设备：学生公寓2层水表（男生）\n- 级别：紧急\n- 工种：水工\n- 时间：2026-11-23 10:10',
          '水表自报 BURST（爆管），请立即关阀检查',
          `[查看报修单](${BASE}/tickets?id=12)`,
        ].join('\n\n'),
      },
    });
  });

  it('records a refused signature (errcode 310000) as the channel down, without retrying', async () => {
    const ding = await receiver();
    ding.respond = () => ({ body: { errcode: 310000, errmsg: 'sign not match' } });
    const n = started(campusWith({ channels: [{ id: 'ding', type: 'dingtalk', url: ding.url, secret: 'SECwrong', ...plumbers }] }));
    n.notify(opened());
    await waitFor('the channel down', () => n.status().down.includes('ding'));
    expect(n.status().channels[0]).toMatchObject({ state: 'down', failed: 1, lastError: 'DingTalk robot refused the message: errcode 310000 sign not match' });
    expect(ding.requests).toHaveLength(1);
  });
});

describe('email over SMTP', () => {
  let inbox: SmtpInbox;
  beforeAll(async () => {
    inbox = await startSmtpInbox({ 'alerts@school.cn': 'pa55-from-env' });
  });
  afterAll(() => inbox.close());
  const mail = (over: Record<string, unknown>) =>
    campusWith({
      channels: [{ id: 'office-mail', type: 'email', from: '东南中学后勤 <alerts@school.cn>', to: ['zongwu@school.cn', 'li@school.cn'], ...over }],
    });

  it('reaches the inbox with the login from the environment, subject and text in Chinese', async () => {
    const smtp = { host: '127.0.0.1', port: inbox.port, user: 'alerts@school.cn', password: { env: 'TEST_SMTP_PASSWORD' } };
    const n = started(mail({ smtp, trades: ['plumber', 'office'], events: ['resolved'] }), { env: { TEST_SMTP_PASSWORD: 'pa55-from-env' } });
    n.notify(opened()); // not an event this channel carries
    const resolved = ticket({ status: 'resolved', resolvedBy: '李师傅', resolvedAt: new Date(T0 + 40 * MIN).toISOString() });
    n.notify({ type: 'resolved', ticket: resolved, at: T0 + 40 * MIN });
    await waitFor('the mail', () => inbox.mails.length === 1, { timeoutMs: 20_000 });
    expect(inbox.mails[0]).toMatchObject({
      user: 'alerts@school.cn',
      mailFrom: 'alerts@school.cn',
      rcptTo: ['zongwu@school.cn', 'li@school.cn'],
      from: 'alerts@school.cn',
      to: ['zongwu@school.cn', 'li@school.cn'],
      subject: '【已办结】报修单 #12 水表报警：爆管 — 东南中学',
    });
    expect(inbox.mails[0]!.text.trim()).toBe(
      `【已办结】报修单 #12 水表报警：爆管\n学校：东南中学\n地点：学生公寓 2层\n设备：学生公寓2层水表（男生）\n级别：紧急\n工种：水工\n时间：2026-11-23 10:40\n处理人：李师傅\n水表自报 BURST（爆管），请立即关阀检查\n查看报修单：${BASE}/tickets?id=12`,
    );
  });

  it("a refused login is final: the channel is down with the server's answer", async () => {
    const n = started(mail({ smtp: { host: '127.0.0.1', port: inbox.port, user: 'alerts@school.cn', password: 'wrong' }, ...plumbers }));
    n.notify(opened());
    await waitFor('the channel down', () => n.status().channels[0]!.failed === 1, { timeoutMs: 20_000 });
    expect(n.status().channels[0]!.lastError).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*535/);
    expect(inbox.mails).toHaveLength(1); // the first test's only
  });
});

describe('generic webhook', () => {
  it('gets the JSON event with the ticket, the link, the text, and headers from the environment', async () => {
    const hook = await receiver();
    const n = started(
      campusWith({
        channels: [
          { id: 'it', type: 'webhook', url: hook.url, headers: { Authorization: { env: 'TEST_HOOK_TOKEN' } }, trades: ['plumber'], minSeverity: 'info' },
        ],
      }),
      { env: { TEST_HOOK_TOKEN: 'Bearer t0ken' } },
    );
    const t = ticket({ severity: 'major' });
    n.notify({ type: 'upgraded', ticket: t, at: T0 + MIN });
    await waitFor('the webhook', () => hook.requests.length === 1);
    expect(hook.requests[0]!.headers.authorization).toBe('Bearer t0ken');
    expect(hook.requests[0]!.body).toEqual({
      type: 'ticket.upgraded',
      site: { id: 'dongnan', name: '东南中学' },
      link: `${BASE}/tickets?id=12`,
      ticket: t,
      text: `【重要】报修单升级 #12 水表报警：爆管\n学校：东南中学\n地点：学生公寓 2层\n设备：学生公寓2层水表（男生）\n级别：重要\n工种：水工\n时间：2026-11-23 10:01\n水表自报 BURST（爆管），请立即关阀检查\n查看报修单：${BASE}/tickets?id=12`,
    });
  });

  it('escalationWebhook still gets every escalation, in the documented payload, and nothing else', async () => {
    const hook = await receiver();
    const n = started(campusWith({ escalateAfterMin: 10, escalationWebhook: hook.url }));
    n.notify(opened());
    const t = ticket({ trade: 'canteen', escalatedAt: new Date(T0 + 12 * MIN).toISOString() });
    n.notify({ type: 'escalated', ticket: t, at: T0 + 12 * MIN, unacknowledgedMinutes: 12 });
    await waitFor('the escalation', () => hook.requests.length === 1);
    expect(hook.requests[0]!.body).toMatchObject({ type: 'ticket.escalated', site: { id: 'dongnan', name: '东南中学' }, unacknowledgedMinutes: 12, ticket: t });
    expect(n.status().channels.map((c) => c.id)).toEqual(['escalationWebhook']);
  });
});

describe('a secret the environment does not hold', () => {
  it('leaves the channel down from the start, naming the path and the variable; nothing is sent', async () => {
    const ding = await receiver();
    const n = started(campusWith({ channels: [{ id: 'ding', type: 'dingtalk', url: ding.url, secret: { env: 'TEST_UNSET_SECRET' }, ...plumbers }] }), {
      env: {},
    });
    await n.start();
    const problem = 'notifications.channels[0].secret: environment variable TEST_UNSET_SECRET is not set';
    expect(n.status()).toMatchObject({ down: ['ding'], channels: [{ state: 'down', lastError: problem }] });
    n.notify(opened());
    await waitFor('the message given up', () => n.status().channels[0]!.failed === 1);
    expect(ding.requests).toHaveLength(0);
  });
});
