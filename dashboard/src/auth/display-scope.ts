/**
 * A display token opens only what it was made for (display-tokens.ts, DISPLAY_SCOPES): a request
 * carrying one — `Authorization: Display …`, or `?token=…` on a page, as a screen first opens it —
 * for a page or API path outside its scopes is refused with 403 before any route sees it. A lobby
 * token cannot open /tickets, /devices or read /api/tickets. Requests without a token, and tokens
 * the server does not know (the routes answer those with 401), pass on. The live socket is held
 * to the same rule by Auth.identify (only a scope with the live feed, the wall's).
 */
import type { NextFunction, Request, Response } from 'express';
import type { MetricsRegistry } from '@campus/runtime';
import { countRefusal } from '../security/refusals.ts';
import type { Auth } from './auth.ts';
import { DISPLAY_SCOPES, scopeAllows, scopesOf } from './display-tokens.ts';

/** The paths each scope opens, for the refusal's text: "/lobby, /competition". */
const pagesOf = (scopes: readonly (keyof typeof DISPLAY_SCOPES)[]) => [...new Set(scopes.flatMap((s) => DISPLAY_SCOPES[s].pages))].join(', ');

export function displayScopeGuard(auth: Auth, metrics: MetricsRegistry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = /^Display (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = header ?? query;
    const found = token ? auth.displays.verify(token) : null;
    if (!found) return next();
    const scopes = scopesOf(found);
    if (scopeAllows(scopes, { path: req.path })) return next();
    countRefusal(metrics, 'forbidden');
    const message = `此显示屏令牌只能打开 ${pagesOf(scopes)}（display token for ${scopes.join(', ')} only）`;
    if (req.path.startsWith('/api/')) res.status(403).json({ error: 'forbidden', message });
    else res.status(403).type('text/plain; charset=utf-8').send(message);
  };
}
