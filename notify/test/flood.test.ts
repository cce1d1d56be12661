/**
 * A flood as ingest makes it: 50 findings on ledger devices through the real TicketService
 * (SQLite), its events into the notifier, a WeCom-shaped receiver: the configured 5 messages, then
 * one summary. Nothing of the sending reaches the ticketing (the tickets are all written first).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '@campus/runtime';
import { raise, TicketService, TicketStore } from '@campus/repairs';
import { createLog } from '@campus/runtime';
import { startHttpReceiver, tempDir, waitFor } from '@campus/testkit';
import { campusWith, ManualClock, notifier, T0 } from './fixture.ts';

const dir = tempDir();
afterAll(() => dir.remove());

describe('a flood of 50 tickets', () => {
  it('sends at most the configured 5 messages plus one summary', async () => {
    const wecom = await startHttpReceiver();
    const campus = campusWith({
      channels: [
        { id: 'office-wecom', type: 'wecom', url: wecom.url, trades: ['plumber', 'electrician', 'canteen', 'office'], rateLimit: { max: 5, perMinutes: 10 } },
      ],
    });
    const clock = new ManualClock(T0);
    const { notifier: n } = notifier(campus, { clock });
    const tickets = new TicketService(new TicketStore(openDb(join(dir.path, 'campus.db'))), [campus], createLog('test'));
    tickets.on('event', (e) => n.notify(e));
    // 25 devices, each silent and with a flat battery, in one batch, as a gateway outage brings them
    const findings = campus.devices.slice(0, 25).flatMap((d, i) =>
      ['device.offline', 'device.battery_low'].map((condition) =>
        raise(condition, d.id, T0 + i * 1000, {
          severity: 'major',
          trade: 'electrician',
          category: 'repair',
          title: '设备离线',
          summary: `${d.name} 无数据`,
        }),
      ),
    );
    const opened = tickets.apply(findings);
    expect(opened).toHaveLength(50);
    expect(tickets.list({ status: 'open' })).toHaveLength(50);

    await waitFor('5 messages', () => wecom.requests.length === 5);
    expect(n.status().channels[0]).toMatchObject({ sent: 5, held: 45 });
    clock.advance(10 * 60_000);
    await waitFor('the summary', () => wecom.requests.length === 6);
    const content: string = wecom.requests[5]!.body.markdown.content;
    expect(content.split('\n\n').slice(0, 2)).toEqual([
      '### <font color="comment">【汇总】另有 45 张报修单（通知过多，未逐条发送）</font>',
      '> 学校：东南中学\n> 新报修单：45 张（重要 45）',
    ]);
    expect(content).toContain('…… 共 45 张');
    await n.stop();
    expect(wecom.requests).toHaveLength(6);
    await wecom.close();
  });
});
