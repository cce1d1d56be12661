/**
 * POST /api/login {username, password}  -> session cookie (HttpOnly, SameSite=Strict) and a CSRF token
 * POST /api/logout                     -> the session ends on the server (auth/revoked-sessions.ts)
 * GET  /api/session                      -> who you are, your CSRF token
 * Failed logins are limited per address and per account (5 in 15 min, then 429 with Retry-After:
 * security/login-throttle.ts).
 */
import type { Router } from 'express';
import type { DashboardDeps } from '../deps.ts';
import { ROLE_LABELS_ZH, ROLE_TRADES } from '../auth/staff.ts';
import { staffOr403 } from '../auth/guards.ts';
import { LoginThrottle } from '../security/login-throttle.ts';
import { badRequest } from './http.ts';

export function authRoutes(router: Router, deps: DashboardDeps): void {
  const { auth } = deps;
  const throttle = new LoginThrottle(auth.limiter, deps.metrics);

  router.post('/api/login', async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) return badRequest(res, 'username and password are required');
    const attempt = throttle.begin(req.ip ?? req.socket.remoteAddress, username);
    if (attempt.refused) {
      res.set('retry-after', String(attempt.retryAfterS));
      return res.status(429).json({ error: 'too_many_attempts', message: `登录失败次数过多，请 ${Math.ceil(attempt.retryAfterS / 60)} 分钟后再试` });
    }
    const user = await auth.staff.verify(username.toLowerCase(), password.slice(0, 200));
    if (!user) {
      attempt.failed();
      deps.log.warn('failed login', { username: username.slice(0, 32), from: req.ip ?? req.socket.remoteAddress });
      return res.status(401).json({ error: 'unauthorized', message: '用户名或密码错误' });
    }
    attempt.succeeded();
    const { value, session } = auth.sessions.issue(user.username, user.role);
    res.set('set-cookie', auth.cookie(value, auth.sessions.ttlMs, req.secure));
    res.json({
      user: { username: user.username, name: user.name, role: user.role, roleLabel: ROLE_LABELS_ZH[user.role], trades: ROLE_TRADES[user.role] },
      csrfToken: auth.sessions.csrfFor(session.sid),
    });
  });

  router.post('/api/logout', (req, res) => {
    const viewer = staffOr403(auth, req, res);
    if (!viewer) return;
    // ended on the server too: the old cookie is refused from now on, wherever a copy of it is
    if (viewer.kind === 'staff') auth.revoked.revoke(viewer.session);
    res.set('set-cookie', auth.cookie('', 0, req.secure));
    res.json({ ok: true });
  });

  router.get('/api/session', (req, res) => {
    const v = auth.identify(req.headers);
    if (!v) return res.json({ viewer: null });
    if (v.kind === 'staff') {
      return res.json({
        viewer: { kind: 'staff', username: v.username, name: v.name, role: v.role, roleLabel: ROLE_LABELS_ZH[v.role], trades: ROLE_TRADES[v.role] },
        csrfToken: auth.sessions.csrfFor(v.session.sid),
      });
    }
    res.json({ viewer: v.kind === 'display' ? { kind: 'display', name: v.name } : { kind: 'service' } });
  });
}
