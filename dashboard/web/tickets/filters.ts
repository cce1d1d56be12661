/**
 * Which tickets the list shows and in what order, DOM-free (a test runs it in Node): the filters
 * of the form apply to the first load and to every ticket the socket pushes alike, so a pushed
 * ticket that does not match is not shown and one that stops matching leaves.
 */
import { SEVERITY_RANK, type Severity, type Ticket, type TicketSource, type TicketStatus, type Trade } from '@campus/contract/browser';

/** the value of the assignee filter that means "nobody yet" */
export const UNASSIGNED = '-';

export interface TicketFilter {
  /** 'open': not yet resolved; '': every state */
  status: '' | 'open' | TicketStatus;
  trade: '' | Trade;
  severity: '' | Severity;
  source: '' | TicketSource;
  /** a staff username, UNASSIGNED, or '' for anyone */
  assignee: string;
  /** only the tickets assigned to the viewer */
  mine: boolean;
}

export const NO_FILTER: TicketFilter = Object.freeze({ status: '', trade: '', severity: '', source: '', assignee: '', mine: false });

/** The form's fields as a filter (unknown fields ignored, missing ones "any"). */
export function filterOf(fields: Record<string, unknown>): TicketFilter {
  const s = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : '');
  return {
    status: s('status') as TicketFilter['status'],
    trade: s('trade') as TicketFilter['trade'],
    severity: s('severity') as TicketFilter['severity'],
    source: s('source') as TicketFilter['source'],
    assignee: s('assignee'),
    mine: fields.mine === 'on' || fields.mine === true,
  };
}

export function matches(t: Ticket, f: TicketFilter, me: string | null): boolean {
  if (f.status === 'open' ? t.status === 'resolved' : f.status && t.status !== f.status) return false;
  if (f.trade && t.trade !== f.trade) return false;
  if (f.severity && t.severity !== f.severity) return false;
  if (f.source && (t.source ?? 'sensor') !== f.source) return false;
  if (f.assignee === UNASSIGNED ? t.assignee : f.assignee && t.assignee !== f.assignee) return false;
  if (f.mine && (!me || t.assignee !== me)) return false;
  return true;
}

/** What the server can filter on already (GET /api/tickets); the rest is filtered here too. */
export function listQuery(f: TicketFilter, me: string | null): URLSearchParams {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.trade) q.set('trade', f.trade);
  if (f.source) q.set('source', f.source);
  const assignee = f.mine ? me : f.assignee;
  if (assignee === UNASSIGNED) q.set('unassigned', '1');
  else if (assignee) q.set('assignee', assignee);
  return q;
}

/** A person's request nobody has been given yet: what the office dispatches first (新报修). */
export const isNewRequest = (t: Ticket) => t.source === 'person' && !t.assignee && t.status !== 'resolved';

/** The worst first; within a severity the oldest first (it has waited longest). */
export function bySeverityThenAge(a: Ticket, b: Ticket): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id - b.id;
}

export interface TicketGroups {
  /** unassigned person requests (the office's list only) */
  fresh: Ticket[];
  rest: Ticket[];
}

/** The list as shown: for the office the new requests first, then everything else; each in severity-then-age order. */
export function grouped(tickets: readonly Ticket[], office: boolean): TicketGroups {
  const sorted = [...tickets].sort(bySeverityThenAge);
  if (!office) return { fresh: [], rest: sorted };
  return { fresh: sorted.filter(isNewRequest), rest: sorted.filter((t) => !isNewRequest(t)) };
}

/** Puts a pushed ticket into the list when it matches the filters, takes it out when it does not. */
export function upsert(list: readonly Ticket[], t: Ticket, f: TicketFilter, me: string | null): Ticket[] {
  const others = list.filter((x) => x.id !== t.id);
  return matches(t, f, me) ? [...others, t] : others;
}

/** Open tickets at the same place as `t` (a duplicate is merged into one of them). */
export function samePlace(t: Ticket, all: readonly Ticket[]): Ticket[] {
  const where = (x: Ticket) => `${x.siteId}/${x.location.building}/${x.location.room ?? x.location.roomName ?? ''}`;
  return all.filter((x) => x.id !== t.id && x.status !== 'resolved' && where(x) === where(t)).sort(bySeverityThenAge);
}
