/**
 * WeCom (企业微信) group robot: POST {"msgtype":"markdown","markdown":{"content":...}} (or text) to
 * the robot's webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). The reply is
 * {"errcode":0,"errmsg":"ok"}; a robot takes 20 messages a minute. Markdown shows in the WeCom app
 * (not in personal WeChat): choose text for groups read through WeChat.
 *
 * Mentioning the worker (群机器人配置说明, https://developer.work.weixin.qq.com/document/path/91770):
 * a text message mentions by `text.mentioned_list` (WeCom user ids) or `text.mentioned_mobile_list`
 * (phones); markdown has no such lists, only `<@userid>` written in the content. So on a markdown
 * robot a worker known by user id is mentioned with `<@userid>`, and one known only by phone gets
 * that message as text with `mentioned_mobile_list` (the mention matters more than the formatting).
 */
import type { Sender } from './dispatcher.ts';
import { checkRobotReply, postJson } from './http.ts';
import { markdown, mentionOf, plainText, renderWithin, type Message } from './message.ts';

/** the robot's limits, bytes of UTF-8 */
const MAX_BYTES = { markdown: 4096, text: 2048 } as const;

export function wecomPayload(m: Message, msgtype: 'markdown' | 'text'): object {
  const mention = mentionOf(m, 'wecom');
  if (msgtype === 'markdown' && (!mention || 'userId' in mention)) {
    const tag = mention ? `\n\n<@${mention.userId}>` : '';
    return { msgtype, markdown: { content: renderWithin(m, (x) => markdown(x, 'wecom') + tag, MAX_BYTES.markdown) } };
  }
  const lists = mention && ('userId' in mention ? { mentioned_list: [mention.userId] } : { mentioned_mobile_list: [mention.phone] });
  return { msgtype: 'text', text: { content: renderWithin(m, plainText, MAX_BYTES.text), ...lists } };
}

export function wecomSender(url: string, msgtype: 'markdown' | 'text'): Sender {
  return { send: async (m) => checkRobotReply(await postJson(url, wecomPayload(m, msgtype)), 'WeCom robot') };
}
