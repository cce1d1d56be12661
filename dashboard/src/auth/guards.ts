/** Route guards: any viewer for reading; staff (with CSRF and same origin) or the API key for changes. */
import type { Request, Response } from 'express';
import { sameOrigin } from '../security/same-origin.ts';
import type { Auth, Viewer } from './auth.ts';

/** Any viewer for reading this path: a display token only within its scopes (display-scope.ts refuses the rest with 403 first). */
export function viewerOr401(auth: Auth, req: Request, res: Response): Viewer | undefined {
  const viewer = auth.identify(req.headers, undefined, req.path);
  if (!viewer) res.status(401).json({ error: 'unauthorized', message: '请先登录 (log in), or open this screen with its display token' });
  return viewer ?? undefined;
}

/** A state change: staff with a valid CSRF token from this origin, or the API key. Display tokens never. */
export function staffOr403(auth: Auth, req: Request, res: Response): Viewer | undefined {
  // any known screen, whatever its scopes: read-only (403), never "log in" (401)
  const viewer = auth.displayOf(req.headers) ? ({ kind: 'display' } as const) : viewerOr401(auth, req, res);
  if (!viewer) return undefined;
  if (viewer.kind === 'display') {
    res.status(403).json({ error: 'forbidden', message: 'a display screen is read-only' });
    return undefined;
  }
  if (viewer.kind === 'staff') {
    if (!sameOrigin(req.headers)) {
      res.status(403).json({ error: 'forbidden', message: 'cross-origin request refused' });
      return undefined;
    }
    if (!auth.sessions.checkCsrf(viewer.session.sid, req.get('x-csrf-token'))) {
      res.status(403).json({ error: 'csrf', message: 'missing or wrong CSRF token: reload the page' });
      return undefined;
    }
  }
  return viewer;
}

/**
 * The office: an admin's session (a change: with its CSRF token, as staffOr403) or the API key;
 * anyone else 403. `change: false` for reading what only the office may see.
 */
export function officeOr403(auth: Auth, req: Request, res: Response, { change = true } = {}): Viewer | undefined {
  const viewer = change ? staffOr403(auth, req, res) : viewerOr401(auth, req, res);
  if (!viewer) return undefined;
  if (viewer.kind === 'service' || (viewer.kind === 'staff' && viewer.role === 'admin')) return viewer;
  res.status(403).json({ error: 'forbidden', message: '仅总务处管理员可用 (office only)' });
  return undefined;
}

export const actorName = (v: Viewer): string => (v.kind === 'staff' ? v.name || v.username : v.kind === 'service' ? 'api' : v.name);
