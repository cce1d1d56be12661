/**
 * What the parts of the repairs desk share (ticket-service.ts builds it): the store, the campus of
 * a site, a record in its API shape, the staff directory's names, and saying a change once it is
 * committed ('ticket' for the live screens, the events for the notifications).
 */
import { TRADE_LABELS_ZH, type Ticket, type TicketEvent, type TicketEventType, type Trade } from '@campus/contract';
import type { Campus } from '@campus/site';
import type { TicketRecord, TicketStore } from './ticket-store.ts';

export class TicketError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface DeskEvent {
  type: TicketEventType;
  at: number;
  unacknowledgedMinutes?: number;
  assignee?: string;
}

export interface DeskCore {
  readonly store: TicketStore;
  campus(siteId: string): Campus | undefined;
  view(r: TicketRecord): Ticket;
  /** a staff username's display name; undefined when there is no such account, or no directory here */
  staffName(username: string): string | undefined;
  /** whether this desk knows the staff accounts (else the caller's name for a worker is taken) */
  readonly knowsStaff: boolean;
  /** emits 'ticket' with the record's API shape, then each event with it; returns the API shape */
  publish(r: TicketRecord, events?: readonly DeskEvent[]): Ticket;
  emitEvent(e: TicketEvent): void;
}

/** The acting person beyond the name written in the audit trail (the staff API fills it). */
export interface ActorInfo {
  /** the acting staff member's username (a worker taking a ticket, the adder of a photo); default the actor */
  username?: string;
  /** assign: the assignee's display name from the dashboard's staff directory, when this desk has none */
  assigneeName?: string;
  /** when it happened; default now */
  at?: number;
}

/** "李师傅（水工）" */
export const workerLabel = (name: string, trade: Trade): string => `${name}（${TRADE_LABELS_ZH[trade]}）`;

export function getOr404(store: TicketStore, id: number): TicketRecord {
  const t = store.get(id);
  if (!t) throw new TicketError(404, `no ticket ${id}`);
  return t;
}

/** Optional text of at most `max` characters, trimmed (empty is null); 400 naming the field otherwise. */
export function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TicketError(400, `${field} must be text`);
  const text = value.trim();
  if (text.length > max) throw new TicketError(400, `${field} is longer than ${max} characters`);
  return text || null;
}

/** Required text of 1..max characters, trimmed. */
export function requiredText(value: unknown, field: string, max: number, zh: string): string {
  const text = optionalText(value, field, max);
  if (!text) throw new TicketError(400, `${zh} (${field} is required)`);
  return text;
}

/** "12月4日 10:00" in the site's time zone */
export function localTime(ms: number, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(ms);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}
