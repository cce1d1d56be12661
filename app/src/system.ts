/**
 * The whole system in one process, on the embedded defaults: broker, ingest (SQLite), dashboard
 * and, with CAMPUS_SIM=on, the simulator. Ingest and the simulator reach the broker over
 * loopback MQTT, exactly as they would from another machine.
 */
import { BrokerService, brokerSettings } from '@campus/broker';
import { Auth, DashboardService, dashboardTls } from '@campus/dashboard';
import { SimulatorService } from '@campus/device-sim';
import { dbPath } from '@campus/runtime';
import { IngestService, ingestSettings } from '@campus/ingest';
import { Notifier, notifierSettings } from '@campus/notify';
import { existsSync } from 'node:fs';
import { MetricsRegistry, type Knobs, type Log, type PartHealth, type Service } from '@campus/runtime';
import type { Campus } from '@campus/site';

export interface System {
  broker: BrokerService;
  ingest: IngestService;
  dashboard: DashboardService;
  sim?: SimulatorService;
  notifier: Notifier;
  services: Service[];
  metrics: MetricsRegistry;
}

export function buildSystem(knobs: Knobs, campus: Campus, log: Log): System {
  const metrics = new MetricsRegistry();
  const campuses = [campus];
  const broker = new BrokerService({
    ...brokerSettings(knobs),
    campuses,
    log: log.child('broker'),
    metrics,
  });
  const localBroker = () => `mqtt://127.0.0.1:${broker.port}`;
  // ticket events (opened and escalated by ingest, resolved by staff through the dashboard, one TicketService) go out once
  const notifier = new Notifier({ ...notifierSettings(knobs), campuses, log: log.child('notify'), metrics });
  const ingest = new IngestService({
    ...ingestSettings(knobs),
    campuses,
    mqttUrl: localBroker,
    log: log.child('ingest'),
    metrics,
    detection: { onTicketEvent: (event, campus) => notifier.notify(event, campus) },
  });
  // a fresh install gets three school weeks of classroom history, so the competition board works at once
  const freshStore = !existsSync(dbPath(knobs.dataDir));
  const sim = knobs.sim
    ? new SimulatorService({
        campuses,
        mqttUrl: localBroker,
        dataDir: knobs.dataDir,
        log: log.child('device-sim'),
        metrics,
        backfillDays: freshStore ? knobs.simBackfillDays : 0,
      })
    : undefined;
  const dashboard: DashboardService = new DashboardService({
    host: knobs.httpHost,
    port: knobs.httpPort,
    campuses,
    store: () => ingest.store,
    live: ingest,
    tickets: () => ingest.detection?.tickets,
    notifications: () => notifier.status(),
    auth: new Auth(knobs.dataDir, knobs.httpSecureCookies),
    security: { trustProxy: knobs.httpTrustProxy },
    redisUrl: knobs.dashboardRedisUrl,
    tls: dashboardTls(knobs),
    dataDir: knobs.dataDir,
    health: () => {
      const parts: Record<string, PartHealth> = {};
      for (const s of healthParts) parts[s.name] = s.health?.() ?? { ok: true };
      return parts;
    },
    metrics,
    log: log.child('dashboard'),
  });
  const healthParts: Service[] = [broker, ingest, dashboard, ...(sim ? [sim] : [])];
  // stopped after the simulator and the dashboard, before ingest: ingest takes what the devices said last
  const drain: Service = { name: 'broker-drain', start: async () => {}, stop: () => broker.drainServices() };
  // the notifier starts first and stops last, so that what ingest says while stopping still goes out;
  // it is not a part of /api/health's verdict (a chat robot down is not the system down): see `notifications`
  const services: Service[] = [notifier, broker, ingest, drain, dashboard, ...(sim ? [sim] : [])];
  return { broker, ingest, dashboard, sim, notifier, services, metrics };
}
