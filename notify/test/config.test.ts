/** Channels in the campus file: every problem listed by path, the way `npm run campus -- check` shows them. */
import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { notifierSettings } from '@campus/notify';
import { readKnobs } from '@campus/runtime';
import { CampusConfigError } from '@campus/site';
import { campusWith } from './fixture.ts';

function problems(notifications: Record<string, unknown>): string[] {
  try {
    campusWith(notifications);
  } catch (err) {
    if (err instanceof CampusConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('notifications.channels in the campus file', () => {
  it('accepts the documented example, with defaults filled in', () => {
    const campus = campusWith({
      channels: [
        { id: 'plumbers', type: 'wecom', url: { env: 'CAMPUS_WECOM_PLUMBERS' }, trades: ['plumber'], quietHours: { from: '22:00', to: '06:30' } },
        {
          id: 'electricians',
          type: 'dingtalk',
          url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
          secret: { env: 'CAMPUS_DINGTALK_SECRET' },
          trades: ['electrician'],
        },
        {
          id: 'office',
          type: 'email',
          smtp: { host: 'smtp.exmail.qq.com', user: 'a@school.cn', password: { env: 'P' } },
          from: 'a@school.cn',
          to: ['b@school.cn'],
          trades: ['office'],
        },
      ],
    });
    expect(campus.notifications.channels[0]).toMatchObject({
      events: ['opened', 'upgraded', 'escalated', 'resolved', 'assigned', 'overdue'],
      minSeverity: 'major',
      msgtype: 'markdown',
      rateLimit: { max: 5, perMinutes: 10 },
      quietHours: { from: '22:00', to: '06:30', critical: 'send' },
    });
    expect(campus.notifications.channels[2]).toMatchObject({ smtp: { port: 465 } });
    expect(campus.notifications.escalateAfterMin).toBe(10);
  });

  it('lists every problem by path', () => {
    expect(
      problems({
        channels: [
          { id: 'a', type: 'telegram', url: 'https://x' },
          { id: 'b', type: 'wecom', url: 'ftp://x', trades: [] },
          { id: 'c', type: 'dingtalk', url: 'https://x', trades: ['janitor'], secret: { env: 'bad name' }, quietHours: { from: '7:00', to: '24:00' } },
          { id: 'c', type: 'webhook', url: 'https://x', trades: ['office'], minSeverity: 'urgent', rateLimit: { max: 0, perMinutes: 10 }, colour: 'red' },
          {
            id: 'e',
            type: 'email',
            smtp: { host: 'smtp.school.cn' },
            from: 'a@school.cn',
            to: ['not-an-address'],
            trades: ['office'],
            quietHours: { from: '08:00', to: '08:00' },
          },
        ],
      }),
    ).toEqual([
      'notifications.channels[0].type: type must be one of wecom, dingtalk, email, webhook',
      'notifications.channels[1].trades: name at least one trade',
      'notifications.channels[1].url: must be an http(s) URL',
      'notifications.channels[2].trades[0]: must be one of plumber, electrician, carpenter, it, canteen, office',
      'notifications.channels[2].quietHours.from: must be a time HH:MM',
      'notifications.channels[2].quietHours.to: must be a time HH:MM',
      'notifications.channels[2].secret.env: must be an environment variable name (letters, digits, "_")',
      'notifications.channels[3].minSeverity: must be one of critical, major, minor, info',
      'notifications.channels[3].rateLimit.max: must be 1-1000',
      'notifications.channels[3]: Unrecognized key: "colour"',
      'notifications.channels[4].to[0]: must be an email address',
    ]);
  });

  it('refuses a channel id used twice and quiet hours that never start', () => {
    expect(
      problems({
        channels: [
          { id: 'x', type: 'webhook', url: 'https://a', trades: ['office'] },
          { id: 'x', type: 'webhook', url: 'https://b', trades: ['office'], quietHours: { from: '08:00', to: '08:00' } },
        ],
      }),
    ).toEqual([
      'notifications.channels[1].id: "x" is already used by notifications.channels[0]',
      'notifications.channels[1].quietHours.to: must differ from "from"',
    ]);
  });
});

describe('CAMPUS_PUBLIC_URL', () => {
  it('is where the links point; without it, this machine and the dashboard port (and a warning)', () => {
    expect(notifierSettings(readKnobs({ CAMPUS_PUBLIC_URL: 'https://campus.school.cn/' }))).toEqual({
      publicUrl: 'https://campus.school.cn',
      publicUrlGuessed: false,
    });
    expect(notifierSettings(readKnobs({ CAMPUS_HTTP_PORT: '8080' }))).toEqual({ publicUrl: `http://${hostname()}:8080`, publicUrlGuessed: true });
  });

  it('must be an http(s) URL', () => {
    expect(() => readKnobs({ CAMPUS_PUBLIC_URL: 'campus.school.cn' })).toThrow(
      'CAMPUS_PUBLIC_URL=campus.school.cn: must be an http(s) URL such as https://campus.school.cn',
    );
  });
});
