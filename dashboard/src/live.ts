/**
 * Live updates over socket.io. Readings are coalesced: each flush (every `flushMs`) sends the
 * newest reading of every device that reported since the last one, so a browser's load does not
 * grow with the message rate.
 *
 * Several dashboards behind a load balancer (CAMPUS_DASHBOARD_REDIS_URL): the socket.io Redis
 * adapter carries what happens on one instance to the browsers of every instance: ticket changes
 * (staff act through one instance). Readings and statuses each instance derives from the store
 * itself, so they go to its own sockets only (`io.local`): otherwise a browser would get one copy
 * per instance.
 */
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server as SocketServer } from 'socket.io';
import { CampusError } from '@campus/runtime';
import type { Reading } from '@campus/contract';
import type { Ticket } from '@campus/contract';
import type { StatusChange } from '@campus/store';
import type { RepairsDesk } from '@campus/repairs';
import type { DashboardDeps } from './deps.ts';
import { securityOptions } from './security/options.ts';
import { guardConnections } from './security/slow-clients.ts';
import { revalidateSockets, socketAuth, socketOriginCheck } from './security/socket-guard.ts';

export interface LiveReading {
  d: string;
  ts: number;
  v: Reading['values'];
}

export class LiveHub {
  readonly io: SocketServer;
  private readonly pending = new Map<string, LiveReading>();
  private readonly timer: NodeJS.Timeout;
  private readonly onReadings = (readings: Reading[]) => {
    for (const r of readings) {
      const prev = this.pending.get(r.deviceId);
      if (!prev || r.ts >= prev.ts) this.pending.set(r.deviceId, { d: r.deviceId, ts: r.ts, v: r.values });
    }
  };
  private readonly onStatuses = (statuses: StatusChange[]) => {
    this.io.local.emit('statuses', statuses);
  };
  /**
   * tickets go out at once (a new critical ticket must reach the wall screen fast), to every
   * instance: through the Redis adapter from the one that has the ticket service in its process,
   * or by each to its own sockets when every instance hears the repairs desk itself (split mode)
   */
  private readonly onTicket = (ticket: Ticket) => {
    if (this.tickets?.heardEverywhere) this.io.local.emit('ticket', ticket);
    else this.io.emit('ticket', ticket);
  };
  private readonly tickets?: RepairsDesk;
  private readonly stopRevalidating: () => void;
  /** the adapter's publishing and subscribing connections, with a Redis */
  private redis: Redis[] = [];

  /** A hub; with `redisUrl`, sharing events with the other instances (fails when Redis does not answer). */
  static async start(server: HttpServer, deps: DashboardDeps, redisUrl?: string): Promise<LiveHub> {
    const hub = new LiveHub(server, deps);
    try {
      if (redisUrl) await hub.useRedis(redisUrl);
    } catch (err) {
      await hub.close();
      throw err;
    }
    return hub;
  }

  constructor(
    server: HttpServer,
    private readonly deps: DashboardDeps,
    flushMs = 500,
  ) {
    const security = securityOptions(deps.security);
    // only staff sessions and display tokens, and only from pages of this server (security/socket-guard.ts)
    this.io = new SocketServer(server, {
      serveClient: true,
      transports: ['websocket', 'polling'],
      allowRequest: socketOriginCheck(deps.metrics, deps.log),
      // browsers only listen; what they may send is the CONNECT packet with a display token
      maxHttpBufferSize: security.bodyLimitBytes,
      // a connection that has not passed socketAuth within this is closed (socket.io's default: 45 s)
      connectTimeout: 10_000,
    });
    this.io.use(socketAuth(deps.auth, deps.metrics, deps.log));
    // the listener's connection caps (many idle sockets) go on with socket.io, after its request listener
    guardConnections(server, { trustProxy: security.trustProxy }, deps.metrics, deps.log);
    this.stopRevalidating = revalidateSockets(this.io, deps.auth, deps.metrics, security.socketRevalidateMs);
    deps.live.on('readings', this.onReadings);
    deps.live.on('statuses', this.onStatuses);
    this.tickets = deps.tickets();
    this.tickets?.on('ticket', this.onTicket);
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.io.local.emit('readings', batch);
  }

  /**
   * The socket.io Redis adapter on `url`. Commands wait while Redis is away (ticket events arrive
   * late rather than never, and a failed publish never throws); subscribed before this resolves.
   */
  private async useRedis(url: string): Promise<void> {
    const log = this.deps.log;
    const shown = url.replace(/\/\/[^@/]*@/, '//'); // without a password
    const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 10_000 });
    const sub = pub.duplicate();
    this.redis = [pub, sub];
    let lastError = '';
    // one line when Redis goes away, one when it is back (ioredis retries every 2 s at most)
    let down = false;
    for (const c of this.redis) {
      c.on('error', (err: Error) => {
        lastError = err.message;
        if (!down) log.warn(`redis (CAMPUS_DASHBOARD_REDIS_URL): ${err.message}; retrying`);
        down = true;
      });
      c.on('ready', () => {
        if (down) log.info('redis (CAMPUS_DASHBOARD_REDIS_URL) is back');
        down = false;
      });
      // the adapter never handles its commands' promises; ioredis rejects those still waiting for
      // Redis when the client closes, which would take the process down while it stops
      for (const command of ['publish', 'psubscribe', 'subscribe', 'punsubscribe', 'unsubscribe'] as const) {
        const send = c[command].bind(c) as (...args: unknown[]) => Promise<unknown>;
        Object.assign(c, {
          [command]: (...args: unknown[]) => {
            const reply = send(...args);
            reply.catch((err: Error) => log.debug(`redis ${command} not sent: ${err.message}`));
            return reply;
          },
        });
      }
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      this.io.adapter(createAdapter(pub, sub));
      await sub.ping(); // answered after the adapter's SUBSCRIBEs
    } catch (err) {
      throw new CampusError(
        'CAMPUS_ERR_START',
        `the dashboard's Redis at ${shown} is unreachable (CAMPUS_DASHBOARD_REDIS_URL): ${lastError || (err as Error).message}`,
        { cause: err },
      );
    }
    log.info(`live events shared with the other dashboards through Redis at ${shown}`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.stopRevalidating();
    this.deps.live.off('readings', this.onReadings);
    this.deps.live.off('statuses', this.onStatuses);
    this.tickets?.off('ticket', this.onTicket);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    for (const c of this.redis.splice(0)) c.disconnect();
  }
}
