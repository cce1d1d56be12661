/**
 * GET /api/readings?device=&from=&to=&step=&field=&points=
 * A downsampled series for one device: per bucket avg/min/max/n. `step` is in seconds; without it
 * (or when it would give more than `points` buckets, default 1000) the step is widened.
 */
import type { Router } from 'express';
import { seriesField, SERIES_FIELDS } from '@campus/contract';
import { viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { badRequest, parseTime, storeOr503 } from './http.ts';

const DAY = 86_400_000;
const NICE_STEPS_S = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export function readingRoutes(router: Router, deps: DashboardDeps): void {
  // looked up per request: devices adopted while running are there too
  const devices = { get: (id: string) => deps.campuses.map((c) => c.device(id)).find(Boolean) };

  router.get('/api/readings', async (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const q = req.query as Record<string, string | undefined>;
    const device = q.device ? devices.get(q.device) : undefined;
    if (!q.device) return badRequest(res, 'device is required, e.g. /api/readings?device=tr-main');
    if (!device) return badRequest(res, `unknown device "${String(q.device).slice(0, 64)}"`);
    const field = seriesField(device.kind, q.field);
    if (!field) return badRequest(res, `field must be one of ${SERIES_FIELDS[device.kind].map((f) => f.name).join(', ')}`);

    const now = deps.now?.() ?? Date.now();
    const to = parseTime(q.to) ?? now;
    const from = parseTime(q.from) ?? to - DAY;
    if (Number.isNaN(from) || Number.isNaN(to)) return badRequest(res, 'from and to must be epoch ms or ISO 8601');
    if (to <= from) return badRequest(res, 'to must be after from');
    if (to - from > 400 * DAY) return badRequest(res, 'at most 400 days per request');
    const points = q.points === undefined ? 1000 : Number(q.points);
    if (!Number.isInteger(points) || points < 1 || points > 10_000) return badRequest(res, 'points must be 1-10000');
    let stepS = q.step === undefined ? 0 : Number(q.step);
    if (!Number.isFinite(stepS) || stepS < 0) return badRequest(res, 'step must be a number of seconds');
    const minStepS = (to - from) / 1000 / points;
    if (stepS < minStepS) stepS = NICE_STEPS_S.find((s) => s >= minStepS) ?? Math.ceil(minStepS / 86400) * 86400;

    const store = storeOr503(deps, res);
    if (!store) return;
    const series = await store.series({ deviceId: device.id, paths: field.paths, from, to, stepMs: Math.round(stepS * 1000) });
    res.json({ device: device.id, field: field.name, unit: field.unit, label: field.labelZh, from, to, step: stepS, points: series });
  });
}
