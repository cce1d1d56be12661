/**
 * /metrics (and /health) of a part that runs in a process of its own (`npm run start:broker`,
 * `start:ingest`), for Prometheus to scrape: under `npm start` the dashboard serves the one
 * registry of the process, but a split deployment has a registry per process. A port already taken
 * is a warning, not a failed start: the part's work matters more than its figures.
 */
import { createServer } from 'node:http';
import { CampusError } from './errors.ts';
import { listen, type Listening } from './listen.ts';
import type { Log } from './log.ts';
import type { MetricsRegistry } from './metrics.ts';
import type { PartHealth, Service } from './service.ts';

export interface MetricsServerOptions {
  /** the part whose figures these are (its name in the log) */
  part: string;
  host: string;
  port: number | 'off';
  /** the knob that sets the port, for the messages */
  knob: string;
  metrics: MetricsRegistry;
  health: () => Record<string, PartHealth>;
  log: Log;
}

export class MetricsServer implements Service {
  readonly name = 'metrics';
  private listening?: Listening;

  constructor(private readonly opts: MetricsServerOptions) {}

  get port(): number | undefined {
    return this.listening?.port;
  }

  async start(): Promise<void> {
    const { port, host, log } = this.opts;
    if (port === 'off') return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        return void res.end(this.opts.metrics.render());
      }
      if (path === '/health') {
        const parts = this.opts.health();
        const failing = Object.entries(parts).filter(([, h]) => !h.ok);
        res.writeHead(failing.length ? 503 : 200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ status: failing.length ? 'failing' : 'ok', parts }));
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics or /health\n');
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    try {
      this.listening = await listen(server, port, host, `${this.opts.part} metrics`, this.opts.knob);
    } catch (err) {
      if (err instanceof CampusError && err.code === 'CAMPUS_ERR_PORT_IN_USE') {
        log.warn(`${err.message}: ${this.opts.part} runs without /metrics`);
        return;
      }
      throw err;
    }
    log.info(`${this.opts.part} metrics on http://${host}:${this.listening.port}/metrics`, { metricsPort: this.listening.port });
  }

  async stop(): Promise<void> {
    await this.listening?.close();
    this.listening = undefined;
  }
}
