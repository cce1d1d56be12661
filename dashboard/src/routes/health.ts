/**
 * GET /api/health: 200 when every part is up, 503 naming the failing ones. The notification
 * channels are shown (`notifications.down`) but never make it 503: a chat robot down is not the system down.
 */
import type { Router } from 'express';
import type { DashboardDeps } from '../deps.ts';

export function healthRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/health', (_req, res) => {
    const parts = deps.health();
    const failing = Object.entries(parts)
      .filter(([, h]) => !h.ok)
      .map(([name]) => name);
    const notifications = deps.notifications?.();
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'degraded' : 'ok', failing, parts, notifications, time: new Date().toISOString() });
  });
}
