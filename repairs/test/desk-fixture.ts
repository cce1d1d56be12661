/** A repairs desk on a real SQLite file in a temp dir, on the demo campus, with a clock the test moves. */
import { join } from 'node:path';
import type { PersonReport, TicketEvent } from '@campus/contract';
import { createLog, openDb, type Db } from '@campus/runtime';
import { TicketError, TicketService, TicketStore } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { tempDir } from '@campus/testkit';

export const T0 = Date.parse('2026-11-23T10:00:00+08:00');
export const MIN = 60_000;

export const STAFF: Record<string, string> = { li: '李师傅', wang: '王师傅', admin: '总务处管理员' };

export interface Desk {
  svc: TicketService;
  db: Db;
  clock: { now: number };
  events: TicketEvent[];
  file: string;
  close(): void;
}

export function desk(opts: { campus?: Campus; staff?: boolean } = {}): Desk {
  const dir = tempDir();
  const file = join(dir.path, 'campus.db');
  const db = openDb(file);
  const clock = { now: T0 };
  let n = 0;
  const svc = new TicketService(new TicketStore(db), [opts.campus ?? loadCampus(DEMO_CAMPUS_FILE)], createLog('test'), {
    now: () => clock.now,
    newToken: () => `token-${String(++n).padStart(4, '0')}-abcdefghijklmnop`,
    ...(opts.staff === false ? {} : { staffName: (u: string) => STAFF[u] }),
  });
  const events: TicketEvent[] = [];
  svc.on('event', (e) => events.push(e));
  return { svc, db, clock, events, file, close: () => (db.close(), dir.remove()) };
}

export const report = (over: Partial<PersonReport> = {}): PersonReport => ({
  siteId: 'dongnan',
  roomId: 'T-201',
  kind: 'water',
  text: '水龙头一直滴水',
  ...over,
});

/** "ok", or the TicketError's status and message */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TicketError) return `${err.status} ${err.message}`;
    throw err;
  }
  return 'ok';
}
