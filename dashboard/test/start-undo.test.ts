/**
 * A DashboardService.start() that fails (its port is taken) undoes what it did (service.ts start):
 * no live hub is left listening to the live feed and the tickets, and a dashboard started again on
 * the same deps and a free port serves /api/health with one hub.
 */
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth, DashboardService, type DashboardOptions, type LiveFeed } from '@campus/dashboard';
import { TicketService, TicketStore } from '@campus/repairs';
import { createLog, MetricsRegistry, openDb } from '@campus/runtime';
import { campusFileWith, tempDir } from '@campus/testkit';
import { call } from './security-fixture.ts';

const dir = tempDir('campus-dashboard-undo-');
const { campus } = campusFileWith(dir.path);
const db = openDb(join(dir.path, 'campus.db'));
const log = createLog('test');
const tickets = new TicketService(new TicketStore(db), [campus], log);
const live = new EventEmitter() as LiveFeed;
/** something else listening on the dashboard's port */
let holder: Server;
let taken: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  taken = (holder.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => holder.close(resolve));
  db.close();
  dir.remove();
});

/** a dashboard whose /api/health reports its own health, as the system's does */
const dashboard = (port: number) => {
  const opts: DashboardOptions = {
    host: '127.0.0.1',
    port,
    campuses: [campus],
    store: () => undefined,
    live,
    health: () => ({ dashboard: service.health() }),
    tickets: () => tickets,
    auth: new Auth(dir.path),
    dataDir: dir.path,
    metrics: new MetricsRegistry(),
    log,
  };
  const service = new DashboardService(opts);
  return service;
};
/** live hubs listening: each listens to the feed's readings and the tickets */
const hubs = () => ({ readings: live.listenerCount('readings'), tickets: tickets.listenerCount('ticket') });

describe('DashboardService.start() on a port that is taken', () => {
  it('rejects and leaves no live hub; a dashboard on a free port then serves /api/health with one', { timeout: 60_000 }, async () => {
    const before = hubs();
    const failed = dashboard(taken);
    await expect(failed.start()).rejects.toThrow(String(taken));
    expect(hubs()).toEqual(before);
    expect(failed.health().ok).toBe(false);

    const service = dashboard(0);
    await service.start();
    try {
      expect(hubs()).toEqual({ readings: before.readings + 1, tickets: before.tickets + 1 });
      const r = await call(service.port, { path: '/api/health' });
      expect(r.status).toBe(200);
      expect(r.json.parts.dashboard).toEqual({ ok: true, port: service.port });
    } finally {
      await service.stop();
    }
    expect(hubs()).toEqual(before);
  });
});
