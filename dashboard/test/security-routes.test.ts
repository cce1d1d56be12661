/**
 * Every state-changing route (POST, PUT, PATCH, DELETE), found by walking the served app's own
 * router — so a route added later is checked without anyone listing it here — refuses a visitor
 * without a session (401), a staff session without its CSRF token or with a wrong one (403), a
 * display token (403) and another origin (403), and lets the office admin with the token through.
 * Then the roles: who may act on which trade's tickets, adopt devices, set up competitions.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth, PUBLIC_CHANGES, STATE_CHANGING_METHODS } from '@campus/dashboard';
import { MetricsRegistry } from '@campus/runtime';
import { tempDir } from '@campus/testkit';
import { changeGuard } from '../src/security/change-guard.ts';
import { call, startDashboard, type Fixture, type Session } from './security-fixture.ts';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** "METHOD /path" of every state-changing route in the app's router, mounted routers included. */
function stateChangingRoutes(app: Express): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).flatMap((m) => (m === '_all' ? [...STATE_CHANGING_METHODS] : [m.toUpperCase()]));
        for (const path of [layer.route.path].flat())
          for (const method of methods) if (STATE_CHANGING_METHODS.has(method)) out.push({ method, path: prefix + path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack, '');
  return out;
}

/** A concrete URL for a route path: parameters get plausible values. */
const SAMPLE: Record<string, string> = { id: '1', action: 'ack' };
const concrete = (path: string) => path.replace(/[:*](\w+)/g, (_, name: string) => SAMPLE[name] ?? 'x');

interface Probe {
  port: number;
  origin: string;
  session: Session;
  display: string;
}

/** What each route answers to each kind of wrong caller; a list of the failures. */
async function unprotected(app: Express, p: Probe): Promise<string[]> {
  const failures: string[] = [];
  const cases: [string, Record<string, string>, number][] = [
    ['no session', {}, 401],
    ['a wrong API key', { authorization: 'Bearer not-the-key' }, 401],
    ['a session without its CSRF token', { cookie: p.session.cookie }, 403],
    ['a session with a wrong CSRF token', { cookie: p.session.cookie, 'x-csrf-token': 'forged' }, 403],
    ['a display token', { authorization: `Display ${p.display}` }, 403],
    ['another origin', { cookie: p.session.cookie, 'x-csrf-token': p.session.csrf, origin: 'http://evil.example' }, 403],
    ['Origin: null', { cookie: p.session.cookie, 'x-csrf-token': p.session.csrf, origin: 'null' }, 403],
    ['a cross-site fetch', { cookie: p.session.cookie, 'x-csrf-token': p.session.csrf, 'sec-fetch-site': 'cross-site' }, 403],
  ];
  for (const { method, path } of stateChangingRoutes(app)) {
    const isPublic = PUBLIC_CHANGES.has(`${method} ${path}`);
    for (const [what, headers, expected] of cases) {
      if (isPublic && expected === 401) continue; // nothing to refuse: e.g. the login itself
      if (isPublic && !('origin' in headers) && !('sec-fetch-site' in headers)) continue;
      const r = await call(p.port, { method, path: concrete(path), headers, body: {} });
      if (r.status !== expected) failures.push(`${method} ${path} with ${what}: ${r.status} (expected ${expected})`);
    }
  }
  return failures;
}

let f: Fixture;
let admin: Session;
let display: string;
beforeAll(async () => {
  f = await startDashboard();
  admin = await f.staff('office', 'admin');
  display = f.auth.displays.add('大厅').token;
});
afterAll(() => f?.stop());

