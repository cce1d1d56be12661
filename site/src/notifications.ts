/**
 * The campus file's notification channels (`notifications.channels`): where ticket events go, per
 * trade (README "Notifications"). Secrets (a robot's URL with its key, a DingTalk signing secret,
 * an SMTP password) may be written in the file or named as an environment variable: `{ env: NAME }`.
 */
import { z } from 'zod';
import { ID_PATTERN, SEVERITIES, TICKET_EVENT_TYPES, TRADES } from '@campus/contract';

const id = z.string().regex(ID_PATTERN, { error: 'must be letters, digits, "_", "-" or "." (no "/", "+", "#"), at most 64 characters' });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time HH:MM' });
const fromEnv = z.strictObject({
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name (letters, digits, "_")' }),
});
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A value written in the file, or `{ env: NAME }`: read from the environment at start-up. */
export type Secret = string | { env: string };
const secret = z.union([z.string().min(1, { error: 'must not be empty' }), fromEnv], { error: 'must be a text, or { env: VARIABLE_NAME }' });
const urlOrEnv = z.union([httpUrl, fromEnv], { error: 'must be an http(s) URL, or { env: VARIABLE_NAME }' });

const common = {
  id,
  /** which trades' tickets this channel carries (the trade on duty reads it) */
  trades: z.array(z.enum(TRADES, { error: `must be one of ${TRADES.join(', ')}` })).min(1, { error: 'name at least one trade' }),
  /** which events; default all of them */
  events: z
    .array(z.enum(TICKET_EVENT_TYPES, { error: `must be one of ${TICKET_EVENT_TYPES.join(', ')}` }))
    .min(1)
    .default([...TICKET_EVENT_TYPES]),
  /** the least severe ticket worth a message (escalations are always critical) */
  minSeverity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).default('major'),
  /** no messages between `from` and `to` (site time); what was held goes out as one summary at `to` */
  quietHours: z.strictObject({ from: clock, to: clock, critical: z.enum(['send', 'hold'], { error: 'must be send or hold' }).default('send') }).optional(),
  /** at most `max` messages in any `perMinutes`; past it, one summary message replaces the rest */
  rateLimit: z
    .strictObject({
      max: z.number({ error: 'must be a number' }).int().min(1, { error: 'must be 1-1000' }).max(1000, { error: 'must be 1-1000' }),
      perMinutes: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' }).max(1440),
    })
    .default({ max: 5, perMinutes: 10 }),
};
const msgtype = z.enum(['markdown', 'text'], { error: 'must be markdown or text' }).default('markdown');

const wecom = z.strictObject({ ...common, type: z.literal('wecom'), url: urlOrEnv, msgtype });
const dingtalk = z.strictObject({
  ...common,
  type: z.literal('dingtalk'),
  url: urlOrEnv,
  /** the robot's 加签 secret (SEC...), when the robot is set to signed mode */
  secret: secret.optional(),
  msgtype,
});
const email = z.strictObject({
  ...common,
  type: z.literal('email'),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(465),
    /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. Default: port is 465 */
    secure: z.boolean().optional(),
    user: z.string().min(1).optional(),
    password: secret.optional(),
  }),
  from: z.string().min(3),
  to: z.array(z.email({ error: 'must be an email address' })).min(1, { error: 'name at least one address' }),
});
const webhook = z.strictObject({
  ...common,
  type: z.literal('webhook'),
  url: urlOrEnv,
  /** extra request headers, e.g. { Authorization: { env: HOOK_TOKEN } } */
  headers: z.record(z.string(), secret).default({}),
});

export const notificationChannelSchema = z.discriminatedUnion('type', [wecom, dingtalk, email, webhook], {
  error: 'type must be one of wecom, dingtalk, email, webhook',
});

export const notificationsSchema = z
  .strictObject({
    /** POSTed (JSON) when a critical ticket is still unacknowledged after `escalateAfterMin` (a webhook channel for every trade) */
    escalationWebhook: httpUrl.optional(),
    escalateAfterMin: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' }).default(10),
    channels: z.array(notificationChannelSchema).default([]),
  })
  .default({ escalateAfterMin: 10, channels: [] });

export type NotificationChannelConfig = z.infer<typeof notificationChannelSchema>;
export type NotificationsConfig = z.infer<typeof notificationsSchema>;

/** Problems a schema cannot see: channel ids used twice, quiet hours that never start. */
export function notificationProblems(n: { channels?: readonly { id: string; quietHours?: { from: string; to: string } }[] }): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  (n.channels ?? []).forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) problems.push(`notifications.channels[${i}].id: "${c.id}" is already used by notifications.channels[${first}]`);
    else seen.set(c.id, i);
    if (c.quietHours && c.quietHours.from === c.quietHours.to) problems.push(`notifications.channels[${i}].quietHours.to: must differ from "from"`);
  });
  return problems;
}
