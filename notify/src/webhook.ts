/**
 * A generic JSON webhook: POST {type, site, link, ticket, text} for an event (type
 * "ticket.opened", "ticket.upgraded", "ticket.escalated" with unacknowledgedMinutes,
 * "ticket.resolved") or {type: "tickets.summary", count, events, ...} for a summary. The payload
 * of "ticket.escalated" is the one the former `escalationWebhook` sent, with link and text added.
 * Any 2xx answer is success.
 */
import type { Sender } from './dispatcher.ts';
import { postJson } from './http.ts';
import { plainText, type Message } from './message.ts';

export const webhookPayload = (m: Message): object => ({ ...m.json, text: plainText(m) });

export function webhookSender(url: string, headers: Record<string, string>): Sender {
  return { send: async (m) => void (await postJson(url, webhookPayload(m), headers)) };
}
