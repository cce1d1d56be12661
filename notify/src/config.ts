/**
 * The campus file's channels (site/src/notifications.ts) made ready to send: secrets read from the
 * environment, one sender per channel, and the former `escalationWebhook` as a webhook channel
 * for escalations of every trade (so that escalation has one path, like every other event).
 */
import { TRADES } from '@campus/contract';
import type { Campus, NotificationChannelConfig, Secret } from '@campus/site';
import { dingtalkSender } from './dingtalk.ts';
import type { ChannelSpec, Sender } from './dispatcher.ts';
import { emailSender } from './email.ts';
import { SendError } from './http.ts';
import { webhookSender } from './webhook.ts';
import { wecomSender } from './wecom.ts';

export type Env = Record<string, string | undefined>;

export interface ChannelSetup {
  spec: ChannelSpec;
  sender: Sender;
  /** why the channel cannot work (an environment variable is not set); it then fails every message */
  problem?: string;
}

/** The channels of a campus file, `escalationWebhook` included. */
export function channelConfigs(campus: Campus): { config: NotificationChannelConfig; at: string }[] {
  const { channels, escalationWebhook } = campus.notifications;
  const out = channels.map((config, i) => ({ config, at: `notifications.channels[${i}]` }));
  if (escalationWebhook) {
    out.push({
      at: 'notifications.escalationWebhook',
      config: {
        id: 'escalationWebhook',
        type: 'webhook',
        url: escalationWebhook,
        headers: {},
        trades: [...TRADES],
        events: ['escalated'],
        minSeverity: 'info',
        // as before: every escalation, no quiet hours, no summary
        rateLimit: { max: 1000, perMinutes: 1 },
      },
    });
  }
  return out;
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function channelSetup(config: NotificationChannelConfig, at: string, key: string, env: Env): ChannelSetup {
  const q = config.quietHours;
  const spec: ChannelSpec = {
    key,
    type: config.type,
    trades: new Set(config.trades),
    events: new Set(config.events),
    minSeverity: config.minSeverity,
    quietHours: q && { from: minutes(q.from), to: minutes(q.to), critical: q.critical, text: `${q.from}–${q.to}` },
    rateLimit: { max: config.rateLimit.max, windowMs: config.rateLimit.perMinutes * 60_000 },
  };
  try {
    return { spec, sender: senderFor(config, at, env) };
  } catch (err) {
    const problem = (err as Error).message;
    return { spec, problem, sender: { send: () => Promise.reject(new SendError(problem, false)) } };
  }
}

function senderFor(c: NotificationChannelConfig, at: string, env: Env): Sender {
  const reveal = (value: Secret, field: string): string => {
    if (typeof value === 'string') return value;
    const v = env[value.env];
    if (!v) throw new Error(`${at}.${field}: environment variable ${value.env} is not set`);
    return v;
  };
  const url = (value: Secret): string => {
    const u = reveal(value, 'url');
    if (!/^https?:\/\//.test(u) || !URL.canParse(u)) throw new Error(`${at}.url: environment variable ${(value as { env: string }).env} is not an http(s) URL`);
    return u;
  };
  switch (c.type) {
    case 'wecom':
      return wecomSender(url(c.url), c.msgtype);
    case 'dingtalk':
      return dingtalkSender(url(c.url), c.secret === undefined ? undefined : reveal(c.secret, 'secret'), c.msgtype);
    case 'email': {
      const password = c.smtp.password === undefined ? undefined : reveal(c.smtp.password, 'smtp.password');
      return emailSender({ ...c.smtp, password }, c.from, c.to);
    }
    case 'webhook':
      return webhookSender(url(c.url), Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, reveal(v, `headers.${k}`)])));
  }
}
