/** GET /metrics: Prometheus text exposition of this process's registry. */
import type { Router } from 'express';
import type { DashboardDeps } from '../deps.ts';

export function metricsRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.render());
  });
}
