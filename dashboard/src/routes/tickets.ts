/**
 * GET  /api/tickets?status=open|<status>&trade=&device=   repair tickets, newest first
 * GET  /api/tickets/:id                                   one ticket with its audit trail
 * POST /api/tickets/:id/{ack,start,resolve,reopen}        { note, actor } — staff only
 */
import type { Response, Router } from 'express';
import { TICKET_ACTIONS, TICKET_STATUSES, TRADES, type TicketAction } from '@campus/contract';
import { TicketError, type RepairsDesk } from '@campus/repairs';
import { actorName, staffOr403, viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { badRequest } from './http.ts';

function ticketsOr503(deps: DashboardDeps, res: Response): RepairsDesk | undefined {
  const t = deps.tickets();
  if (!t) res.status(503).json({ error: 'tickets_unavailable', message: 'ticketing is not running in this process' });
  return t;
}

export function ticketRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/tickets', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const q = req.query as Record<string, string | undefined>;
    if (q.status && q.status !== 'open' && !(TICKET_STATUSES as readonly string[]).includes(q.status)) {
      return badRequest(res, `status must be open (not yet resolved) or one of ${TICKET_STATUSES.join(', ')}`);
    }
    if (q.trade && !(TRADES as readonly string[]).includes(q.trade)) return badRequest(res, `trade must be one of ${TRADES.join(', ')}`);
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    res.json({ tickets: tickets.list({ status: q.status as never, trade: q.trade as never, deviceId: q.device }) });
  });

  router.get('/api/tickets/:id', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const t = tickets.get(Number(req.params.id));
    if (!t) return res.status(404).json({ error: 'not_found', message: `no ticket ${req.params.id}` });
    res.json(t);
  });

  router.post('/api/tickets/:id/:action', async (req, res) => {
    const viewer = staffOr403(deps.auth, req, res);
    if (!viewer) return;
    const action = req.params.action as TicketAction;
    if (!(TICKET_ACTIONS as readonly string[]).includes(action))
      return res.status(404).json({ error: 'not_found', message: `no action ${action.slice(0, 32)}; use ${TICKET_ACTIONS.join(', ')}` });
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const body = (req.body ?? {}) as { note?: unknown; actor?: unknown };
    if (body.note !== undefined && typeof body.note !== 'string') return badRequest(res, 'note must be text');
    const ticket = tickets.get(Number(req.params.id));
    if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket ${req.params.id}` });
    if (!deps.auth.mayHandle(viewer, ticket.trade))
      return res.status(403).json({ error: 'forbidden', message: `your role does not handle ${ticket.trade} tickets` });
    // a person acts under their own name; a script (API key) may say who it acts for
    const actor = viewer.kind === 'service' && typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 64) : actorName(viewer);
    try {
      res.json(await tickets.act(Number(req.params.id), action, actor, body.note as string | undefined));
    } catch (err) {
      if (err instanceof TicketError) return res.status(err.status).json({ error: 'ticket', message: err.message });
      throw err;
    }
  });
}
