/**
 * Competitions the office sets up (e.g. "十一月节电月"): GET /api/competitions lists them;
 * POST /api/competitions {name, resource, from, to} and DELETE /api/competitions/:id are for the
 * office admin. The board shows a saved one with /api/competition?period=custom&from=&to=.
 */
import type { Router } from 'express';
import { CompetitionStore } from '@campus/report';
import { campusDb } from '../campus-db.ts';
import { actorName, staffOr403, viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { badRequest } from './http.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function competitionsRoutes(router: Router, deps: DashboardDeps): void {
  let saved: CompetitionStore | undefined;
  const competitions = () => {
    const db = campusDb(deps);
    if (db && saved?.db !== db) saved = new CompetitionStore(db);
    return db ? saved : undefined;
  };

  router.get('/api/competitions', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    res.json({ competitions: competitions()?.list() ?? [] });
  });

  router.post('/api/competitions', (req, res) => {
    const viewer = staffOr403(deps.auth, req, res);
    if (!viewer) return;
    if (viewer.kind === 'staff' && viewer.role !== 'admin') return res.status(403).json({ error: 'forbidden', message: '只有总务处管理员可以设立评比' });
    const { name, resource, from, to } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !name.trim() || name.length > 60) return badRequest(res, 'name: 1-60 characters');
    if (resource !== 'electricity' && resource !== 'water') return badRequest(res, 'resource must be electricity or water');
    if (typeof from !== 'string' || typeof to !== 'string' || !DATE.test(from) || !DATE.test(to) || to < from)
      return badRequest(res, 'from and to: YYYY-MM-DD, from <= to');
    const store = competitions();
    if (!store) return res.status(503).json({ error: 'store_unavailable', message: 'no database' });
    const { id } = store.add({ name: name.trim(), resource, from, to, createdBy: actorName(viewer) });
    res.status(201).json({ id, name: name.trim(), resource, from, to });
  });

  router.delete('/api/competitions/:id', (req, res) => {
    const viewer = staffOr403(deps.auth, req, res);
    if (!viewer) return;
    if (viewer.kind === 'staff' && viewer.role !== 'admin') return res.status(403).json({ error: 'forbidden', message: '只有总务处管理员可以删除评比' });
    const changes = competitions()?.remove(Number(req.params.id)) ?? false;
    res.status(changes ? 200 : 404).json(changes ? { ok: true } : { error: 'not_found', message: `no competition ${req.params.id}` });
  });
}
