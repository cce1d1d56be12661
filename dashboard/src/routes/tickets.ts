/**
 * GET  /api/tickets?status=open|<status>&trade=&device=   repair tickets, newest first
 * GET  /api/tickets/:id                                   one ticket with its audit trail
 * POST /api/tickets/:id/{ack,start,resolve,reopen}        { note, actor } — staff only
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { TICKET_ACTIONS, TICKET_STATUSES, TRADES, type TicketAction } from '@campus/contract';
import { TicketError, type TicketService } from '@campus/ingest';
import type { DashboardDeps } from '../deps.ts';
import { badRequest } from './http.ts';

function ticketsOr503(deps: DashboardDeps, res: Response): TicketService | undefined {
  const t = deps.tickets();
  if (!t) res.status(503).json({ error: 'tickets_unavailable', message: 'ticketing is not running in this process' });
  return t;
}

function staff(deps: DashboardDeps, req: Request): boolean {
  const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!given || !deps.apiKey) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(deps.apiKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function ticketRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/tickets', (req, res) => {
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
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const t = tickets.get(Number(req.params.id));
    if (!t) return res.status(404).json({ error: 'not_found', message: `no ticket ${req.params.id}` });
    res.json(t);
  });

  router.post('/api/tickets/:id/:action', (req, res) => {
    const action = req.params.action as TicketAction;
    if (!(TICKET_ACTIONS as readonly string[]).includes(action))
      return res.status(404).json({ error: 'not_found', message: `no action ${action}; use ${TICKET_ACTIONS.join(', ')}` });
    if (!staff(deps, req))
      return res.status(401).json({ error: 'unauthorized', message: 'staff only: send Authorization: Bearer <the key in CAMPUS_DATA_DIR/secrets/api.key>' });
    const tickets = ticketsOr503(deps, res);
    if (!tickets) return;
    const body = (req.body ?? {}) as { note?: unknown; actor?: unknown };
    if (body.note !== undefined && typeof body.note !== 'string') return badRequest(res, 'note must be text');
    const actor = typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 64) : 'staff';
    try {
      res.json(tickets.act(Number(req.params.id), action, actor, body.note as string | undefined));
    } catch (err) {
      if (err instanceof TicketError) return res.status(err.status).json({ error: 'ticket', message: err.message });
      throw err;
    }
  });
}
