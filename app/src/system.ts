/**
 * The composition root: the one place where the parts are put together, for `npm start` (the whole
 * system in one process, on the embedded defaults), for one part per process (CAMPUS_PARTS: split
 * mode, the parts meeting on the broker), for the tests, the bench and the load mode.
 *
 *   device -> broker -> ingest (decode, validate, store, detect) -> repairs (tickets) -> dashboard -> screens
 *
 * Ingest and the simulator reach the broker over MQTT even in one process, exactly as they would
 * from another machine. The tickets live with ingest (it opens them): a dashboard in the same
 * process uses that repairs desk directly; a dashboard in a process of its own reads campus.db
 * read-only and sends staff actions to ingest over the broker, hearing every change and every
 * stored reading from it there (contract/src/ops.ts), so nothing polls and nothing is missed.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { BrokerService, brokerSettings, type BrokerOptions } from '@campus/broker';
import { Auth, DashboardService, StaffDirectory, dashboardTls, RemoteLive, StoreReader, type DashboardOptions, type LiveFeed } from '@campus/dashboard';
import { SimulatorService, type SimulatorOptions } from '@campus/device-sim';
import { IngestService, IngestWorker, ingestSettings, type IngestOptions } from '@campus/ingest';
import { Notifier, notifierSettings } from '@campus/notify';
import { RemoteDesk, type RepairsDesk } from '@campus/repairs';
import { serveSites } from './site-desk.ts';
import {
  dbPath,
  openDb,
  loadOrCreateKey,
  MetricsRegistry,
  MetricsServer,
  MqttBus,
  SERVICE_USERS,
  SYSTEM_PARTS,
  type Db,
  type Knobs,
  type Log,
  type PartHealth,
  type Service,
  type SystemPart,
} from '@campus/runtime';
import type { Campus } from '@campus/site';

export interface SystemOptions {
  knobs: Knobs;
  campuses: readonly Campus[];
  log: Log;
  /** which parts run here; default CAMPUS_PARTS, else broker, ingest, dashboard and (CAMPUS_SIM=on) the simulator */
  parts?: readonly SystemPart[];
  metrics?: MetricsRegistry;
  /** what tests, the bench and the load mode set beyond the knobs */
  broker?: Partial<BrokerOptions>;
  ingest?: Partial<IngestOptions>;
  dashboard?: Partial<DashboardOptions>;
  sim?: Partial<SimulatorOptions>;
  /**
   * whether a dashboard elsewhere talks to this ingest over the broker (its repairs desk and live
   * feed on the bus); default: when ingest runs here without the dashboard. Tests of ingest alone say no.
   */
  remoteDashboard?: boolean;
}

export interface System {
  parts: readonly SystemPart[];
  broker?: BrokerService;
  /** one ingest, or a worker of several (CAMPUS_INGEST_ASSIGNMENT) */
  ingest?: IngestService;
  worker?: IngestWorker;
  dashboard?: DashboardService;
  sim?: SimulatorService;
  notifier?: Notifier;
  /** in start order; startServices() stops them in reverse */
  services: Service[];
  metrics: MetricsRegistry;
  /** the broker every part here talks to (ours once started, else CAMPUS_MQTT_URL) */
  mqttUrl(): string;
}

export function partsOf(knobs: Knobs): SystemPart[] {
  return knobs.parts ? [...knobs.parts] : SYSTEM_PARTS.filter((p) => p !== 'sim' || knobs.sim);
}

