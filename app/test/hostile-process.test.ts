/**
 * Hostile clients against the whole `npm start` process (a child process, as a school runs it,
 * under the quick start's open-file limit of 1024): what an unauthenticated client sends, in
 * batches, over real sockets from loopback addresses of their own (127.66.x.y; every 127/8
 * address is this machine):
 *   1. cookies: malformed percent-escapes (decodeURIComponent throws on `%E0%A4%A`: this used to
 *      end the process from a socket.io handshake and gave a 500 over HTTP), forged and
 *      oversized values, thousands of cookies; over HTTP and in socket.io handshakes;
 *   2. headers: huge, many, invalid characters, duplicate Host, bad Content-Length and
 *      Transfer-Encoding;
 *   3. URLs: bad escapes, overlong, path traversal, NUL bytes, odd methods and request targets;
 *   4. socket.io: bad EIO and transport parameters, malformed engine.io and socket.io packets over
 *      polling and over a WebSocket, oversized frames, unknown namespaces, garbage auth;
 *   5. idle sockets: about 1,100 held to the MQTT port and 1,100 to the HTTP port at once (from
 *      one address and from many; never a byte, half a request, an idle keep-alive) — at
 *      `ulimit -n` 1024 they used to exhaust the process's descriptors and block every device
 *      and page while held.
 * After every batch (and while the idle sockets are held): the process is alive, a real device
 * (mqtt.js with its own login issued by the operator CLI, QoS 1, from 127.0.0.1) gets its reading
 * stored, and real pages are served (GET /login and /api/health: 200). No answer is a 5xx, and no
 * answer carries a secret or a file from outside the served directories.
 *
 * The simulator is off: an issued login for a ledger device replaces the simulator's derived one
 * (its device would fail to log in from 127.0.0.1 until that address is banned, as it should be).
 * Random cases come from one seed (HOSTILE_SEED replays a run); every loop is bounded.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, campusCli, campusFileWith, Rng, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';

const SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : 16_016;
const OPEN_FILES = 1024;
const IDLE_SOCKETS = 1100;
const DEVICE = 'wm-main';
const TOPIC = `campus/dongnan/${DEVICE}/telemetry`;

const dir = tempDir('campus-hostile-');
const { file } = campusFileWith(dir.path);
let system: RunningSystem;
let password: string;
const rng = new Rng(SEED);
const held: Socket[] = [];

/** An attacker's source address: 127.66.0.1, 127.66.0.2, ... (each a different client to the server). */
const attacker = (i: number) => `127.66.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;

/** The open-file limits of a process: [soft, hard]. */
function openFileLimits(pid: number | string): [number, number] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))!;
  const [soft, hard] = line.split(/\s{2,}/).slice(1, 3).map(Number);
  return [soft!, hard!];
}

/** The pids of the children of `pid`, from every process's /proc/N/stat (the task children files are not always there). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

/**
 * `npm start` under `ulimit -n 1024`, soft and hard as a root shell has it: the child's limit is
 * lowered with prlimit as soon as it is spawned (spawn() runs before startSystem's first await),
 * long before the broker and the dashboard read it at start (the warning they log proves it).
 * This test process keeps its own limit: it holds the other end of every hostile socket.
 */
async function startUnderLowLimit(env: Record<string, string>): Promise<RunningSystem> {
  const before = new Set(childrenOf(process.pid));
  const starting = startSystem(env);
  for (const pid of childrenOf(process.pid).filter((p) => !before.has(p)))
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${OPEN_FILES}:${OPEN_FILES}`]);
  return starting;
}

beforeAll(async () => {
  const out = await campusCli({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file }, 'device', 'add', DEVICE);
  password = /password {2}: (\S+)/.exec(out)?.[1] ?? '';
  if (!password) throw new Error(`no password in: ${out}`);
  system = await startUnderLowLimit({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file, CAMPUS_SIM: 'off' });
  const api = apiClient(system.base, dir.path);
  await waitFor('GET /api/health = 200', async () => (await api.get('/api/health')).status === 200, { timeoutMs: 90_000, everyMs: 500 });
}, 240_000);
afterAll(async () => {
  for (const s of held.splice(0)) s.destroy();
  await system?.stop('SIGKILL');
  dir.remove();
});

