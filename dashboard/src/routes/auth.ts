/**
 * POST /api/login {username, password}  -> session cookie (HttpOnly, SameSite=Strict) and a CSRF token
 * POST /api/logout                     -> the session ends on the server (auth/revoked-sessions.ts)
 * GET  /api/session                      -> who you are, your CSRF token (a screen: its scopes and settings, e.g. {chime: true})
 * POST /api/account/password {current, password} -> your new password (8 to 200 characters); every
 *      session of your account ends, this browser gets a new one (a new cookie and CSRF token)
 * The office (admin, or the API key):
 * GET   /api/staff                       -> the accounts: name, role, disabled, phone, WeCom id
 * POST  /api/staff/:username/reset       -> a new password for that account, shown once; its sessions end
 * PATCH /api/staff/:username {name?, phone?, wecomUserId?} -> the record as kept
 * Failed logins, and wrong current passwords, are limited per address and per account (5 in 15
 * min, then 429 with Retry-After: security/login-throttle.ts).
 *
 * Mounted first among the routes that need a viewer: the display-scope guard (auth/display-scope.ts)
 * is installed here, so it sees every request after /api/health, the pages included.
 */
import type { Request, Response, Router } from 'express';
import type { DashboardDeps } from '../deps.ts';
import { displayScopeGuard } from '../auth/display-scope.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLE_LABELS_ZH, ROLE_TRADES, StaffError, type StaffUser } from '../auth/staff.ts';
import { officeOr403, staffOr403 } from '../auth/guards.ts';
import { LoginThrottle } from '../security/login-throttle.ts';
import { badRequest } from './http.ts';

export function authRoutes(router: Router, deps: DashboardDeps): void {
  const { auth } = deps;
  const throttle = new LoginThrottle(auth.limiter, deps.metrics);
  router.use(displayScopeGuard(auth, deps.metrics));

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
    const v = auth.identify(req.headers, undefined, req.path);
    if (!v) return res.json({ viewer: null });
    if (v.kind === 'staff') {
      return res.json({
        viewer: { kind: 'staff', username: v.username, name: v.name, role: v.role, roleLabel: ROLE_LABELS_ZH[v.role], trades: ROLE_TRADES[v.role] },
        csrfToken: auth.sessions.csrfFor(v.session.sid),
      });
    }
    res.json({ viewer: v.kind === 'display' ? { kind: 'display', name: v.name, scopes: v.scopes, settings: v.settings } : { kind: 'service' } });
  });

  /** 429 when this address or account failed too often; else an attempt to settle. */
  const attemptOr429 = (req: Request, res: Response, username: string) => {
    const attempt = throttle.begin(req.ip ?? req.socket.remoteAddress, username);
    if (!attempt.refused) return attempt;
    res.set('retry-after', String(attempt.retryAfterS));
    res.status(429).json({ error: 'too_many_attempts', message: `失败次数过多，请 ${Math.ceil(attempt.retryAfterS / 60)} 分钟后再试` });
    return undefined;
  };
  const staffErrorOr500 = (res: Response, err: unknown) => {
    if (!(err instanceof StaffError)) throw err;
    res.status({ not_found: 404, exists: 409, bad_request: 400 }[err.reason]).json({ error: err.reason, message: err.message });
  };

  router.post('/api/account/password', async (req, res) => {
    const viewer = staffOr403(auth, req, res);
    if (!viewer) return;
    const { current, password } = (req.body ?? {}) as { current?: unknown; password?: unknown };
    if (typeof current !== 'string' || typeof password !== 'string' || !current) return badRequest(res, 'current and password are required');
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
      return res.status(400).json({ error: 'weak_password', message: `新密码至少 ${MIN_PASSWORD_LENGTH} 位（at most ${MAX_PASSWORD_LENGTH}）` });
    if (viewer.kind !== 'staff') return badRequest(res, 'the API key has no password to change');
    const attempt = attemptOr429(req, res, viewer.username);
    if (!attempt) return;
    if (!(await auth.staff.verify(viewer.username, current.slice(0, MAX_PASSWORD_LENGTH)))) {
      attempt.failed();
      // not 401: the session is fine, the page must not send its owner to the login
      return res.status(400).json({ error: 'wrong_password', message: '当前密码不正确' });
    }
    attempt.succeeded();
    if (password === current) return res.status(400).json({ error: 'same_password', message: '新密码不能与当前密码相同' });
    const now = Date.now();
    await auth.staff.setPassword(viewer.username, password, now);
    // every session issued until now has ended, this one too: this browser gets one issued after
    const { value, session } = auth.sessions.issue(viewer.username, viewer.role, now + 1);
    res.set('set-cookie', auth.cookie(value, auth.sessions.ttlMs, req.secure));
    deps.log.info('password changed', { username: viewer.username });
    res.json({ ok: true, csrfToken: auth.sessions.csrfFor(session.sid) });
  });

  /** What the office sees of an account (never the hash). */
  const shown = (u: StaffUser) => ({
    username: u.username,
    name: u.name,
    role: u.role,
    roleLabel: ROLE_LABELS_ZH[u.role],
    disabled: u.disabled === true,
    phone: u.phone ?? null,
    wecomUserId: u.wecomUserId ?? null,
    createdAt: u.createdAt,
    passwordAt: u.passwordAt ?? null,
  });

  router.get('/api/staff', (req, res) => {
    if (!officeOr403(auth, req, res, { change: false })) return;
    res.json({ users: auth.staff.list().map(shown) });
  });

  router.post('/api/staff/:username/reset', async (req, res) => {
    const viewer = officeOr403(auth, req, res);
    if (!viewer) return;
    try {
      const password = await auth.staff.reset(req.params.username);
      deps.log.info('password reset by the office', { username: req.params.username, by: viewer.kind === 'staff' ? viewer.username : 'api' });
      res.json({ username: req.params.username, password });
    } catch (err) {
      staffErrorOr500(res, err);
    }
  });

  router.patch('/api/staff/:username', (req, res) => {
    if (!officeOr403(auth, req, res)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const profile: Record<string, string> = {};
    for (const key of ['name', 'phone', 'wecomUserId'] as const) {
      if (body[key] === undefined || body[key] === null) continue;
      if (typeof body[key] !== 'string') return badRequest(res, `${key} must be text`);
      profile[key] = body[key];
    }
    try {
      res.json({ user: shown(auth.staff.updateProfile(req.params.username, profile)) });
    } catch (err) {
      staffErrorOr500(res, err);
    }
  });
}
