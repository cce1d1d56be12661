/**
 * WeCom (企业微信) group robot: POST {"msgtype":"markdown","markdown":{"content":...}} (or text) to
 * the robot's webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). The reply is
 * {"errcode":0,"errmsg":"ok"}; a robot takes 20 messages a minute. Markdown shows in the WeCom app
 * (not in personal WeChat): choose text for groups read through WeChat.
 */
import type { Sender } from './dispatcher.ts';
import { checkRobotReply, postJson } from './http.ts';
import { markdown, plainText, renderWithin, type Message } from './message.ts';

/** the robot's limits, bytes of UTF-8 */
const MAX_BYTES = { markdown: 4096, text: 2048 } as const;

export function wecomPayload(m: Message, msgtype: 'markdown' | 'text'): object {
  return msgtype === 'markdown'
    ? { msgtype, markdown: { content: renderWithin(m, (x) => markdown(x, 'wecom'), MAX_BYTES.markdown) } }
    : { msgtype, text: { content: renderWithin(m, plainText, MAX_BYTES.text) } };
}

export function wecomSender(url: string, msgtype: 'markdown' | 'text'): Sender {
  return { send: async (m) => checkRobotReply(await postJson(url, wecomPayload(m, msgtype)), 'WeCom robot') };
}
