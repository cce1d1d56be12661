/**
 * GET  /api/devices         the ledger with lastSeen, status and the last reading, and the
 *                           off-the-shelf devices heard but not in the campus file (`pending`)
 * POST /api/devices/adopt   (office admin or API key) puts a pending device into the campus file
 *                           as a ledger device; it reports from its next message, no restart
 */
import type { Router } from 'express';
import { EXTERNAL_FORMAT_PAGE_LABELS, EXTERNAL_FORMATS } from '@campus/contract';
import { addDeviceToFile, CampusConfigError, externalKey, externalSources, refreshLedger } from '@campus/site';
import { actorName, staffOr403, viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { ledger } from '../ledger.ts';
import { badRequest, storeOr503 } from './http.ts';

export function deviceRoutes(router: Router, deps: DashboardDeps): void {
  /** identities (and channels / components) the campus files already map */
  const mapped = () => new Set(deps.campuses.flatMap((c) => c.devices.flatMap((d) => externalSources(d).map((s) => externalKey(s)))));

  router.get('/api/devices', (req, res) => {
    if (!viewerOr401(deps.auth, req, res)) return;
    const store = storeOr503(deps, res);
    if (!store) return;
    const now = deps.now?.() ?? Date.now();
    const known = mapped();
    // with the format's name in each page language: the browser bundle carries no format descriptors
    const pending = store
      .pendingDevices()
      .filter((p) => !known.has(externalKey(p)))
      .map((p) => ({ ...p, formatLabel: EXTERNAL_FORMAT_PAGE_LABELS[p.format] }));
    res.json({ devices: ledger(deps.campuses, store.lastReadings(), store.statuses(), now), pending, time: new Date(now).toISOString() });
  });

  router.post('/api/devices/adopt', (req, res) => {
    const viewer = staffOr403(deps.auth, req, res);
    if (!viewer) return;
    if (viewer.kind === 'staff' && viewer.role !== 'admin') return void res.status(403).json({ error: 'forbidden', message: '只有总务处管理员可以接入设备' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const source = body.source as Record<string, unknown> | undefined;
    const device = body.device as Record<string, unknown> | undefined;
    if (!source || typeof source !== 'object' || !device || typeof device !== 'object' || Array.isArray(device)) {
      return badRequest(
        res,
        'send { source: { format, id, channel?, component?, bridge? }, device: { id, kind, name, location: { building, floor?, room? }, ... } }',
      );
    }
    if (!(EXTERNAL_FORMATS as readonly unknown[]).includes(source.format))
      return badRequest(res, `source.format must be one of ${EXTERNAL_FORMATS.join(', ')}`);
    const siteId = typeof body.siteId === 'string' ? body.siteId : deps.campuses[0]?.site.id;
    const campus = deps.campuses.find((c) => c.site.id === siteId);
    if (!campus) return badRequest(res, `no site "${String(siteId).slice(0, 64)}"`);
    const external = Object.fromEntries(['format', 'id', 'channel', 'component', 'bridge'].filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
    try {
      addDeviceToFile(campus.file, { ...device, external });
    } catch (err) {
      if (err instanceof CampusConfigError) return void res.status(400).json({ error: 'invalid_device', message: err.message, problems: err.problems });
      throw err;
    }
    // this process at once; the others (a separate ingest) through their file watch
    refreshLedger(campus, deps.log.child('ledger'));
    const added = campus.device(String(device.id));
    deps.log.info(`adopted ${source.format} "${String(source.id)}" as ${String(device.id)}`, { by: actorName(viewer) });
    res.status(201).json({ device: added ?? null });
  });
}
