/** What the tickets page sends and reads besides the list: staff, changes (TicketChange), photos. */
import type { Ticket, TicketAuditEntry } from '@campus/contract/browser';
import { api } from '../common.ts';

export type TicketDetail = Ticket & { audit: TicketAuditEntry[] };

/** one staff member, as GET /api/staff lists them (the office only) */
export interface StaffMember {
  username: string;
  name: string;
  role: string;
  disabled?: boolean;
}

/** the accounts that can be given work (GET /api/staff: {users}; {staff} accepted too) */
export async function staffList(): Promise<StaffMember[]> {
  const answer = await api<{ users?: StaffMember[]; staff?: StaffMember[] }>('/api/staff');
  return (answer.users ?? answer.staff ?? []).filter((s) => !s.disabled);
}

export const ticketDetail = (id: number) => api<TicketDetail>(`/api/tickets/${id}`);

/** POST /api/tickets/:id/{ack,start,resolve,reopen,assign,take,comment,triage,merge,photo} */
export const post = (id: number, what: string, body: Record<string, unknown> = {}) => api<Ticket>(`/api/tickets/${id}/${what}`, { method: 'POST', body });

export const photoUrl = (id: string) => `/api/public/photos/${encodeURIComponent(id)}`;
