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
import { markdown, plainText, renderWithin, type Message } from './message.ts';

const MAX_BYTES = 18_000;

export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function signedUrl(url: string, secret: string, timestamp: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
}

export function dingtalkPayload(m: Message, msgtype: 'markdown' | 'text'): object {
  return msgtype === 'markdown'
    ? { msgtype, markdown: { title: m.title, text: renderWithin(m, (x) => markdown(x, 'dingtalk'), MAX_BYTES) } }
    : { msgtype, text: { content: renderWithin(m, plainText, MAX_BYTES) } };
}

export function dingtalkSender(url: string, secret: string | undefined, msgtype: 'markdown' | 'text', now: () => number = Date.now): Sender {
  return {
    send: async (m) => checkRobotReply(await postJson(secret ? signedUrl(url, secret, now()) : url, dingtalkPayload(m, msgtype)), 'DingTalk robot'),
  };
}
