/**
 * The dashboard's HTTPS listener (tls.ts) on the real service, with the test certificate: the same
 * app and guards as the plain listener — the CSP that fits each scheme, session cookies Secure over
 * HTTPS only (also behind a trusted proxy), cross-origin changes and socket handshakes refused,
 * a live socket over wss, slow and silent TLS clients cut off; a certificate it cannot read stops
 * the start, naming the knobs; CAMPUS_HTTPS_PORT is checked with the other knobs.
 */
import { EventEmitter } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth, DashboardService, type DashboardTls, type LiveFeed, type SecurityOptions } from '@campus/dashboard';
import { createLog, MetricsRegistry, readKnobs } from '@campus/runtime';
import { campusFileWith, freePort, tempDir, testCertificate, waitFor } from '@campus/testkit';

const cert = testCertificate();
const ca = readFileSync(cert.certFile);
const TEST_TLS: DashboardTls = { certFile: cert.certFile, keyFile: cert.keyFile, port: 0 };

interface Dashboard {
  service: DashboardService;
  auth: Auth;
  stop(): Promise<void>;
}

/** The real service on free loopback ports; with `tls`, also over HTTPS. */
async function startDashboard({
  security = {},
  tls,
  port = 0,
}: {
  security?: Partial<SecurityOptions>;
  tls?: DashboardTls;
  port?: number;
}): Promise<Dashboard> {
  const dir = tempDir('campus-tls-');
  const { campus } = campusFileWith(dir.path);
  const auth = new Auth(dir.path);
  const service = new DashboardService({
    host: '127.0.0.1',
    port,
    tls,
    campuses: [campus],
    store: () => undefined,
    live: new EventEmitter() as LiveFeed,
    health: () => ({}),
    tickets: () => undefined,
    auth,
    dataDir: dir.path,
    metrics: new MetricsRegistry(),
    security,
    log: createLog('test'),
  });
  try {
    await service.start();
  } catch (err) {
    dir.remove();
    throw err;
  }
  return { service, auth, stop: async () => (await service.stop(), dir.remove()) };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
}

