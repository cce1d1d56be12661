/**
 * The dashboard app, built without binding a port (tests call it directly): security headers,
 * the guards against a hostile network (security/), the API, the pages, and vendor scripts
 * served from node_modules (never a CDN).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { DashboardDeps } from './deps.ts';
import { campusRoutes } from './routes/campus.ts';
import { deviceRoutes } from './routes/devices.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { readingRoutes } from './routes/readings.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { authRoutes } from './routes/auth.ts';
import { competitionRoutes } from './routes/competition.ts';
import { competitionsRoutes } from './routes/competitions.ts';
import { reportRoutes } from './routes/reports.ts';
import { publicPhotoRoutes, publicPhotoUpload, type PublicContext } from './routes/public-photos.ts';
import { publicQrRoutes } from './routes/public-qr.ts';
import { publicReportRoutes } from './routes/public-reports.ts';
import { photoStoreOf } from './photo-store.ts';
import { ReportThrottle } from './security/report-throttle.ts';
import { bodyErrors, bodyLimit } from './security/body-limit.ts';
import { bodyTimeout } from './security/body-timeout.ts';
import { changeGuard } from './security/change-guard.ts';
import { securityOptions } from './security/options.ts';

const require = createRequire(import.meta.url);
const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
/** the pages' scripts, built from dashboard/web by `npm run build:web` (dashboard/scripts/build-web.ts) */
const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

/** The pages: path -> file in public/. */
export const PAGES: Readonly<Record<string, string>> = Object.freeze({
  '/': 'overview.html',
  '/login': 'login.html',
  '/wall': 'wall.html',
  '/tickets': 'tickets.html',
  '/devices': 'devices.html',
  '/competition': 'competition.html',
  '/lobby': 'lobby.html',
  '/account': 'account.html',
  // the public report form without a room (the reporter picks the building), and the QR sheet (staff)
  '/report': 'report.html',
  '/qr': 'qr.html',
});

/** Pages at a parameterised path: a room's report form (the QR code's target, kept short) and the reporter's tracking page. */
export const PAGE_ROUTES: Readonly<Record<string, string>> = Object.freeze({
  '/r/:siteId/:roomId': 'report.html',
  '/t/:token': 'track.html',
});

/**
 * helmet's headers for pages served over `scheme`. Over plain HTTP at a LAN host name or address,
 * `upgrade-insecure-requests` would make the browser fetch every script, stylesheet and API call
 * over https, where nothing answers (docs/developing/platform-facts.md: an unstyled login that cannot log in); browsers
 * exempt only localhost and 127.0.0.1. Over HTTPS it stays (nothing here is loaded over http).
 * Cross-Origin-Opener-Policy and Origin-Agent-Cluster need a trustworthy origin: over plain HTTP
 * Chromium ignores them and logs an error (a warning), so they are sent over HTTPS only. No
 * Strict-Transport-Security in either: it would pin every browser that once used HTTPS to it for
 * the whole host, and the screens on the plain HTTP port of the same server would stop loading.
 * connect-src 'self' covers the live socket: ws: and wss: at the page's own host and port (CSP
 * level 3; the page tests check the socket runs over a WebSocket at each origin).
 */
function securityHeaders(scheme: 'http' | 'https') {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'connect-src': ["'self'"],
        // blob: the report form's preview of a photo before it is sent (made by the page itself)
        'img-src': ["'self'", 'data:', 'blob:'],
        'upgrade-insecure-requests': scheme === 'https' ? [] : null,
      },
    },
    crossOriginOpenerPolicy: scheme === 'https',
    originAgentCluster: scheme === 'https',
    strictTransportSecurity: false,
  });
}

export function createDashboard(deps: DashboardDeps): Express {
  const security = securityOptions(deps.security);
  deps.auth.limiter.configure(security.loginMaxFailures, security.loginWindowMs);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', security.trustProxy);
  // the headers depend on how the page came: plain HTTP (the default, a wall TV at http://houqin-server:3000) or HTTPS
  const plainHeaders = securityHeaders('http');
  const httpsHeaders = securityHeaders('https');
  app.use((req, res, next) => (req.secure ? httpsHeaders : plainHeaders)(req, res, next));
  // in this order: a slow body is timed from its headers on; a change is refused before its body is read
  app.use(bodyTimeout(security.bodyTimeoutMs, deps.metrics));
  app.use(changeGuard(deps.auth, deps.metrics));
  // the public report form's photos come as raw image bytes, with their own limit, before the JSON-only body limit
  const publicCtx: PublicContext = {
    photos: photoStoreOf(deps),
    throttle: new ReportThrottle(deps.metrics, deps.reportLimits, deps.now),
  };
  app.use(publicPhotoUpload(deps, publicCtx));
  app.use(bodyLimit(security.bodyLimitBytes, deps.metrics));
  app.use(bodyErrors(security.bodyLimitBytes, deps.metrics));

  const api = Router();
  for (const routes of [
    healthRoutes,
    authRoutes,
    campusRoutes,
    deviceRoutes,
    readingRoutes,
    ticketRoutes,
    competitionRoutes,
    competitionsRoutes,
    reportRoutes,
    metricsRoutes,
  ])
    routes(api, deps);
  publicReportRoutes(api, deps, publicCtx);
  publicPhotoRoutes(api, deps, publicCtx);
  publicQrRoutes(api, deps);
  app.use(api);

  const chartJs = dirname(require.resolve('chart.js')); // .../chart.js/dist
  app.use('/vendor/chart.js', express.static(chartJs, { immutable: true, maxAge: '7d' }));
  for (const [path, file] of Object.entries({ ...PAGES, ...PAGE_ROUTES })) app.get(path, (_req, res) => res.sendFile(join(PUBLIC_DIR, file)));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  // scripts from the build, stylesheets from public/: both at /static, where the pages ask for them
  if (!existsSync(join(WEB_DIR, 'overview.js'))) deps.log.error(`the pages' scripts are not built (${WEB_DIR}): run npm run build:web`);
  app.use('/static', express.static(WEB_DIR, { maxAge: '1h' }));
  app.use('/static', express.static(join(PUBLIC_DIR, 'static'), { maxAge: '1h' }));

  app.use('/api', (_req, res) => res.status(404).json({ error: 'not_found', message: 'no such endpoint' }));
  app.use(
    (err: Error & { status?: number; type?: string; unavailable?: boolean }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      // the reading database is down (InfluxDB): say so, the page shows it and retries
      if (res.headersSent) return void res.end();
      if (err.unavailable) return void res.status(503).json({ error: 'store_unavailable', message: err.message });
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) deps.log.error(`request failed: ${err.message}`);
      res.status(status).json({ error: status === 500 ? 'internal' : (err.type ?? 'bad_request'), message: status === 500 ? 'internal error' : err.message });
    },
  );
  return app;
}
