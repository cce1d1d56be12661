/**
 * For the /tickets page tests: the dashboard service in this process with a real TicketService
 * and a real SQLite reading store on a temp dir, served at the LAN host name over plain HTTP
 * (LAN_HOST resolves to this machine in the test browser), and staff accounts (log in with
 * staffLogin).
 * Tickets are opened by findings at simulated times, so order and age are the test's own.
 */
import type { Reading, Severity, Trade } from '@campus/contract';
import type { Auth, Role } from '@campus/dashboard';
import { clear, raise, type TicketService } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import type { SqliteReadingStore } from '@campus/store';
import { LAN_HOST } from '@campus/testkit';
import { PhotoStore } from '../../src/photo-store.ts';
import { startTestDashboard } from '../dashboard-fixture.ts';

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
  const fx = await startTestDashboard({
    prefix: 'campus-tickets-',
    campus,
    readings: true,
    // the photo store handed over, as a composition root may (the default is the same directory)
    service: (dataDir) => ({ photos: PhotoStore.inDataDir(dataDir) }),
  });
  const { tickets, auth } = fx;
  const store = fx.store!;
  return {
    base: `http://${LAN_HOST}:${fx.port}`,
    apiBase: `http://127.0.0.1:${fx.port}`,
    tickets,
    store,
    auth,
    addStaff: (username, name, role) => auth.staff.add(username, name, role),
    open: ({ device, condition, title, severity, trade, at, details }) =>
      tickets.apply([raise(condition, device, at, { severity, trade, category: 'repair', title, summary: `${title}（测试）`, details })])[0]!.id,
    clear: (device, condition, at) => void tickets.apply([clear(condition, device, at, '已恢复正常')]),
    write: async (deviceId, points) => {
      const kind = campus.device(deviceId)!.kind;
      const readings: Reading[] = points.map((p, seq) => ({
        siteId: campus.site.id,
        deviceId,
        kind,
        ts: p.ts,
        seq,
        receivedAt: p.ts,
        values: p.values as never,
      }));
      await store.write({ readings, statuses: [], deadLetters: [] });
    },
    stop: () => fx.close(),
  };
}
