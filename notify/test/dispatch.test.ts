/**
 * The dispatcher's rules on a clock the test moves, against a real local receiver: the rate limit
 * and its one summary, quiet hours in the site's time zone, retries with backoff, a channel that
 * is down (recorded, in the metrics, never the caller's problem).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, waitFor, type HttpReceiver } from '@campus/testkit';
import type { Notifier } from '@campus/notify';
import type { Severity } from '@campus/contract';
import { BASE, campusWith, ManualClock, MIN, notifier, opened, T0 } from './fixture.ts';

let hook: HttpReceiver;
const notifiers: Notifier[] = [];
beforeAll(async () => {
  hook = await startHttpReceiver();
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop();
  hook.requests.length = 0;
  hook.respond = () => ({ status: 200, body: {} });
});
afterAll(() => hook.close());

function setup(channel: Record<string, unknown>, clock: ManualClock, over: Parameters<typeof notifier>[1] = {}) {
  const campus = campusWith({ channels: [{ id: 'hook', type: 'webhook', url: hook.url, trades: ['plumber'], minSeverity: 'info', ...channel }] });
  const made = notifier(campus, { clock, ...over });
  notifiers.push(made.notifier);
  return made;
}

const types = () => hook.requests.map((r) => r.body.type as string);

describe('rate limit', () => {
  it('a flood of 50 tickets sends the configured 5 messages, then ONE summary when the window has room', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n, metrics } = setup({ rateLimit: { max: 5, perMinutes: 10 } }, clock);
    const severities: Severity[] = ['major', 'critical', 'minor'];
    for (let i = 1; i <= 50; i++) {
      clock.advance(1000);
      n.notify(opened({ id: i, title: `漏水 ${i}`, severity: severities[i % 3]! }, clock.now()));
    }
    // the hook has a request before the notifier has its answer: wait for the notifier's count too
    await waitFor('the first 5 messages, answered', () => hook.requests.length === 5 && n.status().channels[0]!.sent === 5);
    expect(n.status().channels[0]).toMatchObject({ held: 45, queued: 0, sent: 5 });
    expect(types()).toEqual(Array(5).fill('ticket.opened'));
    expect(hook.requests.map((r) => r.body.ticket.id)).toEqual([1, 2, 3, 4, 5]);

    // the window has room 10 minutes after the first message (T0 + 1 s); the clock is at T0 + 50 s
    clock.advance(10 * MIN - 49_000 - 1);
    expect(n.status().channels[0]!.held).toBe(45);
    clock.advance(1);
    await waitFor('the summary, answered', () => hook.requests.length === 6 && n.status().channels[0]!.sent === 6);
    const summary = hook.requests[5]!.body;
    expect(summary).toMatchObject({
      type: 'tickets.summary',
      site: { id: 'dongnan', name: '东南中学' },
      reasons: ['rate_limit'],
      count: 45,
      link: `${BASE}/tickets`,
    });
    expect(summary.events).toHaveLength(45);
    expect(summary.text).toBe(
      [
        '【汇总】另有 45 张报修单（通知过多，未逐条发送）',
        '学校：东南中学',
        '新报修单：45 张（紧急 15，重要 15，一般 15）',
        // the worst first, newest first
        '【紧急】#49 漏水 49 · 学生公寓 2层 · 学生公寓2层水表（男生）',
        '【紧急】#46 漏水 46 · 学生公寓 2层 · 学生公寓2层水表（男生）',
        '【紧急】#43 漏水 43 · 学生公寓 2层 · 学生公寓2层水表（男生）',
        '【紧急】#40 漏水 40 · 学生公寓 2层 · 学生公寓2层水表（男生）',
        '【紧急】#37 漏水 37 · 学生公寓 2层 · 学生公寓2层水表（男生）',
        '…… 共 45 张',
        `查看全部报修单：${BASE}/tickets`,
      ].join('\n'),
    );
    expect(n.status().channels[0]).toMatchObject({ held: 0, sent: 6 });
    const text = metrics.render();
    expect(text).toContain('campus_notify_sent_total{channel="hook",kind="event"} 5');
    expect(text).toContain('campus_notify_sent_total{channel="hook",kind="summary"} 1');
    expect(text).toContain('campus_notify_held_total{channel="hook",reason="rate_limit"} 45');

    // the summary took a slot: the next event waits until the second message leaves the window
    n.notify(opened({ id: 51 }, clock.now()));
    expect(n.status().channels[0]!.held).toBe(1);
    clock.advance(1000);
    await waitFor('the next event, as itself', () => hook.requests.length === 7);
    expect(hook.requests[6]!.body).toMatchObject({ type: 'ticket.opened', ticket: { id: 51 } });
  });

  it('one event held alone goes out as itself, not as a summary', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n } = setup({ rateLimit: { max: 1, perMinutes: 5 } }, clock);
    n.notify(opened({ id: 1 }));
    n.notify(opened({ id: 2 }));
    await waitFor('the first', () => hook.requests.length === 1);
    clock.advance(5 * MIN);
    await waitFor('the second', () => hook.requests.length === 2);
    expect(hook.requests.map((r) => [r.body.type, r.body.ticket.id])).toEqual([
      ['ticket.opened', 1],
      ['ticket.opened', 2],
    ]);
  });
});

describe('quiet hours (site time)', () => {
  const night = Date.parse('2026-11-23T23:30:00+08:00');

  it('hold what is not critical until they end, then send one summary; critical goes through', async () => {
    const clock = new ManualClock(night);
    const { notifier: n, metrics } = setup({ quietHours: { from: '22:00', to: '06:30' }, rateLimit: { max: 10, perMinutes: 10 } }, clock);
    n.notify(opened({ id: 1, severity: 'major' }, clock.now()));
    n.notify(opened({ id: 2, severity: 'critical' }, clock.now()));
    n.notify(opened({ id: 3, severity: 'minor' }, clock.now()));
    await waitFor('the critical one at once', () => hook.requests.length === 1);
    expect(hook.requests[0]!.body.ticket.id).toBe(2);
    clock.advance(Date.parse('2026-11-24T06:29:59+08:00') - clock.now());
    expect(n.status().channels[0]!.held).toBe(2);
    clock.advance(1000);
    await waitFor('the summary at 06:30', () => hook.requests.length === 2);
    expect(hook.requests[1]!.body).toMatchObject({ type: 'tickets.summary', reasons: ['quiet_hours'], count: 2 });
    expect(hook.requests[1]!.body.text.split('\n').slice(0, 3)).toEqual([
      '【汇总】另有 2 张报修单（静默时段（22:00–06:30）内未发送）',
      '学校：东南中学',
      '新报修单：2 张（重要 1，一般 1）',
    ]);
    expect(metrics.render()).toContain('campus_notify_held_total{channel="hook",reason="quiet_hours"} 2');
  });

  it('with critical: hold, even a critical ticket waits for the morning', async () => {
    const clock = new ManualClock(night);
    const { notifier: n } = setup({ quietHours: { from: '22:00', to: '06:30', critical: 'hold' } }, clock);
    n.notify(opened({ id: 2, severity: 'critical' }, clock.now()));
    clock.advance(6 * 60 * MIN);
    expect(n.status().channels[0]!.held).toBe(1);
    expect(hook.requests).toHaveLength(0);
    clock.advance(60 * MIN);
    await waitFor('the ticket itself at 06:30', () => hook.requests.length === 1);
    expect(hook.requests[0]!.body).toMatchObject({ type: 'ticket.opened', ticket: { id: 2 } });
  });

  it('a daytime window (12:00-13:30, not across midnight) holds only inside it', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T11:59:00+08:00'));
    const { notifier: n } = setup({ quietHours: { from: '12:00', to: '13:30' } }, clock);
    n.notify(opened({ id: 1, severity: 'major' }, clock.now()));
    await waitFor('before the window', () => hook.requests.length === 1);
    clock.advance(MIN);
    n.notify(opened({ id: 2, severity: 'major' }, clock.now()));
    expect(n.status().channels[0]!.held).toBe(1);
    clock.advance(90 * MIN);
    await waitFor('after the window', () => hook.requests.length === 2);
  });
});

describe('delivery', () => {
  it('retries with backoff (1, 2, 4 s) until the receiver answers; the channel is down meanwhile', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n, metrics } = setup({}, clock);
    let failures = 3;
    hook.respond = () => (failures-- > 0 ? { status: 503, body: { error: 'maintenance' } } : { status: 200 });
    n.notify(opened());
    await waitFor('the 4th attempt to get through', () => n.status().channels[0]!.state === 'ok');
    expect(hook.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(n.status().channels[0]).toMatchObject({ state: 'ok', sent: 1, failed: 0, lastError: expect.stringMatching(/^127\.0\.0\.1:\d+: HTTP 503/) });
    const text = metrics.render();
    expect(text).toContain('campus_notify_attempt_errors_total{channel="hook"} 3');
    expect(text).toContain('campus_notify_channel_up{channel="hook",type="webhook"} 1');
  });

  it('gives up after the retries and records the channel down; notify() returns at once and never throws', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n, metrics } = setup({}, clock, { retry: { retries: 2 } });
    hook.respond = () => ({ status: 502 });
    const t = performance.now();
    n.notify(opened());
    n.notify({ type: 'opened', ticket: null as never, at: T0 }); // a broken event is logged, not thrown
    expect(performance.now() - t).toBeLessThan(50);
    await waitFor('the channel down', () => n.status().channels[0]!.failed === 1);
    expect(hook.requests).toHaveLength(3);
    expect(n.status()).toMatchObject({ down: ['hook'], channels: [{ state: 'down', downSince: new Date(T0).toISOString(), sent: 0 }] });
    const text = metrics.render();
    expect(text).toContain('campus_notify_failed_total{channel="hook"} 1');
    expect(text).toContain('campus_notify_channel_up{channel="hook",type="webhook"} 0');
    // and it comes back by itself with the next message that gets through
    hook.respond = () => ({ status: 200 });
    n.notify(opened({ id: 13 }));
    await waitFor('up again', () => n.status().channels[0]!.state === 'ok');
    expect(n.status().down).toEqual([]);
  });

  it('does not retry what cannot succeed (HTTP 404: a wrong URL)', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n } = setup({}, clock);
    hook.respond = () => ({ status: 404 });
    n.notify(opened());
    await waitFor('given up', () => n.status().channels[0]!.failed === 1);
    expect(hook.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('a channel that does not answer at all is bounded: old messages are dropped, counted, and stop() does not wait for ever', async () => {
    const clock = new ManualClock(T0);
    const { notifier: n, metrics } = setup({ url: 'http://127.0.0.1:9/refused', rateLimit: { max: 100, perMinutes: 1 } }, clock, {
      maxQueue: 3,
      stopGraceMs: 100,
    });
    for (let i = 1; i <= 6; i++) n.notify(opened({ id: i }));
    expect(n.status().channels[0]!.queued).toBe(3);
    expect(metrics.render()).toContain('campus_notify_dropped_total{channel="hook"} 3');
    await n.stop();
    expect(n.status().channels[0]!.state).toBe('down');
  });
});
