/** The dashboard as a service: HTTP server + socket.io on CAMPUS_HTTP_PORT. */
import { createServer } from 'node:http';
import { listen, type Listening, type PartHealth, type Service } from '@campus/runtime';
import { createDashboard } from './app.ts';
import type { DashboardDeps } from './deps.ts';
import { LiveHub } from './live.ts';

export interface DashboardOptions extends DashboardDeps {
  host: string;
  port: number;
}

export class DashboardService implements Service {
  readonly name = 'dashboard';
  private listening?: Listening;
  private hub?: LiveHub;
  port = 0;

  constructor(private readonly opts: DashboardOptions) {}

  async start(): Promise<void> {
    await this.opts.auth.staff.ensureInitialAdmin(this.opts.log);
    const app = createDashboard(this.opts);
    const server = createServer(app);
    // cut idle and slow clients: a stuck browser must not hold a socket forever
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    this.hub = new LiveHub(server, this.opts);
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