export function buildSystem(opts: SystemOptions): System {
  const { knobs, campuses, log } = opts;
  const parts = opts.parts ?? partsOf(knobs);
  const has = (p: SystemPart) => parts.includes(p);
  const metrics = opts.metrics ?? new MetricsRegistry();
  const services: Service[] = [];
  const system: System = { parts, services, metrics, mqttUrl: () => knobs.mqttUrl };

  if (has('broker')) {
    const broker = new BrokerService({ ...brokerSettings(knobs), campuses, log: log.child('broker'), metrics, ...opts.broker });
    system.broker = broker;
    // the broker's own address as the parts here reach it: loopback unless it listens on one address only
    const host = [undefined, '', '0.0.0.0', '::'].includes(opts.broker?.host ?? knobs.mqttHost) ? '127.0.0.1' : (opts.broker?.host ?? knobs.mqttHost);
    system.mqttUrl = () => `mqtt://${host.includes(':') ? `[${host}]` : host}:${broker.port}`;
  }
  const mqttUrl = () => system.mqttUrl();
  // one connection to campus.db for what shares it in this process: detection's state, the repairs
  // desk and the dashboard's competitions and report (the store keeps its own, for its write batches)
  let campusDb: Db | undefined;
  const sharedDb = (): Db => (campusDb?.open ? campusDb : (campusDb = openDb(dbPath(knobs.dataDir))));
  const closeDb: Service = { name: 'campus-db', start: async () => {}, stop: async () => void (campusDb?.open && campusDb.close()) };
  // a fresh install gets three school weeks of classroom history (the simulator), so the competition board works at once
  const freshStore = !existsSync(dbPath(knobs.dataDir));

  // ticket events are notified from where the tickets are written: ingest's process
  let live: LiveFeed | undefined;
  let ingestBus: MqttBus | undefined;
  if (has('ingest')) {
    // an assignment names the worker and mentions them by their WeCom id or phone (the office keeps those on /account)
    const staff = new StaffDirectory(knobs.dataDir);
    const contactOf = (username: string) => {
      const s = staff.get(username);
      return s && { name: s.name, phone: s.phone, wecomUserId: s.wecomUserId };
    };
    const notifier = new Notifier({ ...notifierSettings(knobs), campuses, log: log.child('notify'), metrics, contactOf });
    system.notifier = notifier;
    services.push(notifier);
    const detection: IngestOptions['detection'] = { onTicketEvent: (event, campus) => notifier.notify(event, campus) };
    const remoteDashboard = opts.remoteDashboard ?? !has('dashboard');
    if (remoteDashboard) ingestBus = serviceBus('ingest', knobs, mqttUrl, log);
    if (knobs.ingestAssignment) {
      // each site's desk and live feed served from where the site is read, while it is read there
      const served = new Map<string, () => Promise<void>>();
      const bus = ingestBus;
      const worker = new IngestWorker({
        onSite: bus && {
          taken: async (siteId, service, campus) => void served.set(siteId, await serveSites(bus, service, [campus], log.child('repairs'))),
          released: async (siteId) => {
            await served.get(siteId)?.();
            served.delete(siteId);
          },
        },
        name: knobs.ingestWorker,
        assignmentFile: knobs.ingestAssignment,
        dataDir: knobs.dataDir,
        mqttUrl: knobs.mqttUrl,
        log: log.child('ingest'),
        metrics,
        ingest: { ...ingestSettings(knobs), detection, ...opts.ingest },
      });
      system.worker = worker;
      live = worker;
    } else {
      const ingest = new IngestService({
        ...ingestSettings(knobs),
        campuses,
        mqttUrl,
        log: log.child('ingest'),
        metrics,
        detection,
        campusDb: sharedDb,
        ...opts.ingest,
      });
      system.ingest = ingest;
      live = ingest;
    }
  }
  if (system.broker) services.push(system.broker);
  // the bus before a worker (it serves each site as it takes it), after a single ingest
  if (ingestBus && system.worker) services.push(ingestBus);
  if (system.ingest) services.push(system.ingest);
  if (system.worker) services.push(system.worker);
  if (ingestBus && system.ingest) services.push(ingestBus, siteDesks(ingestBus, system.ingest, campuses, log));
  // stopped after the simulator and the dashboard, before ingest: ingest takes what the devices said last
  if (system.broker && (system.ingest || system.worker)) {
    const broker = system.broker;
    services.splice(services.indexOf(broker) + 2, 0, { name: 'broker-drain', start: async () => {}, stop: () => broker.drainServices() });
  }

  if (has('dashboard')) {
    const inProcess = Boolean(system.ingest);
    const reader = inProcess ? undefined : new StoreReader(knobs, campuses);
    let remote: { bus: MqttBus; desk: RemoteDesk; live: RemoteLive } | undefined;
    if (!inProcess) {
      const bus = serviceBus('dashboard', knobs, mqttUrl, log);
      const replyTo = `dashboard-${hostname()}-${process.pid}`.replace(/[^\w.-]/g, '-').slice(0, 64);
      remote = { bus, desk: new RemoteDesk({ bus, dbFile: dbPath(knobs.dataDir), campuses, replyTo, log: log.child('repairs') }), live: new RemoteLive() };
      services.push(bus, {
        name: 'repairs-desk',
        start: () => Promise.all([remote!.desk.start(), remote!.live.start(bus, campuses.map((c) => c.site.id))]).then(() => {}),
        stop: async () => (remote!.desk.stop(), reader?.close()),
      });
    }
    const ingest = system.ingest;
    const dashboard: DashboardService = new DashboardService({
      host: knobs.httpHost,
      port: knobs.httpPort,
      campuses,
      store: () => (ingest ? ingest.store : reader!.current()),
      live: live && inProcess ? live : remote!.live,
      // the desk of the running ingest (its detection is made anew on each start), else the remote one
      tickets: (): RepairsDesk | undefined => ingest?.detection?.tickets ?? remote?.desk,
      ...(system.notifier ? { notifications: () => system.notifier!.status() } : {}),
      auth: new Auth(knobs.dataDir, knobs.httpSecureCookies),
      security: { trustProxy: knobs.httpTrustProxy },
      redisUrl: knobs.dashboardRedisUrl,
      tls: dashboardTls(knobs),
      dataDir: knobs.dataDir,
      // in one process with ingest: the connection it shares; alone: one of its own (campus-db.ts)
      ...(inProcess ? { db: sharedDb } : {}),
      health: () => health(system),
      metrics,
      log: log.child('dashboard'),
      ...opts.dashboard,
    });
    system.dashboard = dashboard;
    services.push(dashboard);
  } else {
    // without the dashboard, /metrics and the health verdict of each part here on their own ports
    if (system.broker) services.push(metricsServer('broker', knobs.brokerMetricsPort, 'CAMPUS_BROKER_METRICS_PORT', knobs, system, log));
    if (system.ingest || system.worker) services.push(metricsServer('ingest', knobs.ingestMetricsPort, 'CAMPUS_INGEST_METRICS_PORT', knobs, system, log));
  }

  // closed after everything that uses it (services stop in reverse)
  if (system.ingest) services.unshift(closeDb);

  if (has('sim')) {
    const sim = new SimulatorService({
      campuses,
      mqttUrl,
      dataDir: knobs.dataDir,
      log: log.child('device-sim'),
      metrics,
      backfillDays: freshStore && has('ingest') ? knobs.simBackfillDays : 0,
      ...opts.sim,
    });
    system.sim = sim;
    services.push(sim);
  }
  return system;
}

