/**
 * For the wall's page tests: the real dashboard service (HTTP + socket.io) in the test process on
 * a port that stays the same across a stop and a start (as a real server's), with the real
 * TicketService over SQLite, the real reading store, a display token, and a board of 40 open
 * tickets: sensor tickets from findings with their evidence, and people's requests through
 * report(), assigned through change(), some past their due time. The tiles' data is fresh except
 * a fridge and a transformer silent for 25 minutes.
 */
import type { Browser } from 'playwright-core';
import type { Reading, ReportKind, Severity, Trade } from '@campus/contract';
import { DisplayTokens, type LiveFeed } from '@campus/dashboard';
import type { Finding, TicketService } from '@campus/repairs';
import type { SqliteReadingStore } from '@campus/store';
import type { Campus } from '@campus/site';
import { freePort, LAN_HOST, openReady, waitFor } from '@campus/testkit';
import { testDashboard } from '../dashboard-fixture.ts';

export const STAFF: Readonly<Record<string, string>> = { li: '李师傅', wang: '王师傅', zhao: '赵老师' };
/** silent for 25 min: 3 reporting intervals are long past */
export const STALE_DEVICES = ['fr-freezer-2', 'tr-sci'];
export const STALE_MIN = 25;

export interface WallServer {
  /** http://houqin-server.lan:port (launchChromium resolves the name to 127.0.0.1) */
  base: string;
  port: number;
  token: string;
  campus: Campus;
  tickets: TicketService;
  live: LiveFeed;
  store: SqliteReadingStore;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

const KIND_FINDING: Record<string, { condition: string; title: string; trade: Trade; unit: string; value: (i: number) => number }> = {
  water_meter: { condition: 'water.night_flow', title: '夜间持续流量（疑似漏水）', trade: 'plumber', unit: 'm³/h', value: (i) => 0.35 + i / 10 },
  electric_meter: { condition: 'electricity.after_hours', title: '放学后用电未关', trade: 'electrician', unit: 'kW', value: (i) => 2.4 + i },
  transformer: { condition: 'transformer.overload', title: '变压器过载', trade: 'electrician', unit: '%', value: (i) => 104 + i },
  fridge: { condition: 'fridge.excursion', title: '冷藏柜超温', trade: 'canteen', unit: '°C', value: (i) => 7.5 + i / 3 },
};
const SEVERITY_CYCLE: Severity[] = ['critical', 'major', 'major', 'minor', 'minor', 'major', 'critical', 'minor'];
const REPORT_CYCLE: { kind: ReportKind; text: string }[] = [
  { kind: 'electricity', text: '教室前排两盏灯不亮' },
  { kind: 'water', text: '洗手池水龙头一直滴水' },
  { kind: 'doors_windows', text: '后门门锁坏了，关不上' },
  { kind: 'furniture', text: '三张课桌桌腿松动' },
  { kind: 'multimedia', text: '投影仪开不了机' },
  { kind: 'other', text: '墙皮脱落' },
];

export async function startWallServer(): Promise<WallServer> {
  const start = Date.now();
  let clock = start;
  const port = await freePort();
  const dashboard = testDashboard({ prefix: 'campus-wall-', readings: true, port, tickets: { staffName: (u) => STAFF[u], now: () => clock } });
  const { campus, tickets, live } = dashboard;
  const store = dashboard.store!;
  const token = new DisplayTokens(dashboard.dir.path).add('总务处值班大屏').token;

  // the tiles: every transformer, fridge and the main water meter heard just now, two of them 25 min ago
  const readings: Reading[] = [];
  for (const d of campus.devices) {
    if (!['transformer', 'fridge'].includes(d.kind) && d.id !== 'wm-main') continue;
    const at = STALE_DEVICES.includes(d.id) ? start - STALE_MIN * 60_000 - 20_000 : start - 5_000;
    const values: Record<string, unknown> =
      d.kind === 'transformer' ? { currentA: [300, 280, 290], voltageV: [231, 231, 231], powerKW: 150 } : d.kind === 'fridge' ? { tempC: 3.2, doorOpen: false } : { totalM3: 42_000, flowM3h: 3.1 };
    readings.push({ siteId: campus.site.id, deviceId: d.id, kind: d.kind, ts: at, seq: 0, receivedAt: at, values: values as unknown as Reading['values'] });
  }
  await store.write({ readings, statuses: [], deadLetters: [] });

  // 26 sensor tickets, opened over the last 5 hours, the oldest first
  // a mix of kinds: the water meters, fridges and transformers, then class meters to make 26
  const byKind = (kind: string) => campus.devices.filter((d) => d.kind === kind);
  const devices = [...byKind('water_meter').slice(1), ...byKind('fridge'), ...byKind('transformer'), ...byKind('electric_meter')].slice(0, 26);
  const findings: Finding[] = devices.map((d, i) => {
    const k = KIND_FINDING[d.kind]!;
    const at = start - (5 * 60 - i * 7) * 60_000;
    return {
      active: true,
      condition: k.condition,
      subjectId: d.id,
      at,
      severity: SEVERITY_CYCLE[i % SEVERITY_CYCLE.length]!,
      trade: k.trade,
      category: 'repair',
      title: k.title,
      summary: `${d.name}：${k.title}`,
      evidence: [
        { ts: at - 60_000, value: k.value(i) - 0.5, unit: k.unit },
        { ts: at, value: k.value(i), unit: k.unit },
      ],
    };
  });
  const sensor = tickets.apply(findings);
  // 14 people's requests from 14 rooms, 3 hours to 10 minutes ago
  const rooms = campus.rooms.slice(0, 14);
  const people = rooms.map((r, i) => {
    clock = start - (3 * 60 - i * 12) * 60_000;
    const { kind, text } = REPORT_CYCLE[i % REPORT_CYCLE.length]!;
    return tickets.report({ siteId: campus.site.id, roomId: r.id, kind, text: `${r.name}${text}`, reporterName: i % 2 ? null : '张老师' });
  });
  clock = start;
  // dispatch: some assigned, two people's requests made urgent (30 min) long ago: overdue
  const names = Object.keys(STAFF);
  for (const [i, t] of sensor.entries()) if (i % 3 === 0) tickets.change(t.id, { kind: 'assign', to: names[i % names.length]! }, 'admin');
  for (const [i, r] of people.entries()) if (i % 2 === 0) tickets.change(r.ticketId, { kind: 'assign', to: names[i % names.length]! }, 'admin');
  for (const r of people.slice(0, 2)) tickets.change(r.ticketId, { kind: 'triage', severity: 'critical' }, 'admin');

  const server: WallServer = {
    base: `http://${LAN_HOST}:${port}`,
    port,
    token,
    campus,
    tickets,
    live,
    store,
    start: () => dashboard.start(),
    stop: () => dashboard.stop(),
    close: () => dashboard.close(),
  };
  await server.start();
  return server;
}

/** The wall with the server's display token (and `query`), ready, its live socket up. */
export async function openWall(server: WallServer, browser: Browser, query = '', viewport = { width: 1920, height: 1080 }): ReturnType<typeof openReady> {
  const opened = await openReady(browser, `${server.base}/wall?token=${server.token}${query}`, { viewport });
  await waitFor('the socket', async () => (await opened.page.getAttribute('body', 'data-connected')) === 'true');
  return opened;
}
