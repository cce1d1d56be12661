/**
 * The dashboard as a service: HTTP server + socket.io on CAMPUS_HTTP_PORT; with a certificate,
 * the same over HTTPS on CAMPUS_HTTPS_PORT (tls.ts).
 */
import { createServer } from 'node:http';
import type { Express } from 'express';
import { listen, startOrUndo, type Listening, type PartHealth, type Service } from '@campus/runtime';
import { createDashboard } from './app.ts';
import type { DashboardDeps } from './deps.ts';
import { photoStoreOf } from './photo-store.ts';
import { LiveHub } from './live.ts';
import { securityOptions } from './security/options.ts';
import { slowClientLimits } from './security/slow-clients.ts';
import { listenHttps, type DashboardTls } from './tls.ts';

export { dashboardTls, type DashboardTls } from './tls.ts';

export interface DashboardOptions extends DashboardDeps {
  host: string;
  port: number;
  /** CAMPUS_DASHBOARD_REDIS_URL: share live events with the other dashboards behind a load balancer (socket.io Redis adapter) */
  redisUrl?: string;
  /** CAMPUS_TLS_CERT / CAMPUS_TLS_KEY / CAMPUS_HTTPS_PORT: also serve HTTPS (dashboardTls(knobs)); unset: plain HTTP only */
  tls?: DashboardTls;
}

export class DashboardService implements Service {
  readonly name = 'dashboard';
  private listening?: Listening;
  private https?: Listening;
  private hub?: LiveHub;
  port = 0;
  /** the HTTPS listener's port, when there is one */
  httpsPort?: number;
  /** the express app being served (its route table is checked by the security tests) */
  app?: Express;

  constructor(private readonly opts: DashboardOptions) {}

  // a port in use, Redis away, a bad certificate: nothing of a failed start is left open
  async start(): Promise<void> {
    await startOrUndo(this, () => this.startParts());
  }

  private async startParts(): Promise<void> {
    await this.opts.auth.staff.ensureInitialAdmin(this.opts.log);
    const app = (this.app = createDashboard(this.opts));
    // cut idle and slow clients: a stuck browser or a slowloris must not hold a socket (security/slow-clients.ts)
    const security = securityOptions(this.opts.security);
    const limits = slowClientLimits(security);
    const server = createServer(limits, app);
    this.hub = await LiveHub.start(server, this.opts, this.opts.redisUrl);
    this.listening = await listen(server, this.opts.port, this.opts.host, 'HTTP', 'CAMPUS_HTTP_PORT');
    this.port = this.listening.port;
    this.opts.log.info(`dashboard on http://localhost:${this.port}`);
    if (!this.opts.tls) return;
    const { host, metrics, log } = this.opts;
    this.https = await listenHttps(server, this.opts.tls, { host, limits, trustProxy: security.trustProxy, metrics, log });
    this.httpsPort = this.https.port;
    this.opts.log.info(`dashboard on https://localhost:${this.httpsPort}`);
  }

  async stop(): Promise<void> {
    await this.hub?.close();
    await Promise.all([this.listening?.close(), this.https?.close()]);
    await photoStoreOf(this.opts).close();
    this.hub = this.listening = this.https = undefined;
  }

  health(): PartHealth {
    return this.listening
      ? { ok: true, port: this.port, ...(this.https ? { httpsPort: this.httpsPort } : {}) }
      : { ok: false, detail: 'dashboard is not listening' };
  }
}