const base = () => system.base;
let seq = 0;
/** whole seconds: the series below is read in 1 s buckets */
let lastTs = Math.floor(Date.now() / 1000) * 1000 - 3600_000;

/**
 * GET on a connection of its own (no keep-alive pool): while idle sockets are held, the server
 * closes the idlest connections to make room, and a pooled keep-alive socket of this process
 * is among them (a browser retries such a request on a new connection; fetch fails with
 * "other side closed").
 */
function freshGet(path: string, timeoutMs = 15_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base()}${path}`, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `promise`, or a failure saying what did not happen within `ms` (a process out of descriptors answers nothing at all). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The process is up, a real device's QoS 1 reading is stored, and real pages are served. */
async function stillServing(after: string): Promise<void> {
  const context = () => `after ${after}:\n${system.output().slice(-3000)}`;
  expect(system.child.exitCode, context()).toBeNull();
  const ts = (lastTs += 1000);
  const totalM3 = 5000 + ++seq / 100;
  const device = mqtt.connect(`mqtt://127.0.0.1:${system.mqttPort}`, { clientId: DEVICE, username: DEVICE, password, reconnectPeriod: 0, connectTimeout: 20_000 });
  device.on('error', () => {});
  try {
    await within(30_000, 'the device logging in', new Promise<void>((resolve, reject) => {
      device.once('connect', () => resolve());
      device.once('close', () => reject(new Error('connection closed')));
    }));
    await within(30_000, 'the PUBACK', device.publishAsync(TOPIC, JSON.stringify({ ts, seq, totalM3 }), { qos: 1 }));
  } catch (err) {
    throw new Error(`the device could not publish ${after}: ${(err as Error).message}\n${context()}`);
  } finally {
    device.end(true);
  }
  const api = apiClient(base(), dir.path);
  await waitFor(
    `the reading of ${after} to be stored`,
    async () => {
      const r = await within(10_000, 'GET /api/readings', api.get(`/api/readings?device=${DEVICE}&field=totalM3&from=${ts}&to=${ts + 1000}&step=1`));
      return r.status === 200 && (r.body.points as { t: number; avg: number }[]).some((p) => p.t === ts && p.avg === totalM3);
    },
    { timeoutMs: 30_000, everyMs: 200 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${context()}`);
  });
  const login = await freshGet('/login');
  expect(login.status, context()).toBe(200);
  expect(login.text).toMatch(/<form/i);
  expect((await freshGet('/api/health')).status, context()).toBe(200);
}

interface Answer {
  /** the status of the first response, or undefined when the server closed without one */
  status?: number;
  text: string;
}

/** Sends raw bytes on a new connection from `localAddress`; the answer once the server closes it or after `waitMs`. */
function raw(bytes: string | Buffer, localAddress: string, waitMs = 5000): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect({ port: system.httpPort, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, text });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.on('error', () => {});
    socket.on('close', done);
    socket.on('connect', () => socket.end(bytes));
  });
}

/** A request with `Connection: close` (unless the headers say otherwise), as raw text. */
function request(method: string, target: string, headers: [string, string][] = [], body = ''): string {
  const h = headers.some(([k]) => k.toLowerCase() === 'connection') ? headers : [...headers, ['Connection', 'close'] as [string, string]];
  const hasHost = h.some(([k]) => k.toLowerCase() === 'host');
  const lines = [`${method} ${target} HTTP/1.1`, ...(hasHost ? [] : [`Host: 127.0.0.1:${system.httpPort}`]), ...h.map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Runs a batch of raw requests, 8 at a time, each from its own attacker address; no answer may be a 5xx. */
async function batch(name: string, requests: (string | Buffer)[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) answers[i] = await raw(requests[i]!, attacker(i));
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const secrets = readdirSync(join(dir.path, 'secrets'))
    .filter((f) => f.endsWith('.key'))
    .map((f) => readFileSync(join(dir.path, 'secrets', f), 'utf8').trim());
  for (const [i, a] of answers.entries()) {
    const what = `${name} #${i}: ${String(requests[i]).slice(0, 160)}`;
    expect(a.status ?? 0, `${what}\n${a.text.slice(0, 300)}`).toBeLessThan(500);
    for (const s of secrets) expect(a.text.includes(s), `${what} carries a secret`).toBe(false);
    expect(a.text, what).not.toMatch(/root:x:0:0|"workspaces"\s*:/);
  }
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status ?? 'closed'] = (statuses[a.status ?? 'closed'] ?? 0) + 1;
  console.log(`[hostile] ${name}: ${answers.length} requests, answers ${JSON.stringify(statuses)}`);
  return answers;
}