describe('every state-changing route', () => {
  it('is found by walking the router (the known ones at least)', () => {
    const found = stateChangingRoutes(f.app).map((r) => `${r.method} ${r.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'POST /api/login',
        'POST /api/logout',
        'POST /api/tickets/:id/:action',
        'POST /api/devices/adopt',
        'POST /api/competitions',
        'DELETE /api/competitions/:id',
      ]),
    );
  });

  it('refuses no session (401), a missing or wrong CSRF token, a display token and other origins (403)', async () => {
    expect(await unprotected(f.app, { port: f.port, origin: f.origin, session: admin, display })).toEqual([]);
    expect(await f.metric(/^campus_http_refused_total\{reason="unauthorized"\} /)).toBeGreaterThan(0);
  });

  it('lets the office admin with the CSRF token (and the API key) past the guard on every route', async () => {
    const before = readFileSync(f.campusFile, 'utf8');
    for (const { method, path } of stateChangingRoutes(f.app)) {
      if (path === '/api/logout') continue; // would only end the session the other checks use
      const callers: Record<string, string>[] = [
        { ...f.as(admin), origin: f.origin, 'sec-fetch-site': 'same-origin' },
        { authorization: `Bearer ${f.apiKey}` },
      ];
      for (const headers of callers) {
        const r = await call(f.port, { method, path: concrete(path), headers, body: {} });
        expect([401, 403], `${method} ${path}: ${r.status} ${r.text}`).not.toContain(r.status);
      }
    }
    expect(readFileSync(f.campusFile, 'utf8')).toBe(before); // empty bodies change nothing
  });

  it('the check itself can fail: it flags a route without protection, and the guard covers one', async () => {
    const dir = tempDir();
    const auth = new Auth(dir.path);
    await auth.staff.add('admin', '管理员', 'admin');
    const session = auth.sessions.issue('admin', 'admin');
    const screen = auth.displays.add('大屏').token;
    const probe = async (guarded: boolean) => {
      const app = express();
      if (guarded) app.use(changeGuard(auth, new MetricsRegistry()));
      app.post('/api/added-later', (_req, res) => res.json({ changed: true })); // forgot its own check
      const server = createServer(app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as { port: number }).port;
        return await unprotected(app, {
          port,
          origin: `http://127.0.0.1:${port}`,
          session: { cookie: `campus_session=${session.value}`, csrf: auth.sessions.csrfFor(session.session.sid) },
          display: screen,
        });
      } finally {
        server.close();
      }
    };
    try {
      expect(await probe(false)).toContain('POST /api/added-later with no session: 200 (expected 401)');
      expect(await probe(true)).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describe('roles', () => {
  let canteen: Session;
  let plumber: Session;
  let electrician: Session;
  beforeAll(async () => {
    canteen = await f.staff('chen', 'canteen');
    plumber = await f.staff('li', 'plumber');
    electrician = await f.staff('zhang', 'electrician');
  });
  const act = (s: Session, id: number, action: string, note = '已处理') =>
    f.call({ method: 'POST', path: `/api/tickets/${id}/${action}`, headers: f.as(s), body: { note } });

  it('the canteen manager cannot resolve an electrical ticket; the electrician can', async () => {
    const id = f.openTicket('electrician', 'tr-sci');
    const refused = await act(canteen, id, 'resolve');
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(/electrician/);
    expect(f.tickets.get(id)!.status).toBe('open');
    expect((await act(plumber, id, 'ack')).status).toBe(403);
    expect((await act(electrician, id, 'resolve', '更换熔断器')).json).toMatchObject({ status: 'resolved', resolvedBy: 'zhang' });
  });

  it('the canteen manager handles canteen tickets, and nothing else', async () => {
    const fridge = f.openTicket('canteen', 'fr-chiller-1');
    const water = f.openTicket('plumber', 'wm-dorm-2');
    expect((await act(canteen, fridge, 'ack')).status).toBe(200);
    expect((await act(canteen, water, 'ack')).status).toBe(403);
    expect(f.tickets.get(water)!.status).toBe('open');
  });

  it('only the office admin adopts devices: a plumber is refused and the campus file is untouched', async () => {
    const before = readFileSync(f.campusFile, 'utf8');
    const body = {
      source: { format: 'tasmota', id: 'tasmota_LAB9' },
      device: { id: 'em-lab9', kind: 'electricity_meter', name: '实验室9', location: { building: 'science' }, reportingIntervalS: 30 },
    };
    for (const s of [plumber, electrician, canteen]) {
      const r = await f.call({ method: 'POST', path: '/api/devices/adopt', headers: f.as(s), body });
      expect(r.status).toBe(403);
      expect(r.json.message).toMatch(/总务处管理员/);
    }
    expect(readFileSync(f.campusFile, 'utf8')).toBe(before);
  });

  it('only the office admin sets up and deletes competitions', async () => {
    const body = { name: '节电周', resource: 'electricity', from: '2026-11-02', to: '2026-11-06' };
    for (const s of [plumber, canteen]) expect((await f.call({ method: 'POST', path: '/api/competitions', headers: f.as(s), body })).status).toBe(403);
    const created = await f.call({ method: 'POST', path: '/api/competitions', headers: f.as(admin), body });
    expect(created.status).toBe(201);
    const del = `/api/competitions/${created.json.id}`;
    expect((await f.call({ method: 'DELETE', path: del, headers: f.as(electrician) })).status).toBe(403);
    expect((await f.call({ method: 'DELETE', path: del, headers: f.as(admin) })).status).toBe(200);
  });
});
