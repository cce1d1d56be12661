/**
 * Two dashboards behind a load balancer (CAMPUS_DASHBOARD_REDIS_URL), built as dashboard/src/main.ts
 * builds one: the same data directory (the store an ingest process writes, tickets, staff), each
 * polling the store itself, and a real redis-server for the socket.io Redis adapter. A browser's
 * socket on instance 2 gets the ticket a member of staff acknowledged through instance 1, and
 * every reading and status exactly once (each instance sends what it polled to its own sockets).
 * After a restart of Redis ticket changes flow again, and a dashboard stops cleanly while Redis is away.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '@campus/contract';
import { Auth, DashboardService } from '@campus/dashboard';
import { SqliteReadingStore, storeContext, type StatusChange } from '@campus/store';
import { dbPath, openDb } from '@campus/runtime';
import { TicketService, TicketStore } from '@campus/repairs';
import { createLog, MetricsRegistry, type Log } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { freePort, startRedis, tempDir, waitFor, type RedisServer } from '@campus/testkit';
import type { LiveReading } from '../src/live.ts';
import { StorePoller } from '../src/store-poller.ts';
import { call } from './security-fixture.ts';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const dir = tempDir('campus-dashboards-');
const settings = { store: 'sqlite' as const, dataDir: dir.path, influxUrl: '', influxDb: '', rawRetentionDays: 90 };
/** the dashboards' log, with what they said about Redis kept */
const said: string[] = [];
const base = createLog('test');
const log: Log = {
  ...base,
  info: (msg, fields) => (said.push(msg), base.info(msg, fields)),
  warn: (msg, fields) => (said.push(msg), base.warn(msg, fields)),
  child: () => log,
};
const saidSince = (mark: number, pattern: RegExp) => said.slice(mark).some((m) => pattern.test(m));
let redis: RedisServer;
// what ingest writes: readings, statuses, tickets
const writer = new SqliteReadingStore(dbPath(dir.path), { context: storeContext([campus]) });
const stops: (() => unknown)[] = [];

async function startInstance(redisUrl: string) {
  const poller = new StorePoller(settings, [campus], 100);
  const db = openDb(dbPath(dir.path));
  const tickets = new TicketService(new TicketStore(db), [campus], log);
  const service = new DashboardService({
    host: '127.0.0.1',
    port: 0,
    campuses: [campus],
    store: () => poller.current(),
    live: poller,
    tickets: () => tickets,
    auth: new Auth(dir.path),
    dataDir: dir.path,
    health: () => ({}),
    metrics: new MetricsRegistry(),
    log,
    redisUrl,
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= service.stop().then(() => {
      poller.stop();
      db.close();
    }));
  stops.push(stop);
  await service.start();
  poller.start();
  return { service, tickets, stop, port: service.port, origin: `http://127.0.0.1:${service.port}` };
}

/** A staff member's session (an office admin), logged in through one instance */
async function staffLogin(port: number): Promise<{ cookie: string; csrf: string }> {
  const origin = `http://127.0.0.1:${port}`;
  const login = await call(port, { method: 'POST', path: '/api/login', body: { username: 'wang', password: staffPassword }, headers: { origin } });
  expect(login.status).toBe(200);
  return { cookie: String(login.headers['set-cookie']?.[0]).split(';')[0]!, csrf: String(login.json.csrfToken) };
}

/** A ticket opened as the detection running beside this instance would open it */
function openTicket(tickets: TicketService, subjectId: string, at = Date.now()): Ticket {
  const [ticket] = tickets.apply([
    { active: true, condition: 'water.burst', subjectId, at, severity: 'critical', trade: 'plumber', category: 'repair', title: '流量骤增', summary: 'test' },
  ]);
  return ticket!;
}

/** A browser's socket: every event it receives, in order */
function browser(origin: string, cookie: string) {
  const socket: Socket = io(origin, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin } });
  stops.push(() => socket.close());
  const got = { readings: [] as LiveReading[], statuses: [] as StatusChange[], tickets: [] as Ticket[] };
  socket.on('readings', (batch: LiveReading[]) => got.readings.push(...batch));
  socket.on('statuses', (batch: StatusChange[]) => got.statuses.push(...batch));
  socket.on('ticket', (t: Ticket) => got.tickets.push(t));
  return { socket, got };
}

let staffPassword: string;
beforeAll(async () => {
  redis = await startRedis();
  staffPassword = await new Auth(dir.path).staff.add('wang', '王主任', 'admin');
});
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  writer.close();
  await redis?.remove();
  dir.remove();
});

