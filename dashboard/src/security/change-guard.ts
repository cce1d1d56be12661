/**
 * Every state change (POST, PUT, PATCH, DELETE), whatever route it is meant for — including one
 * added later that forgets its own check — needs a page of this origin and a staff session with
 * its CSRF token, or the API key: 401 without credentials, 403 for a display token, another origin
 * or a missing CSRF token. Only what must work without a session is listed in PUBLIC_CHANGES: the
 * login and the public report form's API (same origin still; its routes check and rate-limit what
 * they take: routes/public-*.ts, report-throttle.ts).
 * Runs before any body is read. Roles (which trade, office only) stay with each route.
 */
import type { RequestHandler } from 'express';
import type { MetricsRegistry } from '@campus/runtime';
import type { Auth } from '../auth/auth.ts';
import { staffOr403 } from '../auth/guards.ts';
import { countRefusal } from './refusals.ts';
import { sameOrigin } from './same-origin.ts';

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** "METHOD /path" of the changes a visitor without a session may make (as routed: `:name` is one path segment). */
export const PUBLIC_CHANGES: ReadonlySet<string> = new Set([
  'POST /api/login',
  // the public report form (维修申报): a photo, a report, the reporter's confirm or reopen
  'POST /api/public/photos',
  'POST /api/public/reports',
  'POST /api/public/track/:token/:action',
]);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PUBLIC_PATTERNS: readonly RegExp[] = [...PUBLIC_CHANGES].map(
  (c) =>
    new RegExp(
      `^${c
        .split(/(:\w+)/)
        .map((part) => (part.startsWith(':') ? '[^/]+' : escape(part)))
        .join('')}$`,
    ),
);

export function changeGuard(auth: Auth, metrics: MetricsRegistry): RequestHandler {
  return (req, res, next) => {
    if (!STATE_CHANGING_METHODS.has(req.method)) return next();
    if (!sameOrigin(req.headers)) {
      countRefusal(metrics, 'cross_origin');
      return void res.status(403).json({ error: 'forbidden', message: 'cross-origin request refused' });
    }
    const path = req.path.toLowerCase().replace(/\/+$/, '');
    const change = `${req.method} ${path}`;
    if (PUBLIC_PATTERNS.some((p) => p.test(change))) return next();
    if (staffOr403(auth, req, res)) return next();
    countRefusal(metrics, res.statusCode === 401 ? 'unauthorized' : 'forbidden');
  };
}
