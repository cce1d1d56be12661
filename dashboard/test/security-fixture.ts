/**
 * For the security suites: the real dashboard service (HTTP + socket.io) on a free loopback
 * port, with its own data directory, a copy of the demo campus file (adoption edits it), ticketing
 * and staff accounts; and a raw HTTP client that can pick its source address and send anything.
 */
import type { Express } from 'express';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Auth, Role, SecurityOptions } from '@campus/dashboard';
import type { Finding, TicketService } from '@campus/repairs';
import { loadOrCreateKey, type MetricsRegistry } from '@campus/runtime';
import { startTestDashboard } from './dashboard-fixture.ts';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** an object is sent as JSON; a string or buffer as is */
  body?: unknown;
  /** the source address (127.0.0.x: every loopback address is this machine) */
  localAddress?: string;
}

export function call(port: number, { method = 'GET', path, headers = {}, body, localAddress }: Call): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h: Record<string, string> = { ...headers };
  if (payload !== undefined && typeof body === 'object' && !Buffer.isBuffer(body) && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
    h['content-type'] = 'application/json';
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'transfer-encoding')) h['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: h, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Session {
  cookie: string;
  csrf: string;
}

export interface Fixture {
  port: number;
  base: string;
  origin: string;
  /** the express app being served */
  app: Express;
  auth: Auth;
  metrics: MetricsRegistry;
  tickets: TicketService;
  campusFile: string;
  apiKey: string;
  call(c: Call): Promise<Reply>;
  /** a new staff account; its password */
  addStaff(username: string, role: Role): Promise<string>;
  login(username: string, password: string, localAddress?: string): Promise<Reply & { session?: Session }>;
  /** a staff account with a session */
  staff(username: string, role: Role): Promise<Session>;
  /** headers of a staff request: cookie, and the CSRF token unless `csrf: false` */
  as(s: Session, csrf?: boolean): Record<string, string>;
  /** opens a ticket of this trade (on a device of the demo campus) */
  openTicket(trade: 'plumber' | 'electrician' | 'canteen', subjectId: string): number;
  /** the value of a counter line in /metrics, 0 when absent */
  metric(line: RegExp): Promise<number>;
  stop(): Promise<void>;
}

const TRADE_CONDITIONS = {
  plumber: { condition: 'water.burst', title: '流量骤增' },
  electrician: { condition: 'transformer.overload', title: '变压器过载' },
  canteen: { condition: 'fridge.excursion', title: '冷藏柜温度超标' },
} as const;

export async function startDashboard(security: Partial<SecurityOptions> = {}): Promise<Fixture> {
  const dashboard = await startTestDashboard({ prefix: 'campus-security-', service: { security } });
  const { auth, metrics, tickets, port } = dashboard;
  const base = `http://127.0.0.1:${port}`;
  const c = (x: Call) => call(port, x);

  const login = async (username: string, password: string, localAddress?: string) => {
    const r = await c({ method: 'POST', path: '/api/login', body: { username, password }, localAddress });
    const setCookie = r.headers['set-cookie']?.[0];
    return { ...r, session: r.status === 200 && setCookie ? { cookie: setCookie.split(';')[0]!, csrf: r.json.csrfToken as string } : undefined };
  };
  const addStaff = (username: string, role: Role) => auth.staff.add(username, username, role);

  return {
    port,
    base,
    origin: base,
    app: dashboard.service!.app!,
    auth,
    metrics,
    tickets,
    campusFile: dashboard.campusFile!,
    apiKey: loadOrCreateKey(dashboard.dir.path, 'api'),
    call: c,
    addStaff,
    login,
    async staff(username, role) {
      const r = await login(username, await addStaff(username, role));
      if (!r.session) throw new Error(`login of ${username} failed: ${r.status} ${r.text}`);
      auth.limiter.reset(); // a suite's own logins do not count against the next test
      return r.session;
    },
    as: (s, csrf = true) => ({ cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}) }),
    openTicket(trade, subjectId) {
      const { condition, title } = TRADE_CONDITIONS[trade];
      const finding: Finding = { active: true, condition, subjectId, at: Date.now(), severity: 'major', trade, category: 'repair', title, summary: 'test' };
      const [t] = tickets.apply([finding]);
      if (!t) throw new Error(`no ticket opened for ${subjectId}`);
      return t.id;
    },
    async metric(line) {
      const text = (await c({ path: '/metrics' })).text;
      const m = text.split('\n').find((l) => line.test(l));
      return m ? Number(m.trim().split(/\s+/).pop()) : 0;
    },
    stop: () => dashboard.close(),
  };
}