describe('dashboards behind a load balancer (socket.io Redis adapter)', () => {
  it('refuses to start, naming the knob, when Redis does not answer', async () => {
    const port = await freePort();
    await expect(startInstance(`redis://127.0.0.1:${port}`)).rejects.toThrow(
      new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port} is unreachable \\(CAMPUS_DASHBOARD_REDIS_URL\\)`),
    );
  });

  it("sends instance 1's ticket changes to instance 2's browsers, and every polled reading and status once", { timeout: 120_000 }, async () => {
    const one = await startInstance(redis.url);
    const two = await startInstance(redis.url);
    // the same session on both instances (one signing key in the shared data directory)
    const { cookie, csrf } = await staffLogin(one.port);
    const onTwo = browser(two.origin, cookie);
    const onOne = browser(one.origin, cookie);
    await waitFor('both sockets to connect', () => onTwo.socket.connected && onOne.socket.connected, { timeoutMs: 20_000 });

    // ingest stores a reading and a status: each instance polls them from the store
    const at = Date.now() - 1000;
    await writer.write({
      readings: [{ siteId: 'dongnan', deviceId: 'em-g1c1', kind: 'electric_meter', ts: at, seq: 1, receivedAt: at, values: { totalKWh: 42 } }],
      statuses: [{ deviceId: 'fr-sample', status: 'offline', at }],
      deadLetters: [],
    });
    const polled = (b: ReturnType<typeof browser>) => b.got.readings.some((r) => r.d === 'em-g1c1') && b.got.statuses.some((s) => s.deviceId === 'fr-sample');
    await waitFor('the reading and the status on both instances', () => polled(onTwo) && polled(onOne), { timeoutMs: 30_000 });

    // a ticket opened beside instance 1 and acknowledged through instance 1's API
    const opened = openTicket(one.tickets, 'wm-main', at);
    const ack = await call(one.port, {
      method: 'POST',
      path: `/api/tickets/${opened.id}/ack`,
      headers: { cookie, 'x-csrf-token': csrf, origin: one.origin },
      body: { note: '马上去' },
    });
    expect(ack.status).toBe(200);
    const acknowledged = () => onTwo.got.tickets.find((t) => t.id === opened.id && t.status === 'acknowledged');
    await waitFor("instance 1's acknowledgement on instance 2's socket", acknowledged, { timeoutMs: 30_000 });
    expect(acknowledged()).toMatchObject({ acknowledgedBy: '王主任' });

    // instance 1 published its ticket events after what it had polled: Redis delivers in order, so a
    // copy of the reading or status from instance 1 would have arrived by now
    expect(onTwo.got.tickets.map((t) => `${t.id} ${t.status}`)).toEqual([`${opened.id} open`, `${opened.id} acknowledged`]);
    expect(onTwo.got.readings.filter((r) => r.d === 'em-g1c1')).toEqual([{ d: 'em-g1c1', ts: at, v: { totalKWh: 42 } }]);
    expect(onTwo.got.statuses.filter((s) => s.deviceId === 'fr-sample')).toEqual([{ deviceId: 'fr-sample', status: 'offline', at }]);
    expect(onOne.got.readings.filter((r) => r.d === 'em-g1c1')).toHaveLength(1);
  });

  it('carries ticket changes again once Redis is back, and stops cleanly while Redis is away', { timeout: 120_000 }, async () => {
    const one = await startInstance(redis.url);
    const two = await startInstance(redis.url);
    const onTwo = browser(two.origin, (await staffLogin(two.port)).cookie);
    await waitFor('the socket to connect', () => onTwo.socket.connected, { timeoutMs: 20_000 });
    const meters = campus.devices.filter((d) => d.kind === 'water_meter').map((d) => d.id);
    let n = 0;
    const change = () => openTicket(one.tickets, meters[n++ % meters.length]!);

    // Redis away: a change waits in ioredis' queue
    let mark = said.length;
    await redis.stop();
    await waitFor('the dashboards to notice', () => saidSince(mark, /CAMPUS_DASHBOARD_REDIS_URL.*retrying/), { timeoutMs: 30_000 });
    change();
    mark = said.length;
    await redis.start();
    await waitFor('the dashboards to reconnect', () => saidSince(mark, /CAMPUS_DASHBOARD_REDIS_URL.*is back/), { timeoutMs: 30_000 });
    // what changes while the adapter resubscribes is lost for the other instances: change one
    // ticket after another until one gets through
    await waitFor('a ticket change from instance 1 on instance 2 after Redis restarted', () => (change(), onTwo.got.tickets.length > 0), {
      timeoutMs: 60_000,
      everyMs: 250,
    });

    // Redis gone again, a change, and the dashboard stopped: it stops cleanly (ioredis may reject
    // what still waits for Redis; live.ts handles it, an unhandled rejection would fail this run)
    await redis.stop();
    change();
    await one.stop();
    await redis.start();
  });
});
