/**
 * Two dashboards behind a load balancer (CAMPUS_DASHBOARD_REDIS_URL), each in a process of its own
 * as the composition root builds one (app/src/system.ts): the same data directory (the store an
 * ingest process writes, staff), a real broker over which both hear the repairs desk and the live
 * feed of the ingest process (contract/src/ops.ts), and a real redis-server for the socket.io Redis
 * adapter. A browser's socket on instance 2 gets the ticket a member of staff acknowledged through
 * instance 1, and every reading, status and ticket change exactly once (each instance hears them
 * itself and tells only its own sockets). Ticket changes go on while Redis is away, and a dashboard
 * stops cleanly then.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveReadingsTopic, liveStatusesTopic, type Reading, type Ticket } from '@campus/contract';
import { Auth, DashboardService, RemoteLive, StoreReader } from '@campus/dashboard';
import { SqliteReadingStore, storeContext, type StatusChange } from '@campus/store';
import { createLog, dbPath, loadOrCreateKey, MetricsRegistry, MqttBus, openDb, SERVICE_USERS, type Log } from '@campus/runtime';
import { RemoteDesk, serveDesk, TicketService, TicketStore } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { freePort, startRedis, startTestBroker, tempDir, waitFor, type RedisServer, type TestBroker } from '@campus/testkit';
import type { LiveReading } from '../src/live.ts';
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
let broker: TestBroker;
// what the ingest process does: it writes readings and statuses, keeps the tickets, and says both on the bus
const writer = new SqliteReadingStore(dbPath(dir.path), { context: storeContext([campus]) });
const ownerDb = openDb(dbPath(dir.path));
const tickets = new TicketService(new TicketStore(ownerDb), [campus], log);
let ownerBus: MqttBus;
const stops: (() => unknown)[] = [];

function bus(name: 'ingest' | 'dashboard', n: number): MqttBus {
  return new MqttBus({
    name: `${name}-bus`,
    url: broker.url,
    clientId: `test-${name}-bus-${n}`,
    username: SERVICE_USERS[name],
    password: loadOrCreateKey(dir.path, name),
    log,
  });
}

let instances = 0;
async function startInstance(redisUrl: string) {
  const n = ++instances;
  const dashboardBus = bus('dashboard', n);
  const desk = new RemoteDesk({ bus: dashboardBus, dbFile: dbPath(dir.path), campuses: [campus], replyTo: `dashboard-${n}`, log });
  const live = new RemoteLive();
  const reader = new StoreReader(settings, [campus]);
  await dashboardBus.start();
  await desk.start();
  await live.start(dashboardBus, [campus.site.id]);
  await dashboardBus.ready();
  const service = new DashboardService({
    host: '127.0.0.1',
    port: 0,
    campuses: [campus],
    store: () => reader.current(),
    live,
    tickets: () => desk,
    auth: new Auth(dir.path),
    dataDir: dir.path,
    health: () => ({}),
    metrics: new MetricsRegistry(),
    log,
    redisUrl,
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= service.stop().then(async () => {
      desk.stop();
      reader.close();
      await dashboardBus.stop();
    }));
  stops.push(stop);
  try {
    await service.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { service, stop, port: service.port, origin: `http://127.0.0.1:${service.port}` };
}

/** A staff member's session (an office admin), logged in through one instance */
async function staffLogin(port: number): Promise<{ cookie: string; csrf: string }> {
  const origin = `http://127.0.0.1:${port}`;
  const login = await call(port, { method: 'POST', path: '/api/login', body: { username: 'wang', password: staffPassword }, headers: { origin } });
  expect(login.status).toBe(200);
  return { cookie: String(login.headers['set-cookie']?.[0]).split(';')[0]!, csrf: String(login.json.csrfToken) };
}

