/**
 * A simulated school term for the report tests: the demo campus with short terms (three weeks
 * now, two weeks for the term before and for the same term a year earlier) and every device
 * reporting every 5 minutes, backfilled into a real store (device-sim's backfill) with faults
 * running, while the real detection engine turns the readings into tickets in campus.db and a
 * simulated office acknowledges and resolves them. Nothing here computes a report figure.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { Reading, Severity } from '@campus/contract';
import { backfill, type Fault } from '@campus/device-sim';
import { DetectionEngine } from '@campus/detection';
import { type ReadingStore } from '@campus/store';
import { openDb, dbPath } from '@campus/runtime';
import { TicketService, TicketStore, type Finding } from '@campus/repairs';
import { createLog } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { CompetitionStore } from '@campus/report';

export const TERM = { name: '2026-2027学年第一学期', start: '2026-09-07', end: '2026-09-27' };
export const PREVIOUS = { name: '2025-2026学年第二学期', start: '2026-03-02', end: '2026-03-15' };
export const LAST_YEAR = { name: '2025-2026学年第一学期', start: '2025-09-08', end: '2025-09-21' };
/** a day after the term: the report is made then */
export const NOW = Date.parse('2026-10-09T09:00:00+08:00');
export const STEP_MS = 5 * 60_000;
/**
 * The term and the day before it (the registers' starting readings). Only one vacation day: the
 * burst detector learns each hour's peak from the days before, and a vacation week would teach it
 * that a school morning is a burst.
 */
export const TERM_BACKFILL = { from: '2026-09-06', to: '2026-09-28' };

const at = (local: string) => Date.parse(`${local}+08:00`);
const H = 3600_000;

/** Faults during the term: a leak, a burst, a fridge compressor failure, overloads, a meter silent for two days. */
export const FAULTS: Fault[] = [
  { id: 'leak-dorm-4', kind: 'leak', target: 'wm-dorm-4', from: at('2026-09-14T12:00'), to: at('2026-09-17T12:00'), size: { lph: 150 } },
  { id: 'burst-dorm-1', kind: 'burst', target: 'wm-dorm-1', from: at('2026-09-22T14:00'), to: at('2026-09-22T14:30'), size: { m3h: 9 } },
  { id: 'chiller-2', kind: 'compressor_failure', target: 'fr-chiller-2', from: at('2026-09-16T10:00'), to: at('2026-09-16T13:00') },
  { id: 'overload-sci', kind: 'overload', target: 'tr-sci', from: at('2026-09-15T10:00'), to: at('2026-09-15T10:40'), size: { pct: 115 } },
  ...['2026-09-21', '2026-09-22', '2026-09-23'].map((d): Fault => ({
    id: `peak-sci-${d}`,
    kind: 'overload',
    target: 'tr-sci',
    from: at(`${d}T11:00`),
    to: at(`${d}T11:30`),
    size: { pct: 90 },
  })),
  { id: 'silent-dorm-3', kind: 'silent', target: 'wm-dorm-3', from: at('2026-09-10T00:00'), to: at('2026-09-12T00:00') },
];

/** The demo campus with short terms, every device reporting every 5 minutes, and time-of-use prices. */
export function writeTestCampus(dir: string): { file: string; campus: Campus } {
  const doc = parseDocument(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  doc.setIn(['calendar', 'terms'], doc.createNode([LAST_YEAR, PREVIOUS, TERM, { name: '2026-2027学年第二学期', start: '2027-03-01', end: '2027-03-14' }]));
  doc.setIn(
    ['tariffs'],
    doc.createNode({
      electricityYuanPerKWh: 0.62,
      waterYuanPerM3: 4.1,
      peak: { yuanPerKWh: 0.98, hours: ['08:00-11:00', '18:00-21:00'] },
      valley: { yuanPerKWh: 0.32, hours: ['23:00-07:00'] },
    }),
  );
  const devices = doc.get('devices', true);
  if (!isSeq(devices)) throw new Error('the demo campus has no devices list');
  for (const item of devices.items) if (isMap(item)) item.set('reportingIntervalS', STEP_MS / 1000);
  const file = join(dir, 'campus.yaml');
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return { file, campus: loadCampus(file) };
}

const ACK_AFTER: Record<Severity, number | null> = { critical: 5 * 60_000, major: 15 * 60_000, minor: 60 * 60_000, info: null };

/**
 * The history: the term with detection and faults, then the two terms it is compared with.
 * Tickets land in `dataDir`'s campus.db. Returns how many readings were written.
 */
export async function backfillTerms(store: ReadingStore, campus: Campus, dataDir: string): Promise<number> {
  const db = openDb(dbPath(dataDir));
  const tickets = new TicketService(new TicketStore(db), [campus], createLog('office'));
  const engine = new DetectionEngine([campus]);
  const apply = (found: Finding[]) => found.length && tickets.apply(found);
  // the office: acknowledges by severity; a plumber repairs a leak when its fault ends; anything
  // else is resolved 30 min after its condition cleared (checked on site)
  const office = (now: number) => {
    for (const t of tickets.list({ status: 'open', limit: 10_000 })) {
      const opened = Date.parse(t.openedAt);
      const ackAfter = ACK_AFTER[t.severity];
      if (t.status === 'open' && ackAfter !== null && now >= opened + ackAfter) tickets.act(t.id, 'ack', '值班员', undefined, { at: opened + ackAfter });
      const leak = t.deviceId.startsWith('wm-') && t.condition !== 'device.offline';
      const repair = leak ? FAULTS.find((f) => f.target === t.deviceId && f.from <= opened && opened <= f.to!) : undefined;
      const done = repair ? repair.to! : t.clearedAt ? Date.parse(t.clearedAt) + 30 * 60_000 : null;
      if (done !== null && now >= done) tickets.act(t.id, 'resolve', '值班员', repair ? '已修复' : '现场确认已恢复', { at: Math.max(done, opened) });
    }
  };
  const sink = {
    async write(batch: { readings: Reading[]; statuses: never[]; deadLetters: never[] }) {
      let ts = batch.readings[0]?.ts;
      for (const r of batch.readings) {
        if (r.ts !== ts) {
          apply(engine.tick(ts!));
          office(ts!);
          ts = r.ts;
        }
        apply(engine.onReading(r));
      }
      return store.write(batch);
    },
  };
  const range = (r: { from: string; to: string }): [number, number] => [campus.calendar.startOfDay(r.from), campus.calendar.startOfDay(r.to) + 24 * H];
  let n = await backfill(sink, campus, { ranges: [range(TERM_BACKFILL)], stepMs: STEP_MS, faults: FAULTS });
  // and a competition the office set up for the week of 21 September
  new CompetitionStore(db).add({ name: '九月节电周', resource: 'electricity', from: '2026-09-21', to: '2026-09-25', createdBy: 'admin' }, at('2026-09-18T10:00'));
  db.close();
  // the terms compared with: history only (another simulator run; no detection)
  n += await backfill(store, campus, { ranges: [range({ from: PREVIOUS.start, to: PREVIOUS.end })], stepMs: 15 * 60_000, seed: 2 });
  n += await backfill(store, campus, { ranges: [range({ from: LAST_YEAR.start, to: LAST_YEAR.end })], stepMs: 15 * 60_000, seed: 3 });
  for (;;) {
    const r = await store.rollUp(5000);
    if (r.pending === 0 || r.hours === 0) break;
  }
  return n;
}
