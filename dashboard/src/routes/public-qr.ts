/**
 * The QR sheet's data (staff only): each room of a building with the address of its report form,
 * at the host and scheme the office opened the sheet at (the LAN name, not localhost), and each
 * room's QR code as SVG, made here (the page's bundle carries no npm code).
 * GET /api/qr/:siteId?building=<id>     {siteName, building, buildingName, rooms: [{id, name, floor, url}]}
 * GET /api/qr/:siteId/:roomId.svg        the QR code of that room's form address
 */
import type { Request, Response, Router } from 'express';
import QRCode from 'qrcode';
import type { Campus } from '@campus/site';
import { viewerOr401 } from '../auth/guards.ts';
import type { DashboardDeps } from '../deps.ts';
import { isStaff } from './public-photos.ts';

/** the form's address of a room, short enough for a QR code on A4 to stay scannable */
export const reportPath = (siteId: string, roomId: string): string => `/r/${encodeURIComponent(siteId)}/${encodeURIComponent(roomId)}`;

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** scheme://host as the browser asked (express's req.protocol follows "trust proxy") */
function origin(req: Request): string | undefined {
  const host = req.get('host');
  return host && HOST.test(host) ? `${req.protocol}://${host}` : undefined;
}

function staffOnly(deps: DashboardDeps, req: Request, res: Response): boolean {
  const viewer = viewerOr401(deps.auth, req, res);
  if (viewer && !isStaff(viewer)) res.status(403).json({ error: 'forbidden', message: '二维码页仅限员工 (staff only)' });
  return !!viewer && isStaff(viewer);
}

export function publicQrRoutes(router: Router, deps: DashboardDeps): void {
  const campus = (siteId: string): Campus | undefined => deps.campuses.find((c) => c.site.id === siteId);

  router.get('/api/qr/:siteId/:file', async (req, res) => {
    if (!staffOnly(deps, req, res)) return;
    const c = campus(req.params.siteId);
    const roomId = req.params.file.endsWith('.svg') ? req.params.file.slice(0, -4) : '';
    const base = origin(req);
    if (!c || !base || !c.rooms.some((r) => r.id === roomId)) return void res.status(404).json({ error: 'not_found', message: 'no such room' });
    const svg = await QRCode.toString(base + reportPath(c.site.id, roomId), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.setHeader('content-type', 'image/svg+xml');
    res.setHeader('cache-control', 'private, max-age=3600');
    res.end(svg);
  });

  router.get('/api/qr/:siteId', (req, res) => {
    if (!staffOnly(deps, req, res)) return;
    const c = campus(req.params.siteId);
    const buildingId = typeof req.query.building === 'string' ? req.query.building : c?.buildings[0]?.id;
    const building = c?.buildings.find((b) => b.id === buildingId);
    const base = origin(req);
    if (!c || !building || !base) return void res.status(404).json({ error: 'not_found', message: 'no such building' });
    res.json({
      siteId: c.site.id,
      siteName: c.site.name,
      building: building.id,
      buildingName: building.name,
      buildings: c.buildings.map((b) => ({ id: b.id, name: b.name })),
      rooms: c.rooms
        .filter((r) => r.building === building.id)
        .map((r) => ({ id: r.id, name: r.name, floor: r.floor ?? null, url: base + reportPath(c.site.id, r.id) })),
    });
  });
}
