/**
 * DingTalk (钉钉) group robot: POST {"msgtype":"markdown","markdown":{"title","text"}} (or text) to
 * https://oapi.dingtalk.com/robot/send?access_token=... The reply is {"errcode":0,"errmsg":"ok"}.
 * A robot in signed mode (加签) needs `&timestamp=<ms>&sign=<s>` on the URL, where s is the
 * base64 of HmacSHA256(key = secret, `${timestamp}\n${secret}`), URL-encoded; DingTalk refuses a
 * timestamp more than an hour off (errcode 310000), so each attempt signs afresh. A robot in
 * keyword mode needs the keyword in the text: every message here contains 「报修单」.
 */
import { createHmac } from 'node:crypto';
import type { Sender } from './dispatcher.ts';
import { checkRobotReply, postJson } from './http.ts';
import { markdown, mentionOf, plainText, renderWithin, type Message } from './message.ts';

const MAX_BYTES = 18_000;

export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function signedUrl(url: string, secret: string, timestamp: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
}

/**
 * Mentioning the worker (自定义机器人发送群消息, https://open.dingtalk.com/document/robots/custom-robot-access;
 * message types, https://open.dingtalk.com/document/development/robot-message-type): text and markdown
 * both take `at: {atMobiles, atUserIds, isAtAll}`, and the person is highlighted where the text holds
 * "@phone" (or "@userId"): the last line here.
 */
export function dingtalkPayload(m: Message, msgtype: 'markdown' | 'text'): object {
  const mention = mentionOf(m, 'dingtalk');
  const handle = mention && ('userId' in mention ? mention.userId : mention.phone);
  const tag = handle ? `\n\n@${handle}` : '';
  const at = mention && { at: { atMobiles: 'phone' in mention ? [mention.phone] : [], atUserIds: 'userId' in mention ? [mention.userId] : [], isAtAll: false } };
  return msgtype === 'markdown'
    ? { msgtype, markdown: { title: m.title, text: renderWithin(m, (x) => markdown(x, 'dingtalk') + tag, MAX_BYTES) }, ...at }
    : { msgtype, text: { content: renderWithin(m, (x) => plainText(x) + tag, MAX_BYTES) }, ...at };
}

export function dingtalkSender(url: string, secret: string | undefined, msgtype: 'markdown' | 'text', now: () => number = Date.now): Sender {
  return {
    send: async (m) => checkRobotReply(await postJson(secret ? signedUrl(url, secret, now()) : url, dingtalkPayload(m, msgtype)), 'DingTalk robot'),
  };
}
