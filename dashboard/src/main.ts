/** The dashboard on its own: reads the embedded store that an ingest process writes. */
import { existsSync } from 'node:fs';
import { dbPath, openDb } from '@campus/runtime';
import { TicketService, TicketStore } from '@campus/repairs';
import { Notifier, notifierSettings } from '@campus/notify';
import { createLog, MetricsRegistry, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus, watchLedger } from '@campus/site';
import { dashboardTls, DashboardService } from './service.ts';
import { Auth } from './auth/auth.ts';
import { StorePoller } from './store-poller.ts';

const log = createLog('dashboard');
await runMain(log, async () => {
  const knobs = readKnobs();
  const campus = loadCampus(knobs.campusConfig);
  const poller = new StorePoller(knobs, [campus]);
  const metrics = new MetricsRegistry();
  // staff actions on tickets are written here, and their events (resolved) notified from here; tickets
  // themselves are opened and escalated by the ingest process, which notifies those
  const notifier = new Notifier({ ...notifierSettings(knobs), campuses: [campus], log: log.child('notify'), metrics });
  let tickets: TicketService | undefined;
  const ticketService = () => {
    if (!tickets && existsSync(dbPath(knobs.dataDir))) {
      tickets = new TicketService(new TicketStore(openDb(dbPath(knobs.dataDir))), [campus], log);
      tickets.on('event', (event) => notifier.notify(event));
    }
    return tickets;
  };
  const dashboard: DashboardService = new DashboardService({
    host: knobs.httpHost,
    port: knobs.httpPort,
    campuses: [campus],
    store: () => poller.current(),
    live: poller,
    tickets: ticketService,
    notifications: () => notifier.status(),
    auth: new Auth(knobs.dataDir, knobs.httpSecureCookies),
    security: { trustProxy: knobs.httpTrustProxy },
    redisUrl: knobs.dashboardRedisUrl,
    tls: dashboardTls(knobs),
    dataDir: knobs.dataDir,
    health: () => ({
      dashboard: dashboard.health(),
      store: poller.current() ? { ok: true } : { ok: false, detail: `no store at ${dbPath(knobs.dataDir)} yet` },
    }),
    metrics,
    log,
  });
  poller.start();
  // devices adopted while running show up in the ledger without a restart
  const ledger = watchLedger(campus, log.child('ledger'));
  const running = await startServices([notifier, dashboard], log);
  stopOnSignals({ services: running.services, stop: async () => (await running.stop(), poller.stop(), ledger.close()) }, log);
});
