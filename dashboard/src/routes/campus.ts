/** GET /api/campus: the sites, buildings and classes, for page headers and filters. */
import type { Router } from 'express';
import { viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';

export function campusRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/campus', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    res.json({
      sites: deps.campuses.map((c) => ({
        id: c.site.id,
        name: c.site.name,
        timezone: c.site.timezone,
        buildings: c.buildings,
        classes: c.classes,
      })),
    });
  });
}