/** Percent-garbage: `%` with 0-2 hex digits, bytes that are not UTF-8 once decoded, plain text. */
function garbageEscapes(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.int(5);
    if (k === 0) parts.push('%');
    else if (k === 1) parts.push(`%${rng.int(16).toString(16)}`);
    else if (k === 2) parts.push(`%${rng.range(0x80, 0xff).toString(16)}`);
    else if (k === 3) parts.push(`%E${rng.int(16).toString(16)}%${rng.range(0x80, 0xbf).toString(16)}`);
    else parts.push(rng.pick(['a', 'Z', '.', '=', '-', '%25', '%20']));
  }
  return parts.join('');
}

/** A socket.io client's first outcome: connected, refused with the server's message, or no answer. */
function socketIo(opts: { path?: string; cookie?: string; auth?: unknown; transport: 'websocket' | 'polling' }): Promise<string> {
  const socket = io(`${base()}${opts.path ?? ''}`, {
    transports: [opts.transport],
    reconnection: false,
    forceNew: true,
    timeout: 15_000,
    extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
    auth: opts.auth as Record<string, unknown>,
  });
  return new Promise((resolve) => {
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('no answer'), 20_000);
    socket.once('connect', () => finish('connected'));
    socket.once('connect_error', (e) => finish(`refused: ${e.message}`));
  });
}

/** A new engine.io session over polling (no Origin: a script), its sid. */
async function engineSession(): Promise<string> {
  const r = await fetch(`${base()}/socket.io/?EIO=4&transport=polling`);
  const text = await r.text();
  const sid = /"sid":"([^"]+)"/.exec(text)?.[1];
  if (!sid) throw new Error(`no engine.io handshake: ${r.status} ${text}`);
  return sid;
}

