/**
 * The process that owns a site's tickets (ingest, or the ingest worker reading that site) answers
 * staff actions that arrive over the bus from a dashboard in another process, and says every ticket
 * change and event of the site there, so that the dashboard neither writes campus.db nor polls it
 * (contract/src/ops.ts).
 */
import { repairsCommandsTopic, repairsEventsTopic, repairsTicketsTopic, repliesTopic, TICKET_ACTIONS, type Ticket, type TicketEvent } from '@campus/contract';
import { describeError, type Bus, type Log } from '@campus/runtime';
import type { DeskCommand, DeskReply } from './desk.ts';
import { TicketError, type TicketService } from './ticket-service.ts';

const REPLY_TO = /^[\w.-]{1,64}$/;

/** Problems with a command from the bus, or undefined when it can be carried out. */
function commandProblem(c: Partial<DeskCommand>): string | undefined {
  if (typeof c.id !== 'string' || typeof c.replyTo !== 'string' || !REPLY_TO.test(c.replyTo)) return 'id and replyTo are required';
  if (!Number.isInteger(c.ticketId)) return 'ticketId must be a whole number';
  if (!(TICKET_ACTIONS as readonly unknown[]).includes(c.action)) return `action must be one of ${TICKET_ACTIONS.join(', ')}`;
  if (typeof c.actor !== 'string' || !c.actor) return 'actor is required';
  if (c.note !== undefined && typeof c.note !== 'string') return 'note must be text';
  return undefined;
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
    const c = (body ?? {}) as Partial<DeskCommand>;
    const problem = commandProblem(c);
    const answer = (reply: DeskReply) => void say(repliesTopic(c.replyTo!), reply);
    if (problem) {
      log.warn(`repairs command refused: ${problem}`);
      if (typeof c.id === 'string' && typeof c.replyTo === 'string' && REPLY_TO.test(c.replyTo)) answer({ id: c.id, ok: false, status: 400, message: problem });
      return;
    }
    const cmd = c as DeskCommand;
    try {
      // a command on one site's topic acts on that site's tickets only
      const ticket = tickets.get(cmd.ticketId);
      if (!ticket || ticket.siteId !== siteId) throw new TicketError(404, `no ticket ${cmd.ticketId} at site ${siteId}`);
      answer({ id: cmd.id, ok: true, ticket: tickets.act(cmd.ticketId, cmd.action, cmd.actor, cmd.note) });
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
