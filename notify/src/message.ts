/**
 * What a notification says, in Chinese, once for every channel: what happened, where (school,
 * building / floor / room, device), how bad, when, and the link to the ticket. Each channel
 * renders the same Message as plain text, markdown or JSON.
 */
import {
  REPORT_KIND_LABELS_ZH,
  SEVERITY_LABELS_ZH,
  SEVERITY_RANK,
  TRADE_LABELS_ZH,
  type Severity,
  type Ticket,
  type TicketEvent,
  type TicketEventType,
  type TicketLocation,
} from '@campus/contract';

/**
 * A worker as the notifications name them: the name, and what the robots mention them by (the
 * phone for WeCom's `mentioned_mobile_list` and DingTalk's `atMobiles`, or each one's user id).
 */
export interface Contact {
  name: string;
  phone?: string;
  wecomUserId?: string;
  dingtalkUserId?: string;
}

/** Who a staff username is (the staff accounts); undefined when unknown. */
export type ContactOf = (username: string) => Contact | undefined;

/**
 * The one handle a robot mentions a worker by: their user id on that platform, else their phone
 * (digits only; a value that is not one is not used, so nothing from an account reaches the markup).
 */
export function mentionOf(m: Message, platform: 'wecom' | 'dingtalk'): { userId: string } | { phone: string } | undefined {
  const who = m.mention;
  const userId = platform === 'wecom' ? who?.wecomUserId : who?.dingtalkUserId;
  if (userId && /^[\w.@-]{1,64}$/.test(userId)) return { userId };
  const phone = who?.phone?.replace(/[\s-]/g, '');
  return phone && /^\+?\d{5,20}$/.test(phone) ? { phone } : undefined;
}

export interface MessageContext {
  site: { id: string; name: string };
  /** the dashboard as staff reach it, without a trailing slash */
  baseUrl: string;
  /** "2026-11-23 10:00" in the site's time zone */
  localTime: (ts: number) => string;
  /** names and mentions the worker of an assignment or an overdue ticket */
  contactOf?: ContactOf;
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
  /** the worker the robots mention (assigned, overdue), where they can */
  mention?: Contact;
  /** the generic webhook's payload */
  json: Record<string, unknown>;
}

export const EVENT_LABELS_ZH: Readonly<Record<TicketEventType, string>> = Object.freeze({
  opened: '新报修单',
  upgraded: '报修单升级',
  escalated: '紧急报修单无人确认',
  resolved: '报修单已办结',
  assigned: '派工',
  overdue: '报修单超时未修',
});

export function placeOf(location: TicketLocation): string {
  const parts = [location.buildingName || location.building];
  if (location.floor !== null) parts.push(`${location.floor}层`);
  if (location.roomName) parts.push(location.roomName);
  return parts.filter(Boolean).join(' ') || '—';
}

/** The ticket's place; a request for a place written by the reporter (no room) has it as its subject's name. */
const whereOf = (t: Ticket): string => {
  const place = placeOf(t.location);
  return place === '—' && t.source === 'person' && t.deviceName ? t.deviceName : place;
};

export const ticketLink = (ctx: MessageContext, id: number): string => `${ctx.baseUrl}/tickets?id=${id}`;

