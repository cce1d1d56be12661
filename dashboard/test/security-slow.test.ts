/**
 * Slowloris and slow POST bodies against the real dashboard service (security/slow-clients.ts,
 * security/body-timeout.ts): raw TCP clients that dribble their headers, or send headers and then
 * dribble the body, a byte every 200 ms for as long as the server lets them. With the timeouts set
 * to 1 s the server must close them within seconds (the limit here is 15 s; node's own defaults
 * would keep them for a minute), while normal requests are served meanwhile.
 *
 * Many idle sockets (guardConnections): no more than 64 idle connections of one address; past
 * the idle total or the connection cap the idlest is closed to make room, so a request still gets
 * in; a trusted proxy is exempt from the per-address cap; with nothing idle, the cap refuses.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog, MetricsRegistry } from '@campus/runtime';
import { waitFor } from '@campus/testkit';
import { guardConnections } from '../src/security/slow-clients.ts';
import { startDashboard, type Fixture } from './security-fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startDashboard({ headersTimeoutMs: 1000, bodyTimeoutMs: 1000, requestTimeoutMs: 60_000, timeoutCheckMs: 250 });
});
afterAll(() => f?.stop());

const LIMIT_MS = 15_000;

interface Dribbled {
  closed: boolean;
  afterMs: number;
  received: string;
}

/** Sends `head`, then `drip()` every 200 ms until the server closes the connection or LIMIT_MS passes. */
function dribble(port: number, head: string, drip: (i: number) => string): { started: Promise<void>; done: Promise<Dribbled> } {
  const socket = connect(port, '127.0.0.1');
  const t0 = Date.now();
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  const started = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(head);
      let i = 0;
      timer = setInterval(() => socket.writable && socket.write(drip(i++)), 200);
      resolve();
    });
    socket.once('error', reject);
  });
  const done = new Promise<Dribbled>((resolve) => {
    const limit = setTimeout(() => {
      clearInterval(timer);
      resolve({ closed: false, afterMs: Date.now() - t0, received });
      socket.destroy();
    }, LIMIT_MS);
    socket.on('error', () => {}); // a reset while writing is one way of being cut off
    socket.once('close', () => {
      clearTimeout(limit);
      clearInterval(timer);
      resolve({ closed: true, afterMs: Date.now() - t0, received });
    });
  });
  return { started, done };
}

