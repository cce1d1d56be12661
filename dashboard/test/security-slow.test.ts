/**
 * Slowloris and slow POST bodies against the real dashboard service (security/slow-clients.ts,
 * security/body-timeout.ts): raw TCP clients that dribble their headers, or send headers and then
 * dribble the body, a byte every 200 ms for as long as the server lets them. With the timeouts set
 * to 1 s the server must close them within seconds (the limit here is 15 s; node's own defaults
 * would keep them for a minute), while normal requests are served meanwhile.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
