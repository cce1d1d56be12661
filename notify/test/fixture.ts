/** What the notify tests share: the demo campus with channels, a ticket, a clock the test moves. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REQUEST_FIELDS_NONE, type Ticket, type TicketEvent } from '@campus/contract';
import { Notifier, type Clock, type NotifierOptions } from '@campus/notify';
import { createLog, MetricsRegistry } from '@campus/runtime';
import { buildCampus, DEMO_CAMPUS_FILE, type Campus } from '@campus/site';

/** Monday 2026-11-23 10:00 in Shanghai */
export const T0 = Date.parse('2026-11-23T10:00:00+08:00');
export const MIN = 60_000;
export const BASE = 'https://campus.example.cn';

/** The demo campus with these `notifications`. */
export function campusWith(notifications: Record<string, unknown>): Campus {
  const doc = parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8'));
  doc.notifications = notifications;
  return buildCampus(doc);
}

export function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 12,
    siteId: 'dongnan',
    deviceId: 'wm-dorm-2',
    deviceName: '学生公寓2层水表（男生）',
    condition: 'water.meter_alarm',
    title: '水表报警：爆管',
    summary: '水表自报 BURST（爆管），请立即关阀检查',
    severity: 'critical',
    trade: 'plumber',
    category: 'repair',
    location: { building: 'dorm', buildingName: '学生公寓', floor: 2, room: null, roomName: null },
    classId: null,
    status: 'open',
    openedAt: new Date(T0).toISOString(),
    lastAt: new Date(T0).toISOString(),
    occurrences: 1,
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    escalatedAt: null,
    evidence: [],
    details: {},
    ...REQUEST_FIELDS_NONE,
    ...over,
  };
}

export const opened = (over: Partial<Ticket> = {}, at = T0): TicketEvent => ({ type: 'opened', ticket: ticket(over), at });

/** Time that moves when the test says: timers run on advance(); backoff sleeps are recorded and return at once. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void }[] = [];
  readonly sleeps: number[] = [];
  constructor(public t: number) {}
  now = () => this.t;
  later = (fn: () => void, ms: number) => {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((x) => x !== timer));
  };
  sleep = async (ms: number) => void this.sleeps.push(ms);
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = until;
  }
}

export function notifier(campus: Campus, over: Partial<NotifierOptions> = {}): { notifier: Notifier; metrics: MetricsRegistry } {
  const metrics = new MetricsRegistry();
  const n = new Notifier({ campuses: [campus], publicUrl: BASE, log: createLog('test'), metrics, random: () => 0.5, ...over });
  return { notifier: n, metrics };
}