/** Opens a raw WebSocket to engine.io from `localAddress`, sends `frames`, and resolves when the server closes it or after `waitMs`. */
function wsFrames(query: string, frames: (string | Buffer)[], localAddress: string, waitMs = 1500): Promise<{ opened: boolean; closeCode?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${system.httpPort}/socket.io/?${query}`, { localAddress, handshakeTimeout: 10_000 });
    let opened = false;
    const done = (closeCode?: number) => {
      clearTimeout(timer);
      ws.terminate();
      resolve({ opened, closeCode });
    };
    const timer = setTimeout(() => done(), waitMs + 10_000);
    ws.on('error', () => {});
    ws.on('unexpected-response', () => done());
    ws.on('close', (code) => done(code));
    ws.on('open', () => {
      opened = true;
      for (const f of frames) ws.send(f);
      clearTimeout(timer);
      setTimeout(() => done(), waitMs);
    });
  });
}

/** Opens `n` TCP connections to `port` from `address(i)`, one after the other, and keeps them open (`held`); `act` runs on each once connected. */
async function hold(port: number, n: number, address: (i: number) => string, act: (s: Socket, i: number) => void = () => {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = connect({ port, host: '127.0.0.1', localAddress: address(i) });
    s.on('error', () => {});
    s.resume(); // read what comes, so that the server's close is seen
    held.push(s);
    await new Promise<void>((resolve) => {
      s.once('connect', () => {
        act(s, i);
        resolve();
      });
      s.once('close', () => resolve());
    });
  }
}

const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('hostile clients against the whole process', () => {
  it('runs under the quick start’s open-file limit, and serves before any batch', async () => {
    expect(openFileLimits(system.child.pid!)).toEqual([OPEN_FILES, OPEN_FILES]);
    // the process says so at start, and how to raise it
    expect(system.output()).toMatch(/open-file limit of this process is 1024.*ulimit -n 65536/);
    console.log(`[hostile] seed ${SEED}; the process holds ${fdsOf(system.child.pid!)} descriptors at rest (limit ${OPEN_FILES})`);
    await stillServing('start');
  });

  it('1. malformed and oversized cookies, over HTTP and in socket.io handshakes', { timeout: 180_000 }, async () => {
    const cookies = [
      'campus_session=%E0%A4%A',
      'campus_session=%',
      'campus_session=%%',
      'campus_session=%zz',
      'campus_session=%C0%AF',
      'campus_session=%ED%A0%80',
      'campus_session=forged.value',
      `campus_session=${Buffer.from('{"username":"admin","role":"admin","sid":"x","exp":9e15}').toString('base64url')}.AAAA`,
      'campus_session=; campus_session=%E0%A4%A; campus_session=x.y',
      `campus_session=${'A'.repeat(4000)}.${'B'.repeat(43)}`,
      `campus_session=${'%41'.repeat(3000)}`,
      Array.from({ length: 1000 }, (_, i) => `c${i}=%${i % 7 ? 'E0%A4%A' : ''}`).join('; '),
      `campus_session=${'x'.repeat(20_000)}`, // past node's 16 KiB of headers: 431
      ...Array.from({ length: 12 }, () => `campus_session=${garbageEscapes(rng.range(1, 40))}`),
    ];
    const paths: [string, string][] = [
      ['GET', '/api/session'],
      ['GET', '/api/tickets?status=open'],
      ['POST', '/api/tickets/1/ack'],
      ['POST', '/api/logout'],
      ['GET', '/login'],
      ['GET', '/socket.io/?EIO=4&transport=polling'],
    ];
    const requests = cookies.flatMap((cookie) =>
      paths.map(([method, path]) =>
        request(method, path, [['Cookie', cookie], ['X-CSRF-Token', 'x'], ...(method === 'POST' ? ([['Content-Type', 'application/json'], ['Content-Length', '2']] as [string, string][]) : [])], method === 'POST' ? '{}' : ''),
      ),
    );
    const answers = await batch('cookies over HTTP', requests);
    // a malformed cookie is no session: never a 500 (it was), and no change goes through
    expect(answers.filter((a) => a.status === 200 && /"viewer":\{/.test(a.text))).toEqual([]);
    for (const transport of ['websocket', 'polling'] as const)
      for (const cookie of cookies.slice(0, 12)) expect(await socketIo({ cookie, transport }), `${transport} ${cookie.slice(0, 60)}`).toMatch(/^refused: |no answer/);
    await stillServing('the cookie batch');
  });

  it('2. huge, many, invalid and contradictory headers', { timeout: 180_000 }, async () => {
    const h = (headers: [string, string][], method = 'GET', path = '/api/health', body = '') => request(method, path, headers, body);
    const requests: (string | Buffer)[] = [
      h([['X-Huge', 'x'.repeat(64 * 1024)]]),
      h([['X-Big', 'x'.repeat(15_000)]]),
      h(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v'] as [string, string])),
      h(Array.from({ length: 500 }, () => ['Cookie', 'a=%E0%A4%A'] as [string, string])),
      h([['Bad Name', 'v']]),
      h([['X-Ctl', 'a\u0001b']]),
      h([['X-Nul', 'a\u0000b']]),
      h([['X-8bit', '\u00ff\u00fe']]),
      `GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n`,
      `GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n`, // no Host at all
      `GET /api/health HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`,
      `GET /api/health HTTP/1.1\r\nHost: ${'h'.repeat(10_000)}\r\nConnection: close\r\n\r\n`,
      h([['Content-Length', 'abc']], 'POST', '/api/login'),
      h([['Content-Length', '-1']], 'POST', '/api/login'),
      h([['Content-Length', '99999999999999999999']], 'POST', '/api/login'),
      `POST /api/login HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{}`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\nConnection: close\r\n\r\nzz\r\n`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nabc`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n2;${'x'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      `POST /api/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"username":`, // short body: the body timeout
      h([['Content-Type', 'application/json; charset=utf-7'], ['Content-Length', '2']], 'POST', '/api/login', '{}'),
      h([['Content-Type', 'application/json'], ['Content-Encoding', 'gzip'], ['Content-Length', '4']], 'POST', '/api/login', 'abcd'),
      h([['Expect', '100-continue'], ['Content-Length', '1000000'], ['Content-Type', 'application/json']], 'POST', '/api/login'),
      h([['Origin', 'null'], ['Sec-Fetch-Site', 'cross-site']], 'POST', '/api/tickets/1/ack'),
      h([['Authorization', `Bearer ${'x'.repeat(8000)}`]], 'GET', '/api/tickets'),
      h([['Authorization', 'Display %E0%A4%A']], 'GET', '/api/tickets'),
      h([['Authorization', 'Basic %%%']], 'GET', '/api/tickets'),
      h([['X-Forwarded-For', '1.2.3.4, %E0'], ['X-Forwarded-Proto', 'gopher'], ['Forwarded', 'for=;;;']]),
      h([['Upgrade', 'websocket'], ['Connection', 'Upgrade']], 'GET', '/login'),
      h([['Upgrade', 'h2c'], ['Connection', 'Upgrade, HTTP2-Settings'], ['HTTP2-Settings', 'AAAA']]),
      h([['Range', 'bytes=0-1,2-3,' + '4-5,'.repeat(2000)]], 'GET', '/static/app.css'),
      h([['If-None-Match', '"' + 'x'.repeat(8000) + '"']], 'GET', '/login'),
      h([['Accept-Language', '%E0%A4%A;q=abc,' + 'zz;q=0.1,'.repeat(500)]], 'GET', '/login'),
      Buffer.concat([Buffer.from('GET /api/health HTTP/1.1\r\nHost: a\r\nX-Bin: '), rng.bytes(200), Buffer.from('\r\nConnection: close\r\n\r\n')]),
      rng.bytes(4096),
      'GET /api/health HTTP/1.1\nHost: a\nConnection: close\n\n', // bare LF
      'GET /api/health HTTP/1.1\r\n Host: a\r\nConnection: close\r\n\r\n', // folded header
      'GET /api/health HTTP/9.9\r\nHost: a\r\nConnection: close\r\n\r\n',
      'GET /api/health\r\n\r\n', // HTTP/0.9
    ];
    await batch('headers', requests);
    await stillServing('the header batch');
  });

  it('3. bad escapes, overlong URLs, path traversal, NUL bytes, odd methods', { timeout: 180_000 }, async () => {
    const targets = [
      '/%E0%A4%A',
      '/api/devices/%E0%A4%A',
      '/api/tickets/%E0%A4%A/ack',
      '/api/readings?device=%E0%A4%A&field=%&from=%zz',
      '/api/competition?resource=%ff&period=%',
      '/static/%',
      '/static/%zz.css',
      '/static/..%2f..%2f..%2fpackage.json',
      '/static/..%252f..%252fpackage.json',
      '/static/../../package.json',
      '/static/....//....//package.json',
      '/vendor/chart.js/../../../../package.json',
      '/vendor/chart.js/..%2f..%2f..%2f..%2fpackage.json',
      '/static/%2e%2e/%2e%2e/%2e%2e/secrets/api.key',
      '/static/..\\..\\..\\package.json',
      '/static/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
      '/../../../../etc/passwd',
      '/static/../../../../../../etc/passwd',
      '/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/login%00',
      '/static/app.css%00.html',
      '/api/%00/devices',
      '//login',
      '/login/',
      '/LOGIN',
      `/${'a'.repeat(8000)}`,
      `/api/readings?${'x=1&'.repeat(3000)}`,
      `/${'%E0%A4%A'.repeat(1000)}`,
      `/static/${'../'.repeat(2000)}etc/passwd`,
      'http://evil.example/login',
      '*',
      '/socket.io/../../package.json',
      '/socket.io/socket.io.js/../../../package.json',
      ...Array.from({ length: 16 }, () => `/${rng.pick(['api/', 'static/', 'vendor/chart.js/', 'socket.io/', ''])}${garbageEscapes(rng.range(1, 30))}`),
    ];
    const requests: (string | Buffer)[] = targets.map((t) => request('GET', t));
    requests.push(
      Buffer.from(`GET /login\u0000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, 'latin1'),
      Buffer.from(`GET /\u00ff\u00fe HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, 'latin1'),
      `GET /login HTTP/1.1 extra\r\nHost: a\r\nConnection: close\r\n\r\n`,
      `GET  /login  HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      request('FOO', '/login'),
      request('CONNECT', '127.0.0.1:22'),
      request('TRACE', '/login'),
      request('OPTIONS', '*'),
      request('PROPFIND', '/static/'),
      request('DELETE', '/api/tickets/1'),
      request('PATCH', '/api/tickets/%E0%A4%A', [['Content-Type', 'application/json'], ['Content-Length', '2']], '{}'),
      request('HEAD', '/static/../../package.json'),
    );
    const answers = await batch('URLs', requests);
    // traversal: never a file from outside the served directories (checked in batch), and never a 200 on it
    for (const [i, t] of targets.entries())
      if (/\.\.|%2e|%c0|passwd/i.test(t) && answers[i]!.status === 200) expect(answers[i]!.text, t).toMatch(/<html|<!doctype/i);
    await stillServing('the URL batch');
  });

  it('4. socket.io: bad parameters, malformed packets over polling and WebSocket, oversized frames, unknown namespaces, garbage auth', { timeout: 240_000 }, async () => {
    // handshakes with bad parameters, over plain HTTP
    const queries = [
      'EIO=9&transport=polling',
      'EIO=abc&transport=polling',
      'EIO=3&transport=polling',
      'transport=polling',
      'EIO=4&transport=flash',
      'EIO=4&transport=websocket',
      'EIO=4',
      'EIO=4&transport=polling&sid=nonexistent',
      'EIO=4&transport=polling&sid=%E0%A4%A',
      'EIO=4&transport=polling&j=1',
      'EIO=4&transport=polling&b64=1&t=%ff',
      'EIO=4&transport=polling&transport=websocket',
      'EIO[]=4&transport[]=polling',
      `EIO=4&transport=polling&${'a'.repeat(10_000)}=1`,
      `EIO=4&transport=polling&${'x=%E0%A4%A&'.repeat(500)}`,
    ];
    await batch('engine.io handshakes', [
      ...queries.map((q) => request('GET', `/socket.io/?${q}`)),
      ...queries.slice(0, 6).map((q) => request('POST', `/socket.io/?${q}`, [['Content-Type', 'text/plain'], ['Content-Length', '2']], '40')),
    ]);

    // malformed engine.io / socket.io packets over polling, each in a session of its own
    const packets: (string | Buffer)[] = [
      '40',
      '40/unknown,',
      '40/admin,{"display":"x"}',
      '40{"display":{"$gt":""}}',
      '40[1,2,3]',
      '40"display"',
      '40null',
      `40{"display":"${'A'.repeat(15_000)}"}`,
      '41',
      '42["readings",{}]',
      '43',
      '44',
      '45',
      '451-["x",{"_placeholder":true,"num":99}]',
      '4{{{',
      '4',
      '49',
      '9',
      '',
      '\u001e\u001e\u001e',
      '40\u001e40\u001e40\u001e40',
      '2probe',
      '5',
      '6',
      '1',
      'bAAAA',
      'b%%%%',
      'x'.repeat(40_000), // over the 16 KiB message limit: 413
      rng.bytes(512),
      ...Array.from({ length: 10 }, () => `4${rng.int(10)}${garbageEscapes(rng.range(0, 20))}`),
    ];
    const statuses: number[] = [];
    for (const [i, body] of packets.entries()) {
      const withBody = await raw(
        Buffer.concat([
          Buffer.from(request('POST', `/socket.io/?EIO=4&transport=polling&sid=${await engineSession()}`, [['Content-Type', 'text/plain;charset=UTF-8'], ['Content-Length', String(Buffer.byteLength(body))]])),
          Buffer.from(body),
        ]),
        attacker(1100 + i),
      );
      expect(withBody.status ?? 0, `polling packet #${i} ${String(body).slice(0, 60)}`).toBeLessThan(500);
      statuses.push(withBody.status ?? 0);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    console.log(`[hostile] socket.io over polling: ${packets.length} packets, answers ${JSON.stringify(statuses.reduce<Record<number, number>>((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {}))}`);

    // the same over a WebSocket, plus frames too large and binary garbage
    const frames: (string | Buffer)[][] = [
      ...packets.filter((p) => typeof p === 'string' && p.length < 20_000).map((p) => [p]),
      ['x'.repeat(1024 * 1024)],
      [Buffer.alloc(1024 * 1024, 0x41)],
      [rng.bytes(2048)],
      Array.from({ length: 200 }, () => '2'),
      Array.from({ length: 50 }, () => '40/nope,'),
      ['40', '40', '40', '41', '40'],
    ];
    let opened = 0;
    for (const [i, f] of frames.entries()) {
      const r = await wsFrames('EIO=4&transport=websocket', f, attacker(1200 + i), 300);
      if (r.opened) opened++;
    }
    for (const [i, q] of ['EIO=3&transport=websocket', 'EIO=4&transport=polling', 'EIO=x', 'EIO=4&transport=websocket&sid=nope'].entries())
      await wsFrames(q, ['40'], attacker(1300 + i), 300);
    expect(opened).toBeGreaterThan(0); // the frames did reach engine.io
    console.log(`[hostile] socket.io over WebSocket: ${frames.length} connections (${opened} opened) of malformed and oversized frames`);

    // a real socket.io client: unknown namespaces, garbage auth, garbage cookies
    const outcomes: string[] = [];
    for (const transport of ['websocket', 'polling'] as const) {
      for (const path of ['/nope', '/admin', '/%E0%A4%A']) outcomes.push(await socketIo({ path, transport }));
      for (const auth of [{ display: { $gt: '' } }, { display: 'x'.repeat(10_000) }, { display: ['a'] }, { display: null }, { display: '%E0%A4%A' }])
        outcomes.push(await socketIo({ auth, transport }));
    }
    expect(outcomes.filter((o) => o === 'connected')).toEqual([]);
    await stillServing('the socket.io batch');
  });

  it(`5. ${IDLE_SOCKETS} idle sockets held to the MQTT port and ${IDLE_SOCKETS} to the HTTP port at once`, { timeout: 300_000 }, async () => {
    const pid = system.child.pid!;
    const restingFds = fdsOf(pid);
    const t0 = Date.now();
    // MQTT: half from one address, half from 55 addresses; never a byte, or half a CONNECT
    await hold(system.mqttPort, IDLE_SOCKETS / 2, () => '127.66.200.1');
    await hold(
      system.mqttPort,
      IDLE_SOCKETS / 2,
      (i) => attacker(2000 + (i % 55)),
      (s, i) => i % 5 === 0 && s.write(Buffer.from([0x10, 0x7f])),
    );
    // HTTP: nothing sent, half a request (slowloris), an idle keep-alive after one request
    await hold(system.httpPort, IDLE_SOCKETS / 2, () => '127.66.201.1');
    await hold(
      system.httpPort,
      IDLE_SOCKETS / 2,
      (i) => attacker(3000 + (i % 55)),
      (s, i) => {
        if (i % 3 === 1) s.write('GET /login HTTP/1.1\r\nHost: a\r\nX-Slow: ');
        if (i % 3 === 2) s.write('GET /api/health HTTP/1.1\r\nHost: a\r\n\r\n');
      },
    );
    const openedMs = Date.now() - t0;
    const fds = fdsOf(pid);
    const refused = (await freshGet('/metrics')).text
      .split('\n')
      .filter((l) => /^campus_(mqtt_connections|http)_refused_total\{reason="(pending|idle|connection|rate)/.test(l));
    console.log(
      `[hostile] idle sockets: ${4 * (IDLE_SOCKETS / 2)} opened in ${openedMs} ms; the process holds ${fds} descriptors (${restingFds} at rest, limit ${OPEN_FILES}); ` +
        `closed or refused so far: ${refused.join(', ')}`,
    );
    // meanwhile, with all of them held: a device and a page (at the limit, neither could connect)
    await stillServing('opening the idle sockets, while they are held');
    expect(fds).toBeLessThan(OPEN_FILES - 100);
    // and once more, after a second wave from fresh addresses on both ports
    await hold(system.mqttPort, 200, (i) => attacker(4000 + i));
    await hold(system.httpPort, 200, (i) => attacker(4500 + i));
    await stillServing('a second wave of idle sockets, while they are held');
    expect(fdsOf(pid)).toBeLessThan(OPEN_FILES - 100);

    for (const s of held.splice(0)) s.destroy();
    await waitFor('the descriptors to come back', () => fdsOf(pid) < restingFds + 50, { timeoutMs: 30_000, everyMs: 200 });
    await stillServing('releasing the idle sockets');
  });
});
