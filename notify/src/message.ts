/**
 * What a notification says, in Chinese, once for every channel: what happened, where (school,
 * building / floor / room, device), how bad, when, and the link to the ticket. Each channel
 * renders the same Message as plain text, markdown or JSON.
 */
import {
  SEVERITY_LABELS_ZH,
  SEVERITY_RANK,
  TRADE_LABELS_ZH,
  type Severity,
  type Ticket,
  type TicketEvent,
  type TicketEventType,
  type TicketLocation,
} from '@campus/contract';

export interface MessageContext {
  site: { id: string; name: string };
  /** the dashboard as staff reach it, without a trailing slash */
  baseUrl: string;
  /** "2026-11-23 10:00" in the site's time zone */
  localTime: (ts: number) => string;
}

export interface Message {
  kind: 'event' | 'summary';
  /** the school's name (an email's subject names it) */
  site: string;
  /** the worst severity it speaks of */
  severity: Severity;
  /** one line: 【紧急】新报修单 #12 流量骤增（疑似爆管） */
  title: string;
  /** label and value: 学校, 地点, 设备, 级别, 工种, 时间 … */
  facts: [string, string][];
  /** free text under the facts: the detector's summary, or the list of held tickets */
  body: string[];
  link: { text: string; url: string };
  /** the generic webhook's payload */
  json: Record<string, unknown>;
}

export const EVENT_LABELS_ZH: Readonly<Record<TicketEventType, string>> = Object.freeze({
  opened: '新报修单',
  upgraded: '报修单升级',
  escalated: '紧急报修单无人确认',
  resolved: '报修单已解决',
  assigned: '派工',
  overdue: '报修单超时未修',
});

export function placeOf(location: TicketLocation): string {
  const parts = [location.buildingName || location.building];
  if (location.floor !== null) parts.push(`${location.floor}层`);
  if (location.roomName) parts.push(location.roomName);
  return parts.filter(Boolean).join(' ') || '—';
}

export const ticketLink = (ctx: MessageContext, id: number): string => `${ctx.baseUrl}/tickets?id=${id}`;

/** The message for one ticket event. */
export function eventMessage(event: TicketEvent, ctx: MessageContext): Message {
  const t = event.ticket;
  const severity = SEVERITY_LABELS_ZH[t.severity];
  const what = { opened: '新报修单', upgraded: '报修单升级', escalated: `${event.unacknowledgedMinutes ?? '?'} 分钟无人确认`, resolved: '报修单', assigned: '派工', overdue: '超时未修' }[event.type];
  const facts: [string, string][] = [
    ['学校', ctx.site.name],
    ['地点', placeOf(t.location)],
    ['设备', t.deviceName],
    ['级别', severity],
    ['工种', TRADE_LABELS_ZH[t.trade]],
    ['时间', ctx.localTime(event.at)],
  ];
  if (event.type === 'resolved') facts.push(['处理人', t.resolvedBy ?? '—']);
  const link = ticketLink(ctx, t.id);
  return {
    kind: 'event',
    site: ctx.site.name,
    severity: t.severity,
    title: `【${event.type === 'resolved' ? '已解决' : severity}】${what} #${t.id} ${t.title}`,
    facts,
    body: [t.summary],
    link: { text: '查看报修单', url: link },
    json: {
      type: `ticket.${event.type}`,
      site: ctx.site,
      ...(event.unacknowledgedMinutes !== undefined && { unacknowledgedMinutes: event.unacknowledgedMinutes }),
      link,
      ticket: t,
    },
  };
}

export type HoldReason = 'rate_limit' | 'quiet_hours';

/** How many held tickets a summary names one by one; the rest are counted. */
const SUMMARY_LINES = 5;

