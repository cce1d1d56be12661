/**
 * The live socket (security/socket-guard.ts), with real socket.io clients against the real
 * service: no credentials, a wrong token, another origin (even with valid credentials) and
 * `Origin: null` are refused — the last without taking the process down; so are a malformed
 * cookie and a handshake whose check throws (counted); a staff session or a display token from
 * this origin (or from a script without an Origin) is accepted; a revoked token and a disabled
 * account are cut off while connected.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@campus/testkit';
import { startDashboard, type Fixture, type Session } from './security-fixture.ts';

let f: Fixture;
let staff: Session;
let display: { id: string; token: string };
const sockets: Socket[] = [];
beforeAll(async () => {
  f = await startDashboard({ socketRevalidateMs: 200 });
  staff = await f.staff('li', 'plumber');
  display = f.auth.displays.add('值班大屏');
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => f?.stop());

/** 'connected', 'refused: <message>' or 'no answer' */
type Outcome = string;

/** Connects and reports what happened first: connected, or refused with the server's message. */
function attempt(opts: {
  headers?: Record<string, string>;
  display?: string;
  transport?: 'websocket' | 'polling';
}): Promise<{ outcome: Outcome; socket: Socket }> {
  const socket = io(f.base, {
    transports: [opts.transport ?? 'websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: opts.headers,
    auth: opts.display ? { display: opts.display } : {},
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'no answer', socket }), 20_000);
    socket.once('connect', () => (clearTimeout(timer), resolve({ outcome: 'connected', socket })));
    socket.once('connect_error', (e) => (clearTimeout(timer), resolve({ outcome: `refused: ${e.message}`, socket })));
  });
}

describe('the live socket', () => {
  it('refuses a connection without credentials or with a wrong token', async () => {
    expect((await attempt({})).outcome).toBe('refused: unauthorized');
    expect((await attempt({ display: 'not-a-token' })).outcome).toBe('refused: unauthorized');
    expect((await attempt({ headers: { cookie: 'campus_session=forged.value' } })).outcome).toBe('refused: unauthorized');
  });

  it('accepts a staff session or a display token from this origin, and a script without an Origin', async () => {
    expect((await attempt({ headers: { cookie: staff.cookie, origin: f.origin } })).outcome).toBe('connected');
    expect((await attempt({ display: display.token, headers: { origin: f.origin } })).outcome).toBe('connected');
    expect((await attempt({ display: display.token })).outcome).toBe('connected');
    expect((await attempt({ display: display.token, transport: 'polling' })).outcome).toBe('connected');
  });

  it('refuses another origin, even with valid credentials, at the handshake', async () => {
    const others: Record<string, string>[] = [
      { cookie: staff.cookie, origin: 'http://evil.example' },
      { cookie: staff.cookie, origin: `http://127.0.0.1:${f.port + 1}` },
      { cookie: staff.cookie, origin: f.origin, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of others) {
      const { outcome } = await attempt({ headers });
      expect(outcome, JSON.stringify(headers)).toMatch(/^refused: /);
    }
    expect((await attempt({ display: display.token, headers: { origin: 'http://evil.example' } })).outcome).toMatch(/^refused: /);
    // engine.io itself says no: no session is made for another origin (polling handshake, plain HTTP)
    const handshake = await f.call({ path: '/socket.io/?EIO=4&transport=polling', headers: { origin: 'http://evil.example', cookie: staff.cookie } });
    expect(handshake.status).toBe(403);
    const same = await f.call({ path: '/socket.io/?EIO=4&transport=polling', headers: { origin: f.origin, cookie: staff.cookie } });
    expect(same.status).toBe(200);
    expect(await f.metric(/^campus_http_refused_total\{reason="socket_cross_origin"\} /)).toBeGreaterThanOrEqual(5);
  });

  it('refuses Origin: null and garbage origins without taking the server down', async () => {
    for (const origin of ['null', 'not a url', 'file://']) {
      const { outcome } = await attempt({ display: display.token, headers: { origin } });
      expect(outcome, origin).toMatch(/^refused: /);
    }
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
    expect((await attempt({ display: display.token, headers: { origin: f.origin } })).outcome).toBe('connected');
  });

  it('refuses a malformed cookie at the handshake, over websocket and polling, and stays up (it used to end the process)', async () => {
    for (const transport of ['websocket', 'polling'] as const)
      for (const cookie of ['campus_session=%E0%A4%A', 'campus_session=%', `${staff.cookie}%`, 'x=%ff; campus_session=%E0%A4%A'])
        expect((await attempt({ headers: { cookie, origin: f.origin }, transport })).outcome, `${transport} ${cookie}`).toBe('refused: unauthorized');
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
    expect((await attempt({ headers: { cookie: staff.cookie, origin: f.origin } })).outcome).toBe('connected');
  });

  it('turns a throw in the handshake into a refusal, counted, instead of the end of the process', async () => {
    const identify = f.auth.identify;
    f.auth.identify = () => {
      throw new TypeError('a bug in a credential check');
    };
    try {
      for (const transport of ['websocket', 'polling'] as const)
        expect((await attempt({ display: display.token, transport })).outcome, transport).toBe('refused: handshake refused');
    } finally {
      f.auth.identify = identify;
    }
    expect(await f.metric(/^campus_http_refused_total\{reason="socket_error"\} /)).toBe(2);
    expect((await attempt({ display: display.token })).outcome).toBe('connected');
  });

  it('cuts off a connected screen when its display token is revoked, and a staff member when disabled', async () => {
    const screen = f.auth.displays.add('走廊屏');
    const a = await attempt({ display: screen.token, headers: { origin: f.origin } });
    const b = await attempt({ headers: { cookie: (await f.staff('wu', 'electrician')).cookie, origin: f.origin } });
    const kept = await attempt({ display: display.token, headers: { origin: f.origin } });
    expect([a.outcome, b.outcome, kept.outcome]).toEqual(['connected', 'connected', 'connected']);
    f.auth.displays.revoke(screen.id);
    f.auth.staff.setDisabled('wu', true);
    await waitFor('the revoked screen and the disabled account to be disconnected', () => !a.socket.connected && !b.socket.connected, {
      timeoutMs: 15_000,
      everyMs: 50,
    });
    expect(kept.socket.connected).toBe(true);
    expect((await attempt({ display: screen.token, headers: { origin: f.origin } })).outcome).toBe('refused: unauthorized');
  });
});
