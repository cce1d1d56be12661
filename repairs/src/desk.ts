/**
 * What the dashboard asks of repairs: the tickets, one with its audit trail, a staff action, and
 * every change as it happens. In one process that is the TicketService itself; a dashboard in a
 * process of its own gets a RemoteDesk (remote-desk.ts), which reads campus.db read-only through
 * the ticket store and sends actions to the process that owns the tickets (desk-server.ts).
 */
import type { EventEmitter } from 'node:events';
import type { Ticket, TicketAction, TicketEvent } from '@campus/contract';
import type { TicketAuditEntry } from '@campus/contract';
import type { TicketQuery } from './ticket-store.ts';

export type TicketWithAudit = Ticket & { audit: TicketAuditEntry[] };

export interface RepairsDesk extends EventEmitter<{ ticket: [Ticket]; event: [TicketEvent] }> {
  /** true when every dashboard instance hears this desk's changes itself (a RemoteDesk): each then tells only its own sockets */
  readonly heardEverywhere?: boolean;
  list(q?: TicketQuery): Ticket[];
  get(id: number): TicketWithAudit | undefined;
  /** a staff action; throws TicketError (with its HTTP status) when it is not allowed */
  act(id: number, action: TicketAction, actor: string, note: string | undefined): Ticket | Promise<Ticket>;
}

/** A staff action on its way to the process that owns the tickets (contract/src/ops.ts). */
export interface DeskCommand {
  id: string;
  replyTo: string;
  ticketId: number;
  action: TicketAction;
  actor: string;
  note?: string;
}

export type DeskReply = { id: string; ok: true; ticket: Ticket } | { id: string; ok: false; status: number; message: string };