/** One message for the events held back by the rate limit or the quiet hours. */
export function summaryMessage(
  events: readonly TicketEvent[],
  total: number,
  reasons: ReadonlySet<HoldReason>,
  quiet: string | undefined,
  ctx: MessageContext,
): Message {
  const tickets = new Map<number, Ticket>();
  const byType = new Map<TicketEventType, Set<number>>();
  for (const e of events) {
    tickets.set(e.ticket.id, e.ticket);
    byType.set(e.type, (byType.get(e.type) ?? new Set()).add(e.ticket.id));
  }
  // events beyond what was kept are counted as tickets of their own
  const count = tickets.size + (total - events.length);
  const worst = [...tickets.values()].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.id - a.id);
  const severity = worst[0]?.severity ?? 'info';
  const why = reasons.has('rate_limit') ? '通知过多，未逐条发送' : `静默时段（${quiet}）内未发送`;
  const facts: [string, string][] = [['学校', ctx.site.name]];
  for (const [type, ids] of byType) {
    const bySeverity = new Map<Severity, number>();
    for (const id of ids) bySeverity.set(tickets.get(id)!.severity, (bySeverity.get(tickets.get(id)!.severity) ?? 0) + 1);
    const detail = [...bySeverity].sort(([a], [b]) => SEVERITY_RANK[b] - SEVERITY_RANK[a]).map(([s, n]) => `${SEVERITY_LABELS_ZH[s]} ${n}`);
    facts.push([EVENT_LABELS_ZH[type], `${ids.size} 张（${detail.join('，')}）`]);
  }
  const body = worst.slice(0, SUMMARY_LINES).map((t) => `【${SEVERITY_LABELS_ZH[t.severity]}】#${t.id} ${t.title} · ${placeOf(t.location)} · ${t.deviceName}`);
  if (count > SUMMARY_LINES) body.push(`…… 共 ${count} 张`);
  const link = `${ctx.baseUrl}/tickets`;
  return {
    kind: 'summary',
    site: ctx.site.name,
    severity,
    title: `【汇总】另有 ${count} 张报修单（${why}）`,
    facts,
    body,
    link: { text: '查看全部报修单', url: link },
    json: {
      type: 'tickets.summary',
      site: ctx.site,
      reasons: [...reasons],
      count,
      link,
      events: events.map((e) => ({
        type: e.type,
        at: new Date(e.at).toISOString(),
        ticketId: e.ticket.id,
        severity: e.ticket.severity,
        title: e.ticket.title,
      })),
    },
  };
}

/** Plain text: the WeCom / DingTalk text message, the email body, the webhook's `text`. */
export function plainText(m: Message): string {
  return [m.title, ...m.facts.map(([k, v]) => `${k}：${v}`), ...m.body, `${m.link.text}：${m.link.url}`].join('\n');
}

/** Names and texts from the campus file or a detector must not open markdown links, HTML or emphasis. */
const MARKDOWN_SPECIAL: Record<string, string> = { '<': '＜', '>': '＞', '[': '［', ']': '］', '*': '＊', '`': '‘' };
export const markdownSafe = (text: string): string => text.replace(/[<>[\]*`]/g, (c) => MARKDOWN_SPECIAL[c]!);

/**
 * Markdown as the robots render it: a heading, the facts (WeCom: quoted, the heading coloured with
 * `<font color="warning">`; DingTalk: a list), then the text and the link, blank lines between.
 */
export function markdown(m: Message, dialect: 'wecom' | 'dingtalk'): string {
  const title = markdownSafe(m.title);
  const urgent = m.kind === 'event' && SEVERITY_RANK[m.severity] >= SEVERITY_RANK.major;
  const head = dialect === 'wecom' ? `### <font color="${urgent ? 'warning' : 'comment'}">${title}</font>` : `### ${title}`;
  const facts = m.facts.map(([k, v]) => `${dialect === 'wecom' ? '>' : '-'} ${k}：${markdownSafe(v)}`).join('\n');
  return [head, facts, ...m.body.map(markdownSafe), `[${m.link.text}](${m.link.url})`].join('\n\n');
}

/**
 * The rendering within `maxBytes` of UTF-8 (the robots refuse longer messages): the body is cut
 * first, so that the facts and the link stay.
 */
export function renderWithin(m: Message, render: (m: Message) => string, maxBytes: number): string {
  const full = render(m);
  const over = Buffer.byteLength(full) - maxBytes;
  if (over <= 0) return full;
  const body = m.body.join('\n');
  return fitBytes(render({ ...m, body: [fitBytes(body, Math.max(0, Buffer.byteLength(body) - 2 * over))] }), maxBytes);
}

/** Cuts text to at most `maxBytes` of UTF-8, on a character boundary. */
function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes - 3) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}