/** One request to the HTTPS or the plain listener (HTTPS trusting the test certificate). */
function send(
  scheme: 'http' | 'https',
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; localAddress?: string } = {},
): Promise<Reply> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers = { ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...init.headers };
  const options = { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, localAddress: init.localAddress, agent: false as const };
  return new Promise((resolve, reject) => {
    const onReply = (res: import('node:http').IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    };
    const req = scheme === 'https' ? httpsRequest({ ...options, ca }, onReply) : httpRequest(options, onReply);
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTPS listener', () => {
  let d: Dashboard;
  let password: string;
  let http: number;
  let https: number;
  beforeAll(async () => {
    d = await startDashboard({ security: { headersTimeoutMs: 1000, timeoutCheckMs: 250 }, tls: TEST_TLS });
    http = d.service.port;
    https = d.service.httpsPort!;
    password = await d.auth.staff.add('li', '李师傅', 'plumber');
  });
  afterAll(() => d?.stop());

  const login = (scheme: 'http' | 'https', port: number, headers: Record<string, string> = {}) =>
    send(scheme, port, '/api/login', { method: 'POST', body: { username: 'li', password }, headers });

  it('serves the pages on both listeners, with the CSP that fits each', async () => {
    expect(https).toBeGreaterThan(0);
    expect(d.service.health()).toMatchObject({ ok: true, port: http, httpsPort: https });
    const plain = await send('http', http, '/login');
    const secure = await send('https', https, '/login');
    expect([plain.status, secure.status]).toEqual([200, 200]);
    expect(plain.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(secure.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    for (const r of [plain, secure]) expect(r.headers['content-security-policy']).toContain("connect-src 'self'");
    // no HSTS: it would pin the whole host to HTTPS and break the screens on the plain port
    expect(secure.headers['strict-transport-security']).toBeUndefined();
    expect(plain.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(secure.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('marks the session cookie Secure over HTTPS, not over plain HTTP', async () => {
    const plain = await login('http', http);
    const secure = await login('https', https);
    expect([plain.status, secure.status]).toEqual([200, 200]);
    expect(plain.headers['set-cookie']?.[0]).not.toMatch(/;\s*Secure/i);
    expect(secure.headers['set-cookie']?.[0]).toMatch(/; HttpOnly; SameSite=Strict; .*; Secure$/);
    d.auth.limiter.reset();
  });

  it('refuses a change from another origin over HTTPS, as over HTTP', async () => {
    const foreign = { origin: 'https://evil.example' };
    expect((await login('https', https, foreign)).status).toBe(403);
    expect((await login('http', http, foreign)).status).toBe(403);
    expect((await login('https', https, { origin: `https://127.0.0.1:${https}` })).status).toBe(200);
    d.auth.limiter.reset();
  });

  it('carries the live socket over wss from this origin and refuses it from another', async () => {
    const cookie = (await login('https', https)).headers['set-cookie']![0]!.split(';')[0]!;
    d.auth.limiter.reset();
    const connect = async (origin: string) => {
      const socket = io(`wss://127.0.0.1:${https}`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ca: ca.toString(),
        extraHeaders: { cookie, origin },
      });
      try {
        return await new Promise<string>((resolve) => {
          socket.on('connect', () => resolve(`connected over ${socket.io.engine.transport.name}`));
          socket.on('connect_error', (err) => resolve(`refused: ${err.message}`));
          setTimeout(() => resolve('no answer'), 10_000).unref();
        });
      } finally {
        socket.close();
      }
    };
    expect(await connect(`https://127.0.0.1:${https}`)).toBe('connected over websocket');
    expect(await connect('https://evil.example')).toMatch(/^refused/);
    // the engine.io handshake itself, over HTTPS polling
    const handshake = (origin: string) => send('https', https, '/socket.io/?EIO=4&transport=polling', { headers: { origin, cookie } });
    expect((await handshake('https://evil.example')).status).toBe(403);
    expect((await handshake(`https://127.0.0.1:${https}`)).status).toBe(200);
  });

  it('cuts a TLS client that dribbles its headers, and one that never finishes its handshake', async () => {
    const closed = (socket: import('node:net').Socket) =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        const limit = setTimeout(() => (resolve(Infinity), socket.destroy()), 15_000); // still open: Infinity
        socket.on('error', () => {});
        socket.once('close', () => (clearTimeout(limit), resolve(Date.now() - t0)));
      });
    const dribbler = tlsConnect({ host: '127.0.0.1', port: https, ca, servername: 'localhost' });
    let received = '';
    dribbler.setEncoding('utf8');
    dribbler.on('data', (s: string) => (received += s));
    const drip = setInterval(() => dribbler.writable && dribbler.write('X-Slow: a\r\n'), 200);
    dribbler.once('secureConnect', () => dribbler.write('GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    const silent = netConnect(https, '127.0.0.1'); // TCP only: no ClientHello ever
    const [dribbled, quiet] = await Promise.all([closed(dribbler), closed(silent)]);
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(dribbled).toBeLessThan(10_000);
    expect(quiet).toBeLessThan(10_000);
    expect((await send('https', https, '/login')).status).toBe(200);
  });
});

describe('many idle sockets to the HTTPS port', () => {
  it('are capped per address like those to the plain port; a browser elsewhere is still served', async () => {
    const d = await startDashboard({ tls: TEST_TLS });
    const https = d.service.httpsPort!;
    const sockets = Array.from({ length: 100 }, () => netConnect(https, '127.0.0.1').on('error', () => {}));
    try {
      // the same guard as the plain listener: 64 idle connections per address, the others refused at once
      await waitFor('the sockets over the cap closed', () => sockets.filter((s) => s.destroyed).length >= 36, { timeoutMs: 15_000 });
      expect(sockets.filter((s) => !s.destroyed).length).toBe(64);
      expect((await send('https', https, '/login', { localAddress: '127.0.0.2' })).status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await d.stop();
    }
  });
});

describe('many live sockets over wss', () => {
  it('from one address are kept: a WebSocket over TLS is busy, not idle', { timeout: 60_000 }, async () => {
    const d = await startDashboard({ tls: TEST_TLS });
    const https = d.service.httpsPort!;
    const password = await d.auth.staff.add('li', '李师傅', 'plumber');
    const login = await send('https', https, '/api/login', { method: 'POST', body: { username: 'li', password } });
    const cookie = login.headers['set-cookie']![0]!.split(';')[0]!;
    const sockets = Array.from({ length: 80 }, () =>
      io(`wss://127.0.0.1:${https}`, { transports: ['websocket'], reconnection: false, forceNew: true, ca: ca.toString(), extraHeaders: { cookie } }),
    );
    try {
      await waitFor('80 sockets connected', () => sockets.every((s) => s.connected), { timeoutMs: 30_000 });
      // past the 64 idle connections one address may hold, and none was closed as idle
      expect((await send('https', https, '/login')).status).toBe(200);
      expect(sockets.filter((s) => !s.connected)).toHaveLength(0);
    } finally {
      for (const s of sockets) s.close();
      await d.stop();
    }
  });
});

describe('behind an HTTPS proxy', () => {
  it('a trusted proxy saying https gets the HTTPS policy and Secure cookies; an untrusted one does not', async () => {
    const proxied = await startDashboard({ security: { trustProxy: 'loopback' } });
    const direct = await startDashboard({});
    try {
      const forwarded = { 'x-forwarded-proto': 'https' };
      const trusted = await send('http', proxied.service.port, '/login', { headers: forwarded });
      const untrusted = await send('http', direct.service.port, '/login', { headers: forwarded });
      expect(trusted.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      expect(untrusted.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      const password = await proxied.auth.staff.add('li', '李师傅', 'plumber');
      const r = await send('http', proxied.service.port, '/api/login', { method: 'POST', body: { username: 'li', password }, headers: forwarded });
      expect(r.headers['set-cookie']?.[0]).toMatch(/; Secure$/);
      expect(proxied.service.httpsPort).toBeUndefined();
    } finally {
      await Promise.all([proxied.stop(), direct.stop()]);
    }
  });
});

describe('configuration', () => {
  it('a certificate it cannot use stops the start, naming the knobs, and frees the plain port', async () => {
    const dir = tempDir('campus-tls-bad-');
    try {
      const bad = join(dir.path, 'not-a-key.pem');
      writeFileSync(bad, 'not a key\n');
      const port = await freePort();
      await expect(startDashboard({ port, tls: { ...TEST_TLS, keyFile: bad } })).rejects.toThrow(/CAMPUS_TLS_CERT \/ CAMPUS_TLS_KEY/);
      // the plain listener it had opened is closed again
      const again = createServer();
      await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => again.close(resolve));
      await expect(startDashboard({ tls: { ...TEST_TLS, certFile: join(dir.path, 'nope.pem') } })).rejects.toMatchObject({
        code: 'CAMPUS_ERR_TLS',
      });
    } finally {
      dir.remove();
    }
  });

  it('CAMPUS_HTTPS_PORT: 3443 by default, a port number, not another listener’s port', () => {
    const tls = { CAMPUS_TLS_CERT: cert.certFile, CAMPUS_TLS_KEY: cert.keyFile };
    expect(readKnobs({}).httpsPort).toBe(3443);
    expect(readKnobs({ ...tls, CAMPUS_HTTPS_PORT: '0' }).httpsPort).toBe(0);
    expect(() => readKnobs({ ...tls, CAMPUS_HTTPS_PORT: 'https' })).toThrow(/CAMPUS_HTTPS_PORT=https: must be a port number/);
    expect(() => readKnobs({ ...tls, CAMPUS_HTTPS_PORT: '3000' })).toThrow(/CAMPUS_HTTPS_PORT=3000: already the port of another listener/);
    // without a certificate there is no HTTPS listener to clash
    expect(readKnobs({ CAMPUS_HTTPS_PORT: '3000' }).httpsPort).toBe(3000);
  });
});
