/** Route guards: any viewer for reading; staff (with CSRF and same origin) or the API key for changes. */
import type { Request, Response } from 'express';
import { sameOrigin } from '../security/same-origin.ts';
import type { Auth, Viewer } from './auth.ts';

export function viewerOr401(auth: Auth, req: Request, res: Response): Viewer | undefined {
  const viewer = auth.identify(req.headers);
  if (!viewer) res.status(401).json({ error: 'unauthorized', message: '请先登录 (log in), or open this screen with its display token' });
  return viewer ?? undefined;
}

/** A state change: staff with a valid CSRF token from this origin, or the API key. Display tokens never. */
export function staffOr403(auth: Auth, req: Request, res: Response): Viewer | undefined {
  const viewer = viewerOr401(auth, req, res);
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

export const actorName = (v: Viewer): string => (v.kind === 'staff' ? v.name || v.username : v.kind === 'service' ? 'api' : v.name);
