/** The dashboard API, built without the rest of the system: a real SQLite store, a real HTTP socket. */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '@campus/contract';
import { Auth, createDashboard, deviceStatus, type LiveFeed } from '@campus/dashboard';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { openDb } from '@campus/runtime';
import { TicketService, TicketStore } from '@campus/repairs';
import { createLog, loadOrCreateKey, MetricsRegistry, type PartHealth } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const dir = tempDir();
const store = new SqliteReadingStore(join(dir.path, 'campus.db'), { context: storeContext([campus]) });
const parts: Record<string, PartHealth> = { broker: { ok: true }, ingest: { ok: true } };
const metrics = new MetricsRegistry();
const tickets = new TicketService(new TicketStore(openDb(join(dir.path, 'campus.db'))), [campus], createLog('test'));
const auth = new Auth(dir.path);
const API_KEY = loadOrCreateKey(dir.path, 'api');
let server: Server;
let base: string;

const reading = (deviceId: string, ts: number, values: Record<string, unknown>): Reading => ({
  siteId: 'dongnan',
  deviceId,
  kind: campus.device(deviceId)!.kind,
  ts,
  seq: 0,
  receivedAt: ts,
  values: values as unknown as Reading['values'],
});

beforeAll(async () => {
  const readings: Reading[] = [];
  for (let i = 0; i < 24 * 60; i++)
    readings.push(reading('tr-main', NOW - 24 * 3600_000 + i * 60_000, { currentA: [100 + (i % 10), 90, 80], voltageV: [231, 231, 231], powerKW: 60 }));
  readings.push(reading('wm-main', NOW - 20_000, { totalM3: 42_000, flowM3h: 3 }));
  readings.push(reading('em-g1c1', NOW - 3600_000, { totalKWh: 10, powerKW: 1 })); // silent for an hour
  await store.write({ readings, statuses: [{ deviceId: 'fr-sample', status: 'offline', at: NOW - 5000 }], deadLetters: [] });
  metrics.counter('campus_readings_stored_total', 'readings stored').inc({}, readings.length);
  const app = createDashboard({
    campuses: [campus],
    store: () => store,
    live: new EventEmitter() as LiveFeed,
    health: () => parts,
    tickets: () => tickets,
    auth,
    dataDir: dir.path,
    metrics,
    log: createLog('test'),
    now: () => NOW,
  });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  store.close();
  dir.remove();
});

const get = async (path: string, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) => {
  const res = await fetch(base + path, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

describe('GET /api/devices', () => {
  it('lists the whole ledger with status from recency, announcements and silence', async () => {
    const { status, body } = await get('/api/devices');
    expect(status).toBe(200);
    expect(body.devices).toHaveLength(campus.devices.length);
    const byId = Object.fromEntries(body.devices.map((d: any) => [d.id, d]));
    expect(byId['wm-main']).toMatchObject({ status: 'online', last: { totalM3: 42_000, flowM3h: 3 }, lastSeen: new Date(NOW - 20_000).toISOString() });
    expect(byId['em-g1c1'].status).toBe('offline'); // 1 h > 3 x 30 s
    expect(byId['fr-sample'].status).toBe('offline'); // announced
    expect(byId['fr-chiller-1']).toMatchObject({ status: 'unknown', lastSeen: null, last: null });
    expect(byId['tr-main'].ratings).toMatchObject({ ratedKVA: 315, ratedCurrentA: 454.7 });
    expect(byId['fr-chiller-1'].ratings.limitsC).toEqual({ min: 0, max: 8 });
  });

  it('status rule: 3 reporting intervals', () => {
    const config = campus.device('wm-main')!;
    const last = { deviceId: 'wm-main', siteId: 'dongnan', kind: 'water_meter' as const, ts: NOW, seq: 1, receivedAt: NOW, values: { totalM3: 1 } };
    expect(deviceStatus(config, last, undefined, NOW + 89_000)).toBe('online');
    expect(deviceStatus(config, last, undefined, NOW + 91_000)).toBe('offline');
    expect(deviceStatus(config, last, { deviceId: 'wm-main', status: 'offline', at: NOW + 1 }, NOW + 2)).toBe('offline');
    expect(deviceStatus(config, last, { deviceId: 'wm-main', status: 'offline', at: NOW - 1 }, NOW + 2)).toBe('online');
  });
});

describe('GET /api/readings', () => {
  it('downsamples a day of 1-minute data to the requested number of points, worst phase by default', async () => {
    const { status, body } = await get(`/api/readings?device=tr-main&from=${NOW - 24 * 3600_000}&to=${NOW}&points=100`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ device: 'tr-main', field: 'worstPhaseA', unit: 'A' });
    expect(body.points.length).toBeLessThanOrEqual(100);
    expect(body.points.length).toBeGreaterThan(40);
    expect(body.points[0]).toMatchObject({ min: 100, max: 109 });
    const n = body.points.reduce((s: number, p: any) => s + p.n, 0);
    expect(n).toBe(24 * 60);
  });

  it('honours an explicit step and field', async () => {
    const { body } = await get(`/api/readings?device=tr-main&field=powerKW&from=${NOW - 3600_000}&to=${NOW}&step=600`);
    expect(body.step).toBe(600);
    expect(body.points).toHaveLength(6);
    expect(body.points.every((p: any) => p.avg === 60 && p.n === 10)).toBe(true);
  });

  it('answers bad parameters with 400 and a message', async () => {
    for (const [q, msg] of [
      ['', /device is required/],
      ['?device=nope', /unknown device/],
      ['?device=tr-main&field=tempC', /field must be one of worstPhaseA/],
      ['?device=tr-main&from=yesterday', /epoch ms or ISO 8601/],
      [`?device=tr-main&from=${NOW}&to=${NOW - 1}`, /to must be after from/],
      ['?device=tr-main&points=0', /points must be/],
    ] as const) {
      const { status, body } = await get(`/api/readings${q}`);
      expect(status, q).toBe(400);
      expect(body.message, q).toMatch(msg);
    }
  });
});

describe('GET /api/health and /metrics', () => {
  it('is 200 when all parts are up and 503 naming the failing part otherwise', async () => {
    expect((await get('/api/health')).status).toBe(200);
    parts.ingest = { ok: false, detail: 'not connected to the broker' };
    const { status, body } = await get('/api/health');
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'degraded', failing: ['ingest'], parts: { ingest: { detail: 'not connected to the broker' } } });
    parts.ingest = { ok: true };
  });

  it('exposes Prometheus text', async () => {
    const res = await fetch(base + '/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^# TYPE campus_readings_stored_total counter\ncampus_readings_stored_total 1442$/m);
  });

  it('unknown API paths are JSON 404s', async () => {
    expect(await get('/api/nothing')).toEqual({ status: 404, body: { error: 'not_found', message: 'no such endpoint' } });
  });
});

