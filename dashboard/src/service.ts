/** The dashboard as a service: HTTP server + socket.io on CAMPUS_HTTP_PORT. */
import { createServer } from 'node:http';
import type { Express } from 'express';
import { listen, type Listening, type PartHealth, type Service } from '@campus/runtime';
import { createDashboard } from './app.ts';
import type { DashboardDeps } from './deps.ts';
import { LiveHub } from './live.ts';
import { securityOptions } from './security/options.ts';
import { slowClientLimits } from './security/slow-clients.ts';

export interface DashboardOptions extends DashboardDeps {
  host: string;
  port: number;
  /** CAMPUS_DASHBOARD_REDIS_URL: share live events with the other dashboards behind a load balancer (socket.io Redis adapter) */
  redisUrl?: string;
}

export class DashboardService implements Service {
  readonly name = 'dashboard';
  private listening?: Listening;
  private hub?: LiveHub;
  port = 0;
  /** the express app being served (its route table is checked by the security tests) */
  app?: Express;

  constructor(private readonly opts: DashboardOptions) {}

  async start(): Promise<void> {
    await this.opts.auth.staff.ensureInitialAdmin(this.opts.log);
    const app = (this.app = createDashboard(this.opts));
    // cut idle and slow clients: a stuck browser or a slowloris must not hold a socket (security/slow-clients.ts)
    const server = createServer(slowClientLimits(securityOptions(this.opts.security)), app);
    this.hub = await LiveHub.start(server, this.opts, this.opts.redisUrl);
    this.listening = await listen(server, this.opts.port, this.opts.host, 'HTTP', 'CAMPUS_HTTP_PORT');
    this.port = this.listening.port;
    this.opts.log.info(`dashboard on http://localhost:${this.port}`);
  }

  async stop(): Promise<void> {
    await this.hub?.close();
    await this.listening?.close();
    this.listening = undefined;
  }

  health(): PartHealth {
    return this.listening ? { ok: true, port: this.port } : { ok: false, detail: 'dashboard is not listening' };
  }
}
