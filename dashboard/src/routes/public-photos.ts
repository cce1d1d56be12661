/**
 * POST /api/public/photos          one photo as the raw body (image/jpeg or image/png; judged by its
 *                                  bytes), no login: {id, bytes, width, height}. Mounted before the
 *                                  JSON body limit: its own limit is REQUEST_LIMITS.photoBytes.
 * GET  /api/public/photos/:id?t=   the stored JPEG, for the tracking token of a ticket that has it,
 *                                  or for staff (a session or the API key)
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Viewer } from '../auth/auth.ts';
import type { DashboardDeps } from '../deps.ts';
import { PhotoError, type PhotoStore } from '../photo-store.ts';
import { countRefusal } from '../security/refusals.ts';
import type { ReportThrottle, Refused } from '../security/report-throttle.ts';

export interface PublicContext {
  photos: PhotoStore;
  throttle: ReportThrottle;
}

/** staff sessions and the API key: not throttled, and may see every photo */
export const isStaff = (v: Viewer | null): boolean => v?.kind === 'staff' || v?.kind === 'service';

export function tooMany(res: express.Response, refused: Refused): void {
  res.setHeader('retry-after', String(refused.retryAfterS));
  res.status(429).json({ error: 'too_many_requests', message: refused.message, retryAfterS: refused.retryAfterS });
}

/** photos uploaded by a form that was never sent are kept this long, then swept when the quota is reached */
export const UNSENT_PHOTO_MS = 3600_000;

/** The quota is reached: the photos no ticket has, uploaded over an hour ago, go. The bytes freed. */
function sweep(deps: DashboardDeps, ctx: PublicContext): number {
  const desk = deps.tickets();
  if (!desk) return 0;
  const keep = new Set(desk.list({ limit: Number.MAX_SAFE_INTEGER }).flatMap((t) => t.photos.map((p) => p.id)));
  const freed = ctx.photos.sweep(keep, (deps.now?.() ?? Date.now()) - UNSENT_PHOTO_MS);
  if (freed > 0) deps.log.info(`photo quota reached: ${freed} bytes of photos no ticket has were deleted`);
  return freed;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** The upload, with its own body parser (raw bytes up to the photo limit); before the JSON body limit. */
export function publicPhotoUpload(deps: DashboardDeps, ctx: PublicContext): Router {
  const router = Router();
  const limit = ctx.photos.maxBytes;
  const tooLarge = { error: 'payload_too_large', message: `照片太大：最多 ${mb(limit)} (a photo of at most ${mb(limit)})` };
  const before: RequestHandler = (req, res, next) => {
    if (!isStaff(deps.auth.identify(req.headers))) {
      const refused = ctx.throttle.photo(req.ip);
      if (refused) return tooMany(res, refused);
    }
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      countRefusal(deps.metrics, 'payload_too_large');
      return void res.status(413).json(tooLarge);
    }
    if ((req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity') {
      countRefusal(deps.metrics, 'unsupported_media_type');
      return void res.status(415).json({ error: 'unsupported_media_type', message: '请直接上传图片文件 (send the image uncompressed)' });
    }
    next();
  };
  const raw = express.raw({ type: () => true, limit, inflate: false });
  const cut: ErrorRequestHandler = (err: Error & { type?: string }, _req, res, next) => {
    if (res.headersSent) return;
    if (err.type !== 'entity.too.large') return next(err);
    countRefusal(deps.metrics, 'payload_too_large');
    res.status(413).json(tooLarge);
  };
  router.post('/api/public/photos', before, raw, cut, async (req: Request, res: express.Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!body.length) return void res.status(400).json({ error: 'bad_request', message: '没有收到照片 (send the image as the request body)' });
    try {
      res
        .status(201)
        .json(
          await ctx.photos
            .put(body)
            .catch((err: unknown) => (err instanceof PhotoError && err.status === 507 && sweep(deps, ctx) > 0 ? ctx.photos.put(body) : Promise.reject(err))),
        );
    } catch (err) {
      if (!(err instanceof PhotoError)) throw err;
      if (err.status === 415) countRefusal(deps.metrics, 'unsupported_media_type');
      if (err.status === 413) countRefusal(deps.metrics, 'payload_too_large');
      res.status(err.status).json({ error: err.code, message: err.message });
    }
  });
  return router;
}

export function publicPhotoRoutes(router: Router, deps: DashboardDeps, ctx: PublicContext): void {
  router.get('/api/public/photos/:id', (req, res) => {
    const id = req.params.id;
    const token = typeof req.query.t === 'string' ? req.query.t : undefined;
    const allowed = isStaff(deps.auth.identify(req.headers)) || (token !== undefined && (deps.tickets()?.track(token)?.photoIds.includes(id) ?? false));
    const photo = allowed ? ctx.photos.get(id) : undefined;
    if (!photo) return void res.status(404).json({ error: 'not_found', message: '没有这张照片 (no such photo)' });
    res.setHeader('content-type', 'image/jpeg');
    res.setHeader('cache-control', 'private, max-age=86400');
    res.end(photo);
  });
}
