/**
 * The dashboard service in the test process, as the API, security and page fixtures run it: on
 * 127.0.0.1 with its own temp data dir, the real TicketService over campus.db there, staff
 * accounts, and (with `readings`) the real SQLite reading store on the same file. The campus is a
 * copy of the demo campus file (adoption edits it) unless the test gives its own.
 */
import { EventEmitter } from 'node:events';
import { Auth, DashboardService, type DashboardOptions, type LiveFeed } from '@campus/dashboard';
import { TicketService, TicketStore, type TicketServiceOptions } from '@campus/repairs';
import { createLog, dbPath, MetricsRegistry, openDb, type Db, type Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { campusFileWith, tempDir } from '@campus/testkit';

export interface TestDashboardOptions {
  /** of the temp data dir */
  prefix?: string;
  /** default: campusFileWith(the data dir) */
  campus?: Campus;
  /** a reading store on campus.db; without it the dashboard has none (its reading routes answer 503) */
  readings?: boolean;
  tickets?: TicketServiceOptions;
  /** the port, kept across a stop() and a start(); default 0 (a free one, at each start) */
  port?: number;
  /** the rest of the dashboard's options (security, photos, …), or a function of the data dir that gives them */
  service?: Partial<DashboardOptions> | ((dataDir: string) => Partial<DashboardOptions>);
}

export interface TestDashboard {
  dir: { path: string; remove(): void };
  campus: Campus;
  /** the campus file the campus was read from, when the fixture wrote it */
  campusFile?: string;
  db: Db;
  tickets: TicketService;
  store?: SqliteReadingStore;
  auth: Auth;
  metrics: MetricsRegistry;
  live: LiveFeed;
  log: Log;
  /** the service of the last start() */
  service?: DashboardService;
  /** the port of the last start() */
  port: number;
  start(): Promise<void>;
  /** stops the service; start() serves again with the same data */
  stop(): Promise<void>;
  /** stops it, closes the stores and removes the data dir */
  close(): Promise<void>;
}

/** Everything of the dashboard but its start: the test fills tickets and readings first, or starts it at once. */
export function testDashboard(o: TestDashboardOptions = {}): TestDashboard {
  const dir = tempDir(o.prefix ?? 'campus-dashboard-');
  const written = o.campus ? undefined : campusFileWith(dir.path);
  const campus = o.campus ?? written!.campus;
  const log = createLog('test');
  const db = openDb(dbPath(dir.path));
  const tickets = new TicketService(new TicketStore(db), [campus], log, o.tickets);
  const store = o.readings ? new SqliteReadingStore(dbPath(dir.path), { context: storeContext([campus]) }) : undefined;
  const more = typeof o.service === 'function' ? o.service(dir.path) : o.service;
  const fx: TestDashboard = {
    dir,
    campus,
    campusFile: written?.file,
    db,
    tickets,
    store,
    auth: new Auth(dir.path),
    metrics: new MetricsRegistry(),
    live: new EventEmitter() as LiveFeed,
    log,
    port: o.port ?? 0,
    async start() {
      const service = new DashboardService({
        host: '127.0.0.1',
        port: o.port ?? 0,
        campuses: [campus],
        store: () => store,
        live: fx.live,
        health: () => ({ dashboard: { ok: true } }),
        tickets: () => tickets,
        auth: fx.auth,
        dataDir: dir.path,
        metrics: fx.metrics,
        log,
        ...more,
      });
      await service.start();
      fx.service = service;
      fx.port = service.port;
    },
    async stop() {
      await fx.service?.stop();
      fx.service = undefined;
    },
    async close() {
      await fx.stop();
      store?.close();
      db.close();
      dir.remove();
    },
  };
  return fx;
}

/** testDashboard(o), started. */
export async function startTestDashboard(o: TestDashboardOptions = {}): Promise<TestDashboard> {
  const fx = testDashboard(o);
  await fx.start();
  return fx;
}