/** Health of every part in this process, by name (a chat robot down is not the system down: see notifications). */
function health(system: System): Record<string, PartHealth> {
  const parts: Record<string, PartHealth> = {};
  for (const s of [system.broker, system.ingest, system.worker, system.dashboard, system.sim]) if (s) parts[s.name] = s.health?.() ?? { ok: true };
  return parts;
}

function serviceBus(name: 'ingest' | 'dashboard', knobs: Knobs, url: () => string, log: Log): MqttBus {
  // a broker of ours knows the key in the data dir; an external one is given a login (CAMPUS_INGEST_MQTT_*)
  const username = name === 'ingest' ? (knobs.ingestMqttUsername ?? SERVICE_USERS.ingest) : SERVICE_USERS.dashboard;
  const password = name === 'ingest' ? (knobs.ingestMqttPassword ?? loadOrCreateKey(knobs.dataDir, 'ingest')) : loadOrCreateKey(knobs.dataDir, 'dashboard');
  return new MqttBus({
    name: `${name}-bus`,
    url,
    clientId: `campus-${name}-bus-${hostname()}-${process.pid}`.slice(0, 64),
    username,
    password,
    log: log.child(`${name}-bus`),
  });
}

/** One ingest's side of split mode: every site it reads (see site-desk.ts). */
function siteDesks(bus: MqttBus, ingest: IngestService, campuses: readonly Campus[], log: Log): Service {
  let stop: (() => Promise<void>) | undefined;
  return {
    name: 'repairs-desk',
    start: async () => void (stop = await serveSites(bus, ingest, campuses, log.child('repairs'))),
    stop: async () => stop?.(),
  };
}

function metricsServer(part: 'broker' | 'ingest', port: number | 'off', knob: string, knobs: Knobs, system: System, log: Log): Service {
  return new MetricsServer({ part, host: knobs.httpHost, port, knob, metrics: system.metrics, health: () => health(system), log });
}