describe('ticket API', () => {
  const post = (path: string, body: unknown, key: string | null = API_KEY) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });

  it('lists open tickets and shows one with its audit trail', async () => {
    tickets.apply([
      {
        active: true,
        condition: 'fridge.excursion',
        subjectId: 'fr-chiller-1',
        at: NOW,
        severity: 'major',
        trade: 'canteen',
        category: 'repair',
        title: '冷藏柜温度超标',
        summary: '当前 11.0 °C',
      },
    ]);
    const { body } = await get('/api/tickets?status=open');
    const t = body.tickets.find((x: any) => x.deviceId === 'fr-chiller-1');
    expect(t).toMatchObject({
      condition: 'fridge.excursion',
      severity: 'major',
      trade: 'canteen',
      status: 'open',
      occurrences: 1,
      deviceName: '冷藏柜1',
      location: { buildingName: '食堂', roomName: '冷藏间', floor: 1 },
    });
    const one = await get(`/api/tickets/${t.id}`);
    expect(one.body.audit).toEqual([{ at: new Date(NOW).toISOString(), actor: 'system', action: 'opened', note: '当前 11.0 °C' }]);
    expect((await get('/api/tickets/99999')).status).toBe(404);
    expect((await get('/api/tickets?status=nope')).status).toBe(400);
  });

  it('changes nothing without credentials', async () => {
    const id = tickets.list({ status: 'open' })[0]!.id;
    expect((await post(`/api/tickets/${id}/ack`, {}, null)).status).toBe(401);
    expect((await post(`/api/tickets/${id}/ack`, {}, 'wrong-key-of-some-length-xxxxxxxxxxxxxxxxxxx')).status).toBe(401);
    expect(tickets.get(id)!.status).toBe('open');
  });

  it('acknowledges, starts, resolves with a required note, and reopens, keeping the audit trail', async () => {
    const id = tickets.list({ status: 'open' })[0]!.id;
    expect((await (await post(`/api/tickets/${id}/ack`, { actor: '李师傅', note: '马上到' })).json()) as any).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: '李师傅',
    });
    expect((await post(`/api/tickets/${id}/ack`, {})).status).toBe(409);
    expect((await post(`/api/tickets/${id}/start`, { actor: '李师傅' })).status).toBe(200);
    const noNote = await post(`/api/tickets/${id}/resolve`, { actor: '李师傅' });
    expect(noNote.status).toBe(400);
    expect(((await noNote.json()) as any).message).toMatch(/处理说明/);
    expect((await (await post(`/api/tickets/${id}/resolve`, { actor: '李师傅', note: '更换门封条' })).json()) as any).toMatchObject({
      status: 'resolved',
      resolvedBy: '李师傅',
    });
    expect((await post(`/api/tickets/${id}/reopen`, { actor: '王主任', note: '仍然超温' })).status).toBe(200);
    const audit = (await get(`/api/tickets/${id}`)).body.audit.map((a: any) => [a.action, a.actor, a.note]);
    expect(audit).toEqual([
      ['opened', 'system', '当前 11.0 °C'],
      ['ack', '李师傅', '马上到'],
      ['start', '李师傅', null],
      ['resolve', '李师傅', '更换门封条'],
      ['reopen', '王主任', '仍然超温'],
    ]);
    expect((await post(`/api/tickets/${id}/fix`, {})).status).toBe(404);
  });
});