describe('slow clients', () => {
  it('a client dribbling its headers is cut off (408), while normal requests are served', async () => {
    const slow = dribble(f.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', (i) => `X-Slow-${i}: ${'a'.repeat(3)}\r\n`);
    await slow.started;
    // during the attack
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
    const r = await slow.done;
    expect(r.closed, `still open after ${r.afterMs} ms`).toBe(true);
    expect(r.received).toMatch(/^HTTP\/1\.1 408/);
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
  });

  it('a client that sends its headers, then dribbles the body, is cut off (408 JSON), while normal posts are served', async () => {
    const body = '{"username":"admin","password":"' + ' '.repeat(9000);
    const slow = dribble(
      f.port,
      `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 2}\r\n\r\n`,
      (i) => body[i] ?? ' ',
    );
    await slow.started;
    const normal = await f.call({ method: 'POST', path: '/api/login', body: { username: 'nobody', password: 'wrong' } });
    expect(normal.status).toBe(401);
    const r = await slow.done;
    expect(r.closed, `still open after ${r.afterMs} ms`).toBe(true);
    expect(r.received).toMatch(/^HTTP\/1\.1 408/);
    expect(r.received).toMatch(/"error":"body_timeout"/);
    expect(await f.metric(/^campus_http_refused_total\{reason="body_timeout"\} /)).toBeGreaterThanOrEqual(1);
    f.auth.limiter.reset();
  });

  it('several slow clients at once do not hold the server', async () => {
    const slow = Array.from({ length: 8 }, (_, n) => dribble(f.port, `GET /api/health?n=${n} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, () => 'X'));
    await Promise.all(slow.map((s) => s.started));
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
    const results = await Promise.all(slow.map((s) => s.done));
    expect(results.filter((r) => !r.closed)).toEqual([]);
  });
});

/** A TCP connection from `localAddress` that sends `text` (nothing by default); `closed` resolves when the server closes it. */
async function idle(port: number, localAddress: string, text = ''): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => {});
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (text) socket.write(text);
  return { socket, closed };
}

describe('many idle connections (guardConnections)', () => {
  it('the dashboard refuses more than 64 idle connections of one address; other addresses are served', async () => {
    const held = [];
    for (let i = 0; i < 70; i++) held.push(await idle(f.port, '127.0.0.9'));
    await Promise.all(held.slice(64).map((h) => h.closed));
    expect(held.slice(0, 64).every((h) => !h.socket.destroyed)).toBe(true);
    expect(await f.metric(/^campus_http_refused_total\{reason="idle_per_address"\} /)).toBe(6);
    expect((await f.call({ path: '/api/health' })).status).toBe(200);
    for (const h of held) h.socket.destroy();
  });

  describe('on a server of its own, with small limits', () => {
    let server: Server;
    let port: number;
    let metrics: MetricsRegistry;
    let hanging = 0;
    const refused = (reason: string) => Number(new RegExp(`reason="${reason}"\\} (\\d+)`).exec(metrics.render())?.[1] ?? 0);
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false, localAddress: '127.0.2.1' }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.end();
      });
    beforeAll(async () => {
      metrics = new MetricsRegistry();
      server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
        if (req.url === '/hang') hanging++;
        else res.end('ok');
      });
      const limits = guardConnections(server, { maxConnections: 10, maxIdle: 5, maxIdlePerAddress: 3, trustProxy: '127.0.3.0/24' }, metrics, createLog('test'));
      expect(limits).toEqual({ maxConnections: 10, maxIdle: 5, maxIdlePerAddress: 3 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('past maxIdle the idlest goes first: idle sockets from many addresses cannot keep a request out', async () => {
      const held = [];
      for (let i = 0; i < 5; i++) held.push(await idle(port, `127.0.1.${i + 1}`));
      expect(await get()).toBe(200);
      await held[0]!.closed; // the oldest made room
      expect(refused('idle_evicted')).toBeGreaterThanOrEqual(1);
      // an idle keep-alive connection (a request answered, nothing since) is idle too
      const keptAlive = await idle(port, '127.0.1.20', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      for (let i = 0; i < 6; i++) held.push(await idle(port, `127.0.1.${i + 30}`));
      await keptAlive.closed;
      expect(await get()).toBe(200);
      for (const h of held) h.socket.destroy();
    });

    it('refuses more than maxIdlePerAddress idle connections of one address, except from a trusted proxy', async () => {
      const before = refused('idle_per_address');
      const one = [];
      for (let i = 0; i < 4; i++) one.push(await idle(port, '127.0.1.99'));
      await one[3]!.closed;
      expect(refused('idle_per_address')).toBe(before + 1);
      const proxy = [];
      for (let i = 0; i < 4; i++) proxy.push(await idle(port, '127.0.3.7'));
      expect(refused('idle_per_address')).toBe(before + 1);
      for (const h of [...one, ...proxy]) h.socket.destroy();
    });

    it('at maxConnections with nothing idle, a new connection is refused', async () => {
      // ten requests in progress (the handler never answers /hang), none idle
      const busy = [];
      for (let i = 0; i < 10; i++) busy.push(await idle(port, `127.0.4.${i + 1}`, 'GET /hang HTTP/1.1\r\nHost: a\r\n\r\n'));
      await waitFor('ten requests in progress', () => hanging === 10);
      const extra = await idle(port, '127.0.5.1');
      await extra.closed;
      expect(refused('connection_cap')).toBe(1);
      for (const h of busy) h.socket.destroy();
    });
  });
});
