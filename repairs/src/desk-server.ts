/**
 * The process that owns the tickets (ingest's) answers staff actions that arrive over the bus from
 * a dashboard in another process, and says every ticket change and event there, so that the
 * dashboard neither writes campus.db nor polls it (contract/src/ops.ts).
 */
import { REPAIRS_COMMANDS_TOPIC, REPAIRS_EVENTS_TOPIC, REPAIRS_TICKETS_TOPIC, repairsReplyTopic, TICKET_ACTIONS, type Ticket, type TicketEvent } from '@campus/contract';
import { describeError, type Bus, type Log } from '@campus/runtime';
import type { DeskCommand, DeskReply } from './desk.ts';
import { TicketError, type TicketService } from './ticket-service.ts';

/** Problems with a command from the bus, or undefined when it can be carried out. */
function commandProblem(c: Partial<DeskCommand>): string | undefined {
  if (typeof c.id !== 'string' || typeof c.replyTo !== 'string' || !/^[\w.-]{1,64}$/.test(c.replyTo)) return 'id and replyTo are required';
  if (!Number.isInteger(c.ticketId)) return 'ticketId must be a whole number';
  if (!(TICKET_ACTIONS as readonly unknown[]).includes(c.action)) return `action must be one of ${TICKET_ACTIONS.join(', ')}`;
  if (typeof c.actor !== 'string' || !c.actor) return 'actor is required';
  if (c.note !== undefined && typeof c.note !== 'string') return 'note must be text';
  return undefined;
}

/** Starts serving; returns the function that stops forwarding the service's changes. */
export async function serveDesk(bus: Bus, tickets: TicketService, log: Log): Promise<() => void> {
  const say = (topic: string, body: unknown) => bus.publish(topic, body).catch((err) => log.warn(`cannot tell the dashboard: ${describeError(err)}`));
  const onTicket = (t: Ticket) => void say(REPAIRS_TICKETS_TOPIC, t);
  const onEvent = (e: TicketEvent) => void say(REPAIRS_EVENTS_TOPIC, e);
  tickets.on('ticket', onTicket);
  tickets.on('event', onEvent);
  await bus.subscribe(REPAIRS_COMMANDS_TOPIC, (body) => {
    const c = (body ?? {}) as Partial<DeskCommand>;
    const problem = commandProblem(c);
    if (problem) {
      log.warn(`repairs command refused: ${problem}`);
      if (typeof c.id === 'string' && typeof c.replyTo === 'string' && /^[\w.-]{1,64}$/.test(c.replyTo))
        void say(repairsReplyTopic(c.replyTo), { id: c.id, ok: false, status: 400, message: problem } satisfies DeskReply);
      return;
    }
    const cmd = c as DeskCommand;
    let reply: DeskReply;
    try {
      reply = { id: cmd.id, ok: true, ticket: tickets.act(cmd.ticketId, cmd.action, cmd.actor, cmd.note) };
    } catch (err) {
      reply = err instanceof TicketError ? { id: cmd.id, ok: false, status: err.status, message: err.message } : { id: cmd.id, ok: false, status: 500, message: describeError(err) };
    }
    void say(repairsReplyTopic(cmd.replyTo), reply);
  });
  return () => {
    tickets.off('ticket', onTicket);
    tickets.off('event', onEvent);
  };
}
