/** GET /api/devices: the ledger with lastSeen, status and the last reading. */
import type { Router } from 'express';
import { viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { ledger } from '../ledger.ts';
import { storeOr503 } from './http.ts';

export function deviceRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/devices', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const store = storeOr503(deps, res);
    if (!store) return;
    const now = deps.now?.() ?? Date.now();
    res.json({ devices: ledger(deps.campuses, store.lastReadings(), store.statuses(), now), time: new Date(now).toISOString() });
  });
}
