/**
 * Display tokens open only the pages they were made for (auth/display-scope.ts, DISPLAY_SCOPES),
 * over real HTTP and real socket.io clients against the real service: a lobby token opens /lobby
 * and reads the competition, and gets 403 on /tickets, /devices, /api/tickets and the rest, and no
 * live socket; a wall token opens the wall and what it reads, not the lobby; a token from before
 * scopes keeps the wall and the lobby, and no longer /tickets or /devices. Any token stays read-only.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { startDashboard, type Fixture } from './security-fixture.ts';

let f: Fixture;
let lobby: string;
let wall: string;
let legacy: string;
const sockets: Socket[] = [];
beforeAll(async () => {
  f = await startDashboard();
  f.openTicket('plumber', 'wm-dorm-2');
  lobby = f.auth.displays.add('大厅屏', ['lobby']).token;
  wall = f.auth.displays.add('值班大屏', ['wall'], { chime: true }).token;
  // a token written before scopes: no "scopes" in the file
  const old = f.auth.displays.add('旧大屏');
  const file = f.auth.displays.path;
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { tokens: { id: string; scopes?: string[] }[] };
  for (const t of kept.tokens) if (t.id === old.id) delete t.scopes;
  writeFileSync(file, JSON.stringify(kept));
  legacy = old.token;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => f?.stop());

const get = (path: string, token: string, via: 'header' | 'query' = 'header') =>
  f.call(via === 'header' ? { path, headers: { authorization: `Display ${token}` } } : { path: `${path}${path.includes('?') ? '&' : '?'}token=${token}` });

/** path -> status for a token: 401 and 403 as they are, any other answer (200, or 503 from a route without the reading store in this fixture) 'answered' */
async function statuses(token: string, paths: string[], via: 'header' | 'query' = 'header'): Promise<Record<string, number | 'answered'>> {
  const out: Record<string, number | 'answered'> = {};
  for (const p of paths) {
    const status = (await get(p, token, via)).status;
    out[p] = status === 401 || status === 403 ? status : 'answered';
  }
  return out;
}

/** each of `paths` gives `answer` (as statuses() says it) to the token */
async function expectEach(token: string, paths: string[], answer: number | 'answered', via: 'header' | 'query' = 'header'): Promise<void> {
  expect(await statuses(token, paths, via)).toEqual(Object.fromEntries(paths.map((p) => [p, answer])));
}

function socketOutcome(display: string): Promise<string> {
  const socket = io(f.base, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { display } });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (e) => resolve(`refused: ${e.message}`));
  });
}

describe('a lobby token', () => {
  it('gets 403 on /tickets, /devices and /api/tickets, with the token in the address or the header', async () => {
    const refused = [
      '/tickets',
      '/devices',
      '/wall',
      '/',
      '/account',
      '/api/tickets',
      '/api/tickets?status=open',
      '/api/devices',
      '/api/readings',
      '/api/staff',
      '/reports',
    ];
    await expectEach(lobby, refused, 403);
    await expectEach(lobby, refused, 403, 'query');
    const r = await get('/api/tickets', lobby);
    expect(r.json).toMatchObject({ error: 'forbidden', message: expect.stringContaining('/lobby') });
    expect((await get('/tickets', lobby, 'query')).text).toContain('此显示屏令牌只能打开 /lobby');
  });

  it('opens the lobby and reads the competition and the campus', async () => {
    await expectEach(lobby, ['/lobby', '/competition', '/api/session', '/api/campus', '/api/competitions'], 'answered');
    // the fixture has no reading store: the competition's route answers 503, past the guard
    expect((await get('/api/competition', lobby)).status).toBe(503);
    expect((await statuses(lobby, ['/lobby'], 'query'))['/lobby']).toBe('answered');
    expect((await get('/api/session', lobby)).json.viewer).toEqual({ kind: 'display', name: '大厅屏', scopes: ['lobby'], settings: {} });
  });

  it('cannot hold the live socket (every ticket change and reading), a wall token can', async () => {
    expect(await socketOutcome(lobby)).toBe('refused: unauthorized');
    expect(await socketOutcome(wall)).toBe('connected');
    expect(await socketOutcome(legacy)).toBe('connected');
  });

  it('changes nothing (403, not a login prompt) anywhere', async () => {
    for (const path of ['/api/tickets/1/ack', '/api/competitions', '/api/account/password', '/api/logout']) {
      const r = await f.call({ method: 'POST', path, headers: { authorization: `Display ${lobby}` }, body: {} });
      expect(r.status, path).toBe(403);
    }
  });
});

describe('a wall token', () => {
  it('opens the wall and reads its tickets and devices, not the lobby, /tickets or /devices', async () => {
    await expectEach(wall, ['/wall', '/api/tickets?status=open', '/api/devices', '/api/campus', '/api/session'], 'answered');
    // its settings reach its page: the chime on without a click
    expect((await get('/api/session', wall)).json.viewer).toEqual({ kind: 'display', name: '值班大屏', scopes: ['wall'], settings: { chime: true } });
    await expectEach(wall, ['/lobby', '/competition', '/api/competitions', '/tickets', '/devices'], 403, 'query');
  });
});

describe('a token from before scopes', () => {
  it('keeps the wall and the lobby, and no longer opens /tickets or /devices', async () => {
    expect(f.auth.displays.list().find((t) => t.name === '旧大屏')?.scopes).toBeUndefined();
    await expectEach(legacy, ['/wall', '/lobby', '/competition', '/api/tickets', '/api/devices', '/api/competitions'], 'answered');
    await expectEach(legacy, ['/tickets', '/devices', '/'], 403, 'query');
  });

  it('a revoked or unknown token is no one: 401 on the API, the page itself still loads (it shows the refusal)', async () => {
    expect((await get('/api/competitions', 'not-a-token')).status).toBe(401);
    expect((await get('/lobby', 'not-a-token', 'query')).status).toBe(200);
  });
});