describe('staff login, roles, CSRF and display tokens', () => {
  const login = async (username: string, password: string) => {
    const res = await fetch(base + '/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as any;
    return { status: res.status, cookie: res.headers.get('set-cookie') ?? '', csrf: body.csrfToken as string, body };
  };
  const act = (path: string, cookie: string, csrf?: string, body: unknown = { note: '处理完毕' }) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify(body),
    });

  it('reading needs a viewer', async () => {
    for (const path of ['/api/devices', '/api/tickets', '/api/readings?device=tr-main', '/api/campus']) expect((await get(path, {})).status, path).toBe(401);
    expect((await get('/api/health', {})).status).toBe(200);
  });

  it('a plumber logs in with an HttpOnly SameSite=Strict cookie, needs the CSRF token, and handles only plumbing', async () => {
    const pw = await auth.staff.add('li', '李师傅', 'plumber');
    const s = await login('li', pw);
    expect(s.status).toBe(200);
    expect(s.cookie).toMatch(/campus_session=.+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200/);
    expect(s.body.user).toMatchObject({ username: 'li', name: '李师傅', role: 'plumber', trades: ['plumber'] });
    const cookie = s.cookie.split(';')[0]!;
    expect((await get('/api/devices', { cookie })).status).toBe(200);

    const [water] = tickets.apply([
      {
        active: true,
        condition: 'water.burst',
        subjectId: 'wm-dorm-1',
        at: NOW,
        severity: 'critical',
        trade: 'plumber',
        category: 'repair',
        title: '流量骤增',
        summary: '9 m³/h',
      },
    ]);
    const [power] = tickets.apply([
      {
        active: true,
        condition: 'transformer.overload',
        subjectId: 'tr-sci',
        at: NOW,
        severity: 'major',
        trade: 'electrician',
        category: 'repair',
        title: '变压器过载',
        summary: '115 %',
      },
    ]);
    expect((await act(`/api/tickets/${water!.id}/ack`, cookie)).status).toBe(403); // no CSRF token
    expect((await act(`/api/tickets/${water!.id}/ack`, cookie, 'forged')).status).toBe(403);
    const ok = await act(`/api/tickets/${water!.id}/ack`, cookie, s.csrf);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).acknowledgedBy).toBe('李师傅'); // their own name, whatever the body says
    expect((await act(`/api/tickets/${power!.id}/ack`, cookie, s.csrf)).status).toBe(403); // not their trade
    const crossSite = await fetch(`${base}/api/tickets/${water!.id}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': s.csrf, origin: 'http://evil.example' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);

    auth.staff.setDisabled('li', true);
    expect((await get('/api/devices', { cookie })).status).toBe(401); // a disabled account is out at once
  });

  it('a display token reads but can change nothing, and stops working when revoked', async () => {
    const { id, token } = auth.displays.add('总务处大屏');
    const headers = { authorization: `Display ${token}` };
    expect((await get('/api/tickets?status=open', headers)).status).toBe(200);
    const t = tickets.list({ status: 'open' })[0]!;
    const res = await fetch(`${base}/api/tickets/${t.id}/resolve`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x' }),
    });
    expect(res.status).toBe(403);
    auth.displays.revoke(id);
    expect((await get('/api/tickets', headers)).status).toBe(401);
  });

  it('limits failed logins: the sixth try within 15 minutes waits', async () => {
    await auth.staff.add('wang', '王主任', 'admin');
    for (let i = 0; i < 5; i++) expect((await login('wang', 'guess' + i)).status).toBe(401);
    const sixth = await fetch(base + '/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wang', password: 'guess' }),
    });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    auth.limiter.reset(); // the other suites log in from the same address
  });
});

describe('competitions set up by the office', () => {
  it('the office admin creates one; a plumber and a display cannot; everyone can list', async () => {
    const adminPw = await auth.staff.add('zhao', '赵主任', 'admin');
    const plumberPw = await auth.staff.add('sun', '孙师傅', 'plumber');
    const session = async (u: string, p: string) => {
      const res = await fetch(base + '/api/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u, password: p }),
      });
      return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as any).csrfToken as string };
    };
    const create = (s: { cookie: string; csrf: string }, body: unknown) =>
      fetch(base + '/api/competitions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
        body: JSON.stringify(body),
      });
    const admin = await session('zhao', adminPw);
    const body = { name: '十一月节电月', resource: 'electricity', from: '2026-11-02', to: '2026-11-27' };
    const created = await create(admin, body);
    expect(created.status).toBe(201);
    expect(await create(admin, { ...body, to: '2026-10-01' })).toMatchObject({ status: 400 });
    expect((await create(await session('sun', plumberPw), body)).status).toBe(403);
    const { token } = auth.displays.add('大厅');
    expect(
      (
        await fetch(base + '/api/competitions', {
          method: 'POST',
          headers: { authorization: `Display ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(403);
    const list = await get('/api/competitions', { authorization: `Display ${token}` });
    expect(list.body.competitions).toEqual([
      { id: expect.any(Number), name: '十一月节电月', resource: 'electricity', from: '2026-11-02', to: '2026-11-27', createdBy: '赵主任' },
    ]);
  });
});
