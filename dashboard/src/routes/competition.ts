/**
 * GET /api/competition?resource=electricity|water&period=week|month|term|custom&from=&to=&date=
 * The class ranking with baseline, actual, saving % and per-student use (competition.ts).
 */
import type { Router } from 'express';
import { viewerOr401 } from '../auth/guards.ts';
import { scoreCompetition, type Period, type Resource } from '@campus/report';
import type { DashboardDeps } from '../deps.ts';
import { badRequest, storeOr503 } from './http.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function competitionRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/competition', async (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const q = req.query as Record<string, string | undefined>;
    const resource = (q.resource ?? 'electricity') as Resource;
    const period = (q.period ?? 'week') as Period;
    if (!['electricity', 'water'].includes(resource)) return badRequest(res, 'resource must be electricity or water');
    if (!['week', 'month', 'term', 'custom'].includes(period)) return badRequest(res, 'period must be week, month, term or custom');
    if (period === 'custom' && (!q.from || !q.to || !DATE.test(q.from) || !DATE.test(q.to) || q.to < q.from)) {
      return badRequest(res, 'a custom competition needs from and to as YYYY-MM-DD, from <= to');
    }
    if (q.date && !DATE.test(q.date)) return badRequest(res, 'date must be YYYY-MM-DD');
    const campus = deps.campuses[0]!;
    const store = storeOr503(deps, res);
    if (!store) return;
    const today = q.date ?? campus.calendar.local(deps.now?.() ?? Date.now()).date;
    res.json(
      await scoreCompetition(campus, store, {
        now: deps.now?.() ?? Date.now(),
        resource,
        period,
        today,
        custom: period === 'custom' ? { from: q.from!, to: q.to! } : undefined,
      }),
    );
  });
}
