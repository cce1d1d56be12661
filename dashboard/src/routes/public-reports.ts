/**
 * The public report form's API (no login; same origin is checked by the change guard):
 * GET  /api/public/sites                    sites and their buildings (the form without a room)
 * GET  /api/public/rooms/:siteId/:roomId    the room's name, building and floor (the QR code's form)
 * POST /api/public/reports                  PersonReport -> {ticketId, trackingToken, joined, trackUrl}
 * GET  /api/public/track/:token             the reporter's view of the ticket (PublicTicket)
 * POST /api/public/track/:token/confirm     {rating?, note?}: the repair is done (rated 1-5)
 * POST /api/public/track/:token/reopen      {note}: it is not
 * Everything a reporter sends is text, checked for length here (REQUEST_LIMITS) and stripped of
 * control and direction-override characters; the pages show it as text only.
 */
import type { Request, Response, Router } from 'express';
import { REPORT_KINDS, REQUEST_LIMITS, type PersonReport, type ReportKind, type ReporterAction } from '@campus/contract';
import { TicketError, type RepairsDesk } from '@campus/repairs';
import type { DashboardDeps } from '../deps.ts';
import { PhotoStore } from '../photo-store.ts';
import { badRequest } from './http.ts';
import { tooMany, type PublicContext } from './public-photos.ts';

/** a written place (no room): "操场东侧水龙头" */
export const PLACE_CHARS = 60;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

const codePoints = (s: string) => [...s].length;
/** C0/C1 controls (a line break kept where asked), bidirectional overrides and isolates */
const clean = (s: string, keepBreaks: boolean) =>
  s
    .replace(
      keepBreaks ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g : /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
      ' ',
    )
    .trim();

/** A text field: undefined when absent or empty (and not required), a string, or an error message. */
function text(value: unknown, label: string, max: number, { required = false, breaks = false } = {}): { ok: string | null } | { error: string } {
  if (value === undefined || value === null || value === '') return required ? { error: `${label}不能为空 (${label} is required)` } : { ok: null };
  if (typeof value !== 'string') return { error: `${label}须为文字 (${label} must be text)` };
  const s = clean(value, breaks);
  if (!s && required) return { error: `${label}不能为空 (${label} is required)` };
  if (codePoints(s) > max) return { error: `${label}最多 ${max} 字 (${label}: at most ${max} characters)` };
  return { ok: s || null };
}

function deskOr503(deps: DashboardDeps, res: Response): RepairsDesk | undefined {
  const desk = deps.tickets();
  if (!desk) res.status(503).json({ error: 'tickets_unavailable', message: '报修系统暂时不可用，请稍后再试 (ticketing is not running)' });
  return desk;
}

async function answer(res: Response, work: () => unknown, status = 200): Promise<void> {
  try {
    res.status(status).json(await work());
  } catch (err) {
    if (err instanceof TicketError) return void res.status(err.status).json({ error: 'ticket', message: err.message });
    throw err;
  }
}

export const trackUrl = (token: string): string => `/t/${token}`;

