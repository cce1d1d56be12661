/**
 * The process that owns a site's tickets (ingest, or the ingest worker reading that site) answers
 * what arrives over the bus from a dashboard in another process — staff actions and changes, people's
 * requests, reporters' confirmations (DeskCommand) — and says every ticket change and event of the
 * site there, so that the dashboard neither writes campus.db nor polls it (contract/src/ops.ts).
 * Every command is checked here again: its shape, and that it is about a ticket of the topic's site.
 */
import { repairsCommandsTopic, repairsEventsTopic, repairsTicketsTopic, repliesTopic, TICKET_ACTIONS, type Ticket, type TicketEvent } from '@campus/contract';
import { describeError, type Bus, type Log } from '@campus/runtime';
import { DESK_OPS, type DeskCommand, type DeskReply } from './desk.ts';
import { TicketError } from './desk-core.ts';
import type { TicketService } from './ticket-service.ts';

const REPLY_TO = /^[\w.-]{1,64}$/;
type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with a command from the bus, or undefined when it can be carried out. */
export function commandProblem(c: Loose): string | undefined {
  if (typeof c.id !== 'string' || typeof c.replyTo !== 'string' || !REPLY_TO.test(c.replyTo)) return 'id and replyTo are required';
  const op = c.op ?? 'act';
  if (!(DESK_OPS as readonly unknown[]).includes(op)) return `op must be one of ${DESK_OPS.join(', ')}`;
  if (op === 'act' || op === 'change') {
    if (!Number.isInteger(c.ticketId)) return 'ticketId must be a whole number';
    if (typeof c.actor !== 'string' || !c.actor) return 'actor is required';
  }
  if (op === 'act') {
    if (!(TICKET_ACTIONS as readonly unknown[]).includes(c.action)) return `action must be one of ${TICKET_ACTIONS.join(', ')}`;
    if (c.note !== undefined && typeof c.note !== 'string') return 'note must be text';
    if (c.extras !== undefined && !isObject(c.extras)) return 'extras must be an object';
  }
  if (op === 'change') {
    if (!isObject(c.change) || typeof c.change.kind !== 'string') return 'change must be an object with a kind';
    if (c.who !== undefined && !isObject(c.who)) return 'who must be an object';
    for (const k of ['username', 'assigneeName'] as const) if (isObject(c.who) && c.who[k] !== undefined && typeof c.who[k] !== 'string') return `who.${k} must be text`;
  }
  if (op === 'report' && !isObject(c.report)) return 'report must be an object';
  if (op === 'reporter' && (typeof c.token !== 'string' || !isObject(c.action))) return 'token and action are required';
  return undefined;
}

/** Carries out a checked command on `siteId`'s tickets: a command on one site's topic touches that site's tickets only. */
function carryOut(tickets: TicketService, siteId: string, c: DeskCommand): DeskReply {
  const ofSite = (ticketId: number) => {
    const t = tickets.get(ticketId);
    if (!t || t.siteId !== siteId) throw new TicketError(404, `no ticket ${ticketId} at site ${siteId}`);
  };
  switch (c.op) {
    case undefined:
    case 'act': {
      ofSite(c.ticketId);
      const { materials, costYuan } = c.extras ?? {};
      return { id: c.id, ok: true, ticket: tickets.act(c.ticketId, c.action, c.actor, c.note, { materials, costYuan }) };
    }
    case 'change': {
      ofSite(c.ticketId);
      const who = { username: c.who?.username, assigneeName: c.who?.assigneeName };
      return { id: c.id, ok: true, ticket: tickets.change(c.ticketId, c.change, c.actor, who) };
    }
    case 'report':
      if (c.report.siteId !== siteId) throw new TicketError(404, `a report for site ${String(c.report.siteId).slice(0, 64)} sent to site ${siteId}`);
      return { id: c.id, ok: true, receipt: tickets.report(c.report) };
    case 'reporter': {
      const ticketId = tickets.trackedTicketId(c.token);
      if (ticketId === undefined) throw new TicketError(404, 'no such tracking link');
      ofSite(ticketId);
      return { id: c.id, ok: true, view: tickets.reporterAct(c.token, c.action) };
    }
  }
}

/** Serves the desk of `sites` (those `tickets` keeps); resolves to the function that stops serving. */
export async function serveDesk(bus: Bus, tickets: TicketService, sites: readonly string[], log: Log): Promise<() => Promise<void>> {
  const say = (topic: string, body: unknown) => bus.publish(topic, body).catch((err) => log.warn(`cannot tell the dashboard: ${describeError(err)}`));
  const mine = new Set(sites);
  const onTicket = (t: Ticket) => void (mine.has(t.siteId) && say(repairsTicketsTopic(t.siteId), t));
  const onEvent = (e: TicketEvent) => void (mine.has(e.ticket.siteId) && say(repairsEventsTopic(e.ticket.siteId), e));
  tickets.on('ticket', onTicket);
  tickets.on('event', onEvent);
  const onCommand = (siteId: string) => (body: unknown) => {
    const c = isObject(body) ? body : {};
    const problem = commandProblem(c);
    const answer = (reply: DeskReply) => void say(repliesTopic(c.replyTo as string), reply);
    if (problem) {
      log.warn(`repairs command refused: ${problem}`);
      if (typeof c.id === 'string' && typeof c.replyTo === 'string' && REPLY_TO.test(c.replyTo)) answer({ id: c.id, ok: false, status: 400, message: problem });
      return;
    }
    const cmd = c as DeskCommand;
    try {
      answer(carryOut(tickets, siteId, cmd));
    } catch (err) {
      answer(err instanceof TicketError ? { id: cmd.id, ok: false, status: err.status, message: err.message } : { id: cmd.id, ok: false, status: 500, message: describeError(err) });
    }
  };
  for (const site of mine) await bus.subscribe(repairsCommandsTopic(site), onCommand(site));
  return async () => {
    tickets.off('ticket', onTicket);
    tickets.off('event', onEvent);
    for (const site of mine) await bus.unsubscribe(repairsCommandsTopic(site));
  };
}
