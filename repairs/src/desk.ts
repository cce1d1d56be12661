/**
 * What the dashboard asks of repairs: the tickets, one with its audit trail, a staff action, and
 * every change as it happens. In one process that is the TicketService itself; a dashboard in a
 * process of its own gets a RemoteDesk (remote-desk.ts), which reads campus.db read-only through
 * the ticket store and sends actions to the process that owns the tickets (desk-server.ts).
 */
import type { EventEmitter } from 'node:events';
import type {
  PersonReport,
  PublicTicket,
  ReportReceipt,
  ReporterAction,
  ResolveExtras,
  Ticket,
  TicketAction,
  TicketAuditEntry,
  TicketChange,
  TicketEvent,
} from '@campus/contract';
import type { ActorInfo } from './desk-core.ts';
import type { TicketQuery } from './ticket-store.ts';

export type TicketWithAudit = Ticket & { audit: TicketAuditEntry[] };

export interface RepairsDesk extends EventEmitter<{ ticket: [Ticket]; event: [TicketEvent] }> {
  /** true when every dashboard instance hears this desk's changes itself (a RemoteDesk): each then tells only its own sockets */
  readonly heardEverywhere?: boolean;
  list(q?: TicketQuery): Ticket[];
  get(id: number): TicketWithAudit | undefined;
  /** a staff action; throws TicketError (with its HTTP status) when it is not allowed; resolve may carry materials and cost */
  act(id: number, action: TicketAction, actor: string, note: string | undefined, extras?: ResolveExtras): Ticket | Promise<Ticket>;
  /**
   * assign, take, comment, triage, merge, add a photo (TicketChange); throws TicketError. `actor` is
   * the name in the audit trail; `who` the acting staff username (take, photo) and the assignee's
   * name from the staff directory (assign, when this desk has no directory of its own)
   */
  change(id: number, change: TicketChange, actor: string, who?: ActorInfo): Ticket | Promise<Ticket>;
  /** a person's request from the public form: a new ticket, or added to the open one of the same place and kind */
  report(r: PersonReport): ReportReceipt | Promise<ReportReceipt>;
  /** the reporter's view of their ticket, by the tracking token of their receipt */
  track(token: string): PublicTicket | undefined;
  /** the reporter confirms (and rates) or reopens the repair; throws TicketError */
  reporterAct(token: string, action: ReporterAction): PublicTicket | Promise<PublicTicket>;
}

/**
 * What a dashboard in another process asks of the process that owns the tickets (contract/src/ops.ts):
 * a staff action (op act, or no op: the shape of before), a staff change, a person's request, a
 * reporter's confirmation or reopening. Each is checked again where it is carried out.
 */
export type DeskCommand = { id: string; replyTo: string } & (
  | { op?: 'act'; ticketId: number; action: TicketAction; actor: string; note?: string; extras?: ResolveExtras }
  | { op: 'change'; ticketId: number; change: TicketChange; actor: string; who?: Omit<ActorInfo, 'at'> }
  | { op: 'report'; report: PersonReport }
  | { op: 'reporter'; token: string; action: ReporterAction }
);
export const DESK_OPS = ['act', 'change', 'report', 'reporter'] as const;
export type DeskOp = (typeof DESK_OPS)[number];

/** act and change answer with the ticket, report with the receipt, reporter with the reporter's view */
export type DeskReply =
  | { id: string; ok: true; ticket: Ticket }
  | { id: string; ok: true; receipt: ReportReceipt }
  | { id: string; ok: true; view: PublicTicket }
  | { id: string; ok: false; status: number; message: string };
