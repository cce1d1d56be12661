/**
 * The staff ticket API (staff only for changes: a session with its CSRF token, or the API key):
 * GET  /api/tickets?status=open|<status>&trade=&device=&source=sensor|person&assignee=<username>&unassigned=1
 *                                                         repair tickets, newest first (the pages sort themselves)
 * GET  /api/tickets/:id                                   one ticket with its audit trail
 * POST /api/tickets/:id/{ack,start,reopen}                { note? }
 * POST /api/tickets/:id/resolve                           { note, materials?, costYuan? }
 * POST /api/tickets/:id/assign                            { to: username | null }         the office
 * POST /api/tickets/:id/triage                            { trade?, severity?, dueAt? }   the office
 * POST /api/tickets/:id/merge                             { into: ticket id }             the office
 * POST /api/tickets/:id/take                              a worker whose role handles the ticket's trade
 * POST /api/tickets/:id/comment                           { note }
 * POST /api/tickets/:id/photo                             { photoId }   a photo uploaded first to POST /api/public/photos
 * A worker acts on tickets of their trade or assigned to them; the office (admin) and the API key on
 * all. Errors: 400 naming the field, 403, 404, 409 (the ticket's state does not allow it).
 */
import type { Request, Response, Router } from 'express';
import { TICKET_ACTIONS, TICKET_SOURCES, TICKET_STATUSES, TRADES, type Ticket, type TicketAction, type TicketChange } from '@campus/contract';
import { TicketError, type ActorInfo, type RepairsDesk } from '@campus/repairs';
import type { Viewer } from '../auth/auth.ts';
import { actorName, officeOr403, staffOr403, viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { PhotoStore, photoStoreOf } from '../photo-store.ts';
import { badRequest } from './http.ts';

function ticketsOr503(deps: DashboardDeps, res: Response): RepairsDesk | undefined {
  const t = deps.tickets();
  if (!t) res.status(503).json({ error: 'tickets_unavailable', message: 'ticketing is not running in this process' });
  return t;
}

type Body = Record<string, unknown>;
/** a change the route turned the body into, or the 400 message naming the field */
type Built = { change: TicketChange; who?: ActorInfo } | string;
type Kind = TicketChange['kind'];

const isText = (v: unknown) => typeof v === 'string';
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || v === null || ok(v);

/** Each change: who may ask for it, and its body checked (the desk checks the values again). */
const CHANGES: Record<Kind, { office: boolean; build: (body: Body, deps: DashboardDeps, viewer: Viewer) => Built }> = {
  assign: {
    office: true,
    build: (b, deps) => {
      if (b.to === null) return { change: { kind: 'assign', to: null } };
      if (!isText(b.to) || !b.to) return 'to must be a staff username, or null';
      const user = deps.auth.staff.get(b.to as string);
      if (!user || user.disabled) return `to: no staff account "${(b.to as string).slice(0, 32)}"`;
      return { change: { kind: 'assign', to: user.username }, who: { assigneeName: user.name } };
    },
  },
  triage: {
    office: true,
    build: (b) => {
      if (!optional(b.trade, isText)) return 'trade must be text';
      if (!optional(b.severity, isText)) return 'severity must be text';
      if (b.dueAt !== undefined && b.dueAt !== null && !isText(b.dueAt)) return 'dueAt must be a time (ISO 8601), or null';
      const change: TicketChange = { kind: 'triage' };
      if (b.trade != null) change.trade = b.trade as never;
      if (b.severity != null) change.severity = b.severity as never;
      if (b.dueAt !== undefined) change.dueAt = b.dueAt as string | null;
      return { change };
    },
  },
  merge: {
    office: true,
    build: (b) => (Number.isInteger(b.into) ? { change: { kind: 'merge', into: b.into as number } } : 'into must be a ticket id (a whole number)'),
  },
  take: {
    office: false,
    build: (_b, _deps, viewer) => (viewer.kind === 'staff' ? { change: { kind: 'take' }, who: { username: viewer.username } } : 'take is for a member of staff, with their own login'),
  },
  comment: {
    office: false,
    build: (b) => (isText(b.note) ? { change: { kind: 'comment', note: b.note as string } } : 'note must be text'),
  },
  photo: {
    office: false,
    build: (b, deps, viewer) => {
      if (!PhotoStore.isId(b.photoId)) return 'photoId must be the id POST /api/public/photos answered';
      const stored = photoStoreOf(deps).get(b.photoId);
      if (!stored) return `photoId: no photo "${b.photoId}"`;
      return { change: { kind: 'photo', photoId: b.photoId, bytes: stored.length }, who: viewer.kind === 'staff' ? { username: viewer.username } : {} };
    },
  },
};
const CHANGE_KINDS = Object.keys(CHANGES) as Kind[];

/** A worker may act on tickets of their trade, or assigned to them. */
function mayWorkOn(deps: DashboardDeps, viewer: Viewer, ticket: Ticket): boolean {
  return deps.auth.mayHandle(viewer, ticket.trade) || (viewer.kind === 'staff' && ticket.assignee === viewer.username);
}

async function answer(res: Response, work: () => Ticket | Promise<Ticket>): Promise<void> {
  try {
    res.json(await work());
  } catch (err) {
    if (err instanceof TicketError) return void res.status(err.status).json({ error: 'ticket', message: err.message });
    throw err;
  }
}

export function ticketRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/tickets', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const q = req.query as Record<string, string | undefined>;
    if (q.status && q.status !== 'open' && !(TICKET_STATUSES as readonly string[]).includes(q.status)) {
      return badRequest(res, `status must be open (not yet resolved) or one of ${TICKET_STATUSES.join(', ')}`);
    }
    if (q.trade && !(TRADES as readonly string[]).includes(q.trade)) return badRequest(res, `trade must be one of ${TRADES.join(', ')}`);
    if (q.source && !(TICKET_SOURCES as readonly string[]).includes(q.source)) return badRequest(res, `source must be one of ${TICKET_SOURCES.join(', ')}`);
    if (q.assignee !== undefined && (typeof q.assignee !== 'string' || !/^[\w.-]{1,64}$/.test(q.assignee))) return badRequest(res, 'assignee must be a staff username');
    if (q.unassigned !== undefined && !['1', 'true', '0', 'false'].includes(q.unassigned)) return badRequest(res, 'unassigned must be 1 or 0');
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const unassigned = q.unassigned === '1' || q.unassigned === 'true';
    res.json({
      tickets: tickets.list({ status: q.status as never, trade: q.trade as never, deviceId: q.device, source: q.source as never, assignee: q.assignee, unassigned }),
    });
  });

  router.get('/api/tickets/:id', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const t = tickets.get(Number(req.params.id));
    if (!t) return res.status(404).json({ error: 'not_found', message: `no ticket ${req.params.id}` });
    res.json(t);
  });

  router.post('/api/tickets/:id/:action', async (req: Request, res: Response) => {
    const what = req.params.action as string;
    const isAction = (TICKET_ACTIONS as readonly string[]).includes(what);
    const change = CHANGES[what as Kind] as (typeof CHANGES)[Kind] | undefined;
    if (!isAction && !change) {
      return void res.status(404).json({ error: 'not_found', message: `no action ${what.slice(0, 32)}; use ${[...TICKET_ACTIONS, ...CHANGE_KINDS].join(', ')}` });
    }
    const viewer = change?.office ? officeOr403(deps.auth, req, res) : staffOr403(deps.auth, req, res);
    if (!viewer) return;
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const body = (req.body ?? {}) as Body;
    if (body.note !== undefined && typeof body.note !== 'string') return badRequest(res, 'note must be text');
    const id = Number(req.params.id);
    const ticket = Number.isInteger(id) ? tickets.get(id) : undefined;
    if (!ticket) return void res.status(404).json({ error: 'not_found', message: `no ticket ${String(req.params.id).slice(0, 32)}` });
    if (!mayWorkOn(deps, viewer, ticket)) {
      return void res.status(403).json({ error: 'forbidden', message: `你的岗位不处理${ticket.trade}报修单 (your role does not handle ${ticket.trade} tickets, nor is it assigned to you)` });
    }
    // a person acts under their own name; a script (API key) may say who it acts for
    const actor = viewer.kind === 'service' && typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 64) : actorName(viewer);
    if (change) {
      const built = change.build(body, deps, viewer);
      if (typeof built === 'string') return badRequest(res, built);
      return answer(res, () => tickets.change(id, built.change, actor, built.who));
    }
    if (!optional(body.materials, isText)) return badRequest(res, 'materials must be text');
    if (!optional(body.costYuan, (v) => typeof v === 'number')) return badRequest(res, 'costYuan must be a number (元)');
    const extras = what === 'resolve' ? { materials: body.materials as string | null | undefined, costYuan: body.costYuan as number | null | undefined } : undefined;
    return answer(res, () => tickets.act(id, what as TicketAction, actor, body.note as string | undefined, extras));
  });
}