export function publicReportRoutes(router: Router, deps: DashboardDeps, ctx: PublicContext): void {
  const campus = (siteId: unknown) => deps.campuses.find((c) => c.site.id === siteId);

  router.get('/api/public/sites', (_req, res) => {
    res.json({ sites: deps.campuses.map((c) => ({ id: c.site.id, name: c.site.name, buildings: c.buildings.map((b) => ({ id: b.id, name: b.name })) })) });
  });

  router.get('/api/public/rooms/:siteId/:roomId', (req, res) => {
    const c = campus(req.params.siteId);
    const room = c?.rooms.find((r) => r.id === req.params.roomId);
    if (!c || !room) return void res.status(404).json({ error: 'not_found', message: '没有这个房间：请扫描教室门口的二维码，或手动填写地点 (no such room)' });
    const building = c.buildings.find((b) => b.id === room.building);
    res.json({
      siteId: c.site.id,
      siteName: c.site.name,
      roomId: room.id,
      roomName: room.name,
      building: room.building,
      buildingName: building?.name ?? room.building,
      floor: room.floor ?? null,
    });
  });

  router.post('/api/public/reports', async (req: Request, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const c = campus(b.siteId);
    if (!c) return badRequest(res, '没有这个学校 (siteId: no such site)');
    const roomId = b.roomId === undefined || b.roomId === null || b.roomId === '' ? null : b.roomId;
    if (roomId !== null && (typeof roomId !== 'string' || !c.rooms.some((r) => r.id === roomId))) return badRequest(res, '没有这个房间 (roomId: no such room)');
    if (!(REPORT_KINDS as readonly unknown[]).includes(b.kind)) return badRequest(res, `请选择报修类别 (kind: one of ${REPORT_KINDS.join(', ')})`);
    const fields = {
      place: roomId === null ? text(b.place, '地点', PLACE_CHARS, { required: true }) : { ok: null },
      text: text(b.text, '问题描述', REQUEST_LIMITS.textChars, { required: true, breaks: true }),
      reporterName: text(b.reporterName, '姓名', REQUEST_LIMITS.nameChars),
      reporterPhone: text(b.reporterPhone, '电话', REQUEST_LIMITS.phoneChars),
    };
    for (const f of Object.values(fields)) if ('error' in f) return badRequest(res, f.error);
    const ok = (f: (typeof fields)[keyof typeof fields]) => ('ok' in f ? f.ok : null);
    const phone = ok(fields.reporterPhone);
    if (phone && !/^[0-9+\-\s()]{3,}$/.test(phone)) return badRequest(res, '电话号码只能包含数字 (reporterPhone: digits only)');
    const photoIds = b.photoIds ?? [];
    if (!Array.isArray(photoIds) || photoIds.length > REQUEST_LIMITS.photos || !photoIds.every((id) => PhotoStore.isId(id) && ctx.photos.get(id)))
      return badRequest(res, `照片最多 ${REQUEST_LIMITS.photos} 张，且须先上传 (photoIds: at most ${REQUEST_LIMITS.photos} uploaded photos)`);
    const refused = ctx.throttle.report(req.ip, `${c.site.id}/${roomId ?? ok(fields.place)}`);
    if (refused) return tooMany(res, refused);
    const desk = deskOr503(deps, res);
    if (!desk) return;
    const report: PersonReport = {
      siteId: c.site.id,
      roomId,
      place: ok(fields.place),
      kind: b.kind as ReportKind,
      text: ok(fields.text)!,
      reporterName: ok(fields.reporterName),
      reporterPhone: phone,
      photoIds: [...new Set(photoIds as string[])],
    };
    await answer(
      res,
      async () => {
        const receipt = await desk.report(report);
        return { ...receipt, trackUrl: trackUrl(receipt.trackingToken) };
      },
      201,
    );
  });

  const tokenOf = (req: Request, res: Response): string | undefined => {
    const token = req.params.token;
    if (typeof token === 'string' && TOKEN.test(token)) return token;
    res.status(404).json({ error: 'not_found', message: '没有找到这张报修单：请检查链接是否完整 (no ticket for this link)' });
    return undefined;
  };

  router.get('/api/public/track/:token', (req, res) => {
    const token = tokenOf(req, res);
    const desk = token && deskOr503(deps, res);
    if (!token || !desk) return;
    const ticket = desk.track(token);
    if (!ticket) return void res.status(404).json({ error: 'not_found', message: '没有找到这张报修单：请检查链接是否完整 (no ticket for this link)' });
    res.setHeader('cache-control', 'no-store');
    res.json(ticket);
  });

  router.post('/api/public/track/:token/:action', async (req, res) => {
    const token = tokenOf(req, res);
    if (!token) return;
    const b = (req.body ?? {}) as Record<string, unknown>;
    let action: ReporterAction;
    if (req.params.action === 'confirm') {
      const rating = b.rating ?? null;
      if (rating !== null && (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5))
        return badRequest(res, '评分为 1 到 5 星 (rating: 1 to 5)');
      const note = text(b.note, '意见', REQUEST_LIMITS.textChars, { breaks: true });
      if ('error' in note) return badRequest(res, note.error);
      action = { kind: 'confirm', rating, note: note.ok };
    } else if (req.params.action === 'reopen') {
      const note = text(b.note, '原因', REQUEST_LIMITS.textChars, { required: true, breaks: true });
      if ('error' in note) return badRequest(res, note.error);
      action = { kind: 'reopen', note: note.ok! };
    } else return void res.status(404).json({ error: 'not_found', message: 'use confirm or reopen' });
    const desk = deskOr503(deps, res);
    if (desk) await answer(res, () => desk.reporterAct(token, action));
  });
}
