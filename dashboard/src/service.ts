/** The dashboard as a service: HTTP server + socket.io on CAMPUS_HTTP_PORT. */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { CampusError, type PartHealth, type Service } from '@campus/runtime';
import { createDashboard } from './app.ts';
import type { DashboardDeps } from './deps.ts';
import { LiveHub } from './live.ts';

export interface DashboardOptions extends DashboardDeps {
  host: string;
  port: number;
}

export class DashboardService implements Service {
  readonly name = 'dashboard';
  private server?: Server;
  private hub?: LiveHub;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly opts: DashboardOptions) {}

  async start(): Promise<void> {
    const app = createDashboard(this.opts);
    const server = createServer(app);
    // cut idle and slow clients: a stuck browser must not hold a socket forever
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.hub = new LiveHub(server, this.opts);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new CampusError('CAMPUS_ERR_PORT_IN_USE', `HTTP port ${this.opts.port} is already in use (set CAMPUS_HTTP_PORT)`, { cause: err })
            : err,
        ),
      );
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.opts.port;
    this.opts.log.info(`dashboard on http://localhost:${this.port}`);
  }

  async stop(): Promise<void> {
    await this.hub?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of this.sockets) s.destroy();
      });
    }
  }

  health(): PartHealth {
    return this.server?.listening ? { ok: true, port: this.port } : { ok: false, detail: 'dashboard is not listening' };
  }
}