/** A ticket opened as the detection running beside this instance would open it */
function openTicket(subjectId: string, at = Date.now()): Ticket {
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
  // the broker keeps its logins in the shared data dir: the service keys there are the dashboards' and ingest's
  broker = await startTestBroker([campus], { dataDir: dir.path });
  ownerBus = bus('ingest', 0);
  await ownerBus.start();
  stops.push(await serveDesk(ownerBus, tickets, [campus.site.id], log), () => ownerBus.stop());
  await ownerBus.ready();
  staffPassword = await new Auth(dir.path).staff.add('wang', '王主任', 'admin');
});
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  writer.close();
  ownerDb.close();
  await broker?.stop();
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

  it("sends instance 1's ticket changes to instance 2's browsers, and every stored reading, status and ticket change once", { timeout: 120_000 }, async () => {
    const one = await startInstance(redis.url);
    const two = await startInstance(redis.url);
    // the same session on both instances (one signing key in the shared data directory)
    const { cookie, csrf } = await staffLogin(one.port);
    const onTwo = browser(two.origin, cookie);
    const onOne = browser(one.origin, cookie);
    await waitFor('both sockets to connect', () => onTwo.socket.connected && onOne.socket.connected, { timeoutMs: 20_000 });

    // ingest stores a reading and a status, and says them on the bus: each instance hears them
    const at = Date.now() - 1000;
    const readings: Reading[] = [{ siteId: 'dongnan', deviceId: 'em-g1c1', kind: 'electric_meter', ts: at, seq: 1, receivedAt: at, values: { totalKWh: 42 } }];
    const statuses: StatusChange[] = [{ deviceId: 'fr-sample', status: 'offline', at }];
    await writer.write({ readings, statuses, deadLetters: [] });
    await ownerBus.publish(liveReadingsTopic(campus.site.id), readings, 0);
    await ownerBus.publish(liveStatusesTopic(campus.site.id), statuses, 0);
    const polled = (b: ReturnType<typeof browser>) => b.got.readings.some((r) => r.d === 'em-g1c1') && b.got.statuses.some((s) => s.deviceId === 'fr-sample');
    await waitFor('the reading and the status on both instances', () => polled(onTwo) && polled(onOne), { timeoutMs: 30_000 });

    // a ticket opened by ingest's detection, acknowledged through instance 1's API (carried out by ingest)
    const opened = openTicket('wm-main', at);
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

    // ingest said the reading and status before the tickets, and the broker delivers in order: a
    // second copy (an instance telling another's sockets too) would have arrived by now
    expect(onOne.got.tickets.map((t) => `${t.id} ${t.status}`)).toEqual([`${opened.id} open`, `${opened.id} acknowledged`]);
    expect(onTwo.got.tickets.map((t) => `${t.id} ${t.status}`)).toEqual([`${opened.id} open`, `${opened.id} acknowledged`]);
    expect(onTwo.got.readings.filter((r) => r.d === 'em-g1c1')).toEqual([{ d: 'em-g1c1', ts: at, v: { totalKWh: 42 } }]);
    expect(onTwo.got.statuses.filter((s) => s.deviceId === 'fr-sample')).toEqual([{ deviceId: 'fr-sample', status: 'offline', at }]);
    expect(onOne.got.readings.filter((r) => r.d === 'em-g1c1')).toHaveLength(1);
  });

  it('carries ticket changes while Redis is away, and stops cleanly then', { timeout: 120_000 }, async () => {
    const one = await startInstance(redis.url);
    const two = await startInstance(redis.url);
    const onTwo = browser(two.origin, (await staffLogin(two.port)).cookie);
    await waitFor('the socket to connect', () => onTwo.socket.connected, { timeoutMs: 20_000 });
    const meters = campus.devices.filter((d) => d.kind === 'water_meter').map((d) => d.id);

    // Redis away: ticket changes come over the broker, not through the adapter
    const mark = said.length;
    await redis.stop();
    await waitFor('the dashboards to notice', () => saidSince(mark, /CAMPUS_DASHBOARD_REDIS_URL.*retrying/), { timeoutMs: 30_000 });
    const opened = openTicket(meters[0]!);
    await waitFor('the ticket on instance 2 with Redis away', () => onTwo.got.tickets.some((t) => t.id === opened.id), { timeoutMs: 30_000 });

    // and a dashboard stopped while Redis is away stops cleanly (ioredis may reject what still waits
    // for Redis; live.ts handles it, an unhandled rejection would fail this run)
    openTicket(meters[1] ?? meters[0]!);
    await one.stop();
    await redis.start();
  });
});
