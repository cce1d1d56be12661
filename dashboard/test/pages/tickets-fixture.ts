/**
 * For the /tickets page tests: the dashboard service in this process with a real TicketService
 * and a real SQLite reading store on a temp dir, served at the LAN host name over plain HTTP
 * (LAN_HOST resolves to this machine in the test browser), staff accounts, and a login helper.
 * Tickets are opened by findings at simulated times, so order and age are the test's own.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Reading, Severity, Trade } from '@campus/contract';
import { Auth, DashboardService, type LiveFeed, type Role } from '@campus/dashboard';
import { clear, raise, TicketService, TicketStore } from '@campus/repairs';
import { createLog, MetricsRegistry, openDb } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { LAN_HOST, tempDir } from '@campus/testkit';
import { PhotoStore } from '../../src/photo-store.ts';

export const campus = loadCampus(DEMO_CAMPUS_FILE);

export interface TicketsFixture {
  /** where the browser opens the pages (the LAN host name) */
  base: string;
  /** the same server over loopback, for the test's own calls (Node cannot resolve LAN_HOST) */
  apiBase: string;
  tickets: TicketService;
  store: SqliteReadingStore;
  auth: Auth;
  addStaff(username: string, name: string, role: Role): Promise<string>;
  /** a detector's finding on a device of the demo campus, opened at `at`; the ticket's id */
  open(o: { device: string; condition: string; title: string; severity: Severity; trade: Trade; at: number; details?: Record<string, unknown> }): number;
  /** the condition of an open ticket went away by itself at `at` */
  clear(device: string, condition: string, at: number): void;
  /** readings of one device */
  write(deviceId: string, points: { ts: number; values: Record<string, unknown> }[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startTicketsDashboard(): Promise<TicketsFixture> {
  const dir = tempDir('campus-tickets-');
  const log = createLog('test');
  const store = new SqliteReadingStore(join(dir.path, 'campus.db'), { context: storeContext([campus]) });
  const tickets = new TicketService(new TicketStore(openDb(join(dir.path, 'campus.db'))), [campus], log);
  const auth = new Auth(dir.path);
  const service = new DashboardService({
    host: '127.0.0.1',
    port: 0,
    campuses: [campus],
    store: () => store,
    live: new EventEmitter() as LiveFeed,
    health: () => ({ dashboard: { ok: true } }),
    tickets: () => tickets,
    auth,
    dataDir: dir.path,
    // one store for the public upload and the staff API's photo change (the app's default serves the upload only)
    photos: PhotoStore.inDataDir(dir.path),
    metrics: new MetricsRegistry(),
    log,
  });
  await service.start();
  return {
    base: `http://${LAN_HOST}:${service.port}`,
    apiBase: `http://127.0.0.1:${service.port}`,
    tickets,
    store,
    auth,
    addStaff: (username, name, role) => auth.staff.add(username, name, role),
    open: ({ device, condition, title, severity, trade, at, details }) =>
      tickets.apply([raise(condition, device, at, { severity, trade, category: 'repair', title, summary: `${title}（测试）`, details })])[0]!.id,
    clear: (device, condition, at) => void tickets.apply([clear(condition, device, at, '已恢复正常')]),
    write: async (deviceId, points) => {
      const kind = campus.device(deviceId)!.kind;
      const readings: Reading[] = points.map((p, seq) => ({ siteId: campus.site.id, deviceId, kind, ts: p.ts, seq, receivedAt: p.ts, values: p.values as never }));
      await store.write({ readings, statuses: [], deadLetters: [] });
    },
    stop: async () => {
      await service.stop();
      store.close();
      dir.remove();
    },
  };
}

/** Logs in on the login page the protected page sends to, and waits for the page to be ready. */
export async function loginAs(page: Page, base: string, username: string, password: string, next = '/tickets'): Promise<void> {
  await page.goto(`${base}${next}`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}${next}`);
  // ready, or the page's own failure (runPage leaves it on <body>) named at once
  await page.waitForSelector('body[data-ready="true"], body[data-error]', { timeout: 60_000 });
  const error = await page.getAttribute('body', 'data-error');
  if (error) throw new Error(`${next} failed to start: ${error}`);
}