/** The message for one ticket event. */
export function eventMessage(event: TicketEvent, ctx: MessageContext): Message {
  const t = event.ticket;
  const severity = SEVERITY_LABELS_ZH[t.severity];
  const person = t.source === 'person';
  // assigned: the worker named by the event; overdue: whoever has it
  const username = event.type === 'assigned' ? (event.assignee ?? t.assignee) : event.type === 'overdue' ? t.assignee : null;
  const worker = username ? workerOf(username, t, ctx) : undefined;
  const facts: [string, string][] = [
    ['学校', ctx.site.name],
    ['地点', whereOf(t)],
    person ? ['报修类别', t.reportKind ? REPORT_KIND_LABELS_ZH[t.reportKind] : '—'] : ['设备', t.deviceName],
    ['级别', severity],
    ['工种', TRADE_LABELS_ZH[t.trade]],
    ['时间', ctx.localTime(event.at)],
  ];
  // a person's request: their name when they gave one and how many reported it; never their phone
  if (person && t.reporter?.name) facts.push(['报修人', t.reporter.name]);
  if (person && t.reports > 1) facts.push(['报修人次', `${t.reports} 人次`]);
  if (worker) facts.push(['维修工', worker.name]);
  if (t.dueAt && (event.type === 'assigned' || event.type === 'overdue')) facts.push(['应修好', ctx.localTime(Date.parse(t.dueAt))]);
  if (event.type === 'resolved') facts.push(['处理人', t.resolvedBy ?? '—']);
  if (event.type === 'resolved' && t.resolution?.materials) facts.push(['材料', t.resolution.materials]);
  if (event.type === 'resolved' && t.resolution?.costYuan != null) facts.push(['费用', `${t.resolution.costYuan} 元`]);
  const link = ticketLink(ctx, t.id);
  return {
    kind: 'event',
    site: ctx.site.name,
    severity: t.severity,
    title: `【${event.type === 'resolved' ? '已办结' : severity}】${headline(event, worker, ctx)}`,
    facts,
    body: [t.summary],
    link: { text: '查看报修单', url: link },
    ...(worker && { mention: worker }),
    json: {
      type: `ticket.${event.type}`,
      site: ctx.site,
      ...(event.unacknowledgedMinutes !== undefined && { unacknowledgedMinutes: event.unacknowledgedMinutes }),
      ...(worker && { assignee: { username, name: worker.name } }),
      link,
      ticket: withoutReporterPhone(t),
    },
  };
}

/**
 * What happened, in one line: "新报修单 #12 水表报警：爆管"; a dispatch names the place, what is
 * wrong and the worker: "派工：303教室 · 水 → 李师傅（#12）", "超时未修：303教室 · 水 → 李师傅，应于 10:30 前修好（#12）".
 */
function headline(event: TicketEvent, worker: Contact | undefined, ctx: MessageContext): string {
  const t = event.ticket;
  const what = `${t.location.roomName || whereOf(t)} · ${t.source === 'person' && t.reportKind ? REPORT_KIND_LABELS_ZH[t.reportKind] : t.title}`;
  const to = worker ? ` → ${worker.name}` : '';
  switch (event.type) {
    case 'assigned':
      return `派工：${what}${to}（#${t.id}）`;
    case 'overdue':
      return `超时未修：${what}${to || '（未派工）'}${t.dueAt ? `，应于 ${dueText(Date.parse(t.dueAt), event.at, ctx)} 前修好` : ''}（#${t.id}）`;
    case 'escalated':
      // a person's request waits for a worker; a critical ticket for anyone to acknowledge it
      return `${event.unacknowledgedMinutes ?? '?'} 分钟无人${t.source === 'person' && !t.assignee ? '派工' : '确认'} #${t.id} ${t.title}`;
    default:
      return `${{ opened: '新报修单', upgraded: '报修单升级', resolved: '报修单' }[event.type]} #${t.id} ${t.title}`;
  }
}

/** "10:30" when it is due the day the message is sent, else "11-24 10:30" (site time). */
function dueText(due: number, at: number, ctx: MessageContext): string {
  const [d, a] = [ctx.localTime(due), ctx.localTime(at)];
  return d.slice(0, 10) === a.slice(0, 10) ? d.slice(11) : d.slice(5);
}

/** The worker as the resolver knows them; else the name the ticket carries, else the username. */
function workerOf(username: string, t: Ticket, ctx: MessageContext): Contact {
  let known: Contact | undefined;
  try {
    known = ctx.contactOf?.(username);
  } catch {
    // the accounts file unreadable for a moment: the name the ticket carries still tells who
  }
  return known?.name ? known : { name: (t.assignee === username && t.assigneeName) || username };
}

/** The reporter's phone is for the office's ticket page only: no message carries it. */
function withoutReporterPhone(t: Ticket): Ticket {
  return t.reporter ? { ...t, reporter: { ...t.reporter, phone: null } } : t;
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
