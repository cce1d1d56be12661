/**
 * Live updates over socket.io. Readings are coalesced: each flush (every `flushMs`) sends the
 * newest reading of every device that reported since the last one, so a browser's load does not
 * grow with the message rate.
 */
import type { Server as HttpServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import type { Reading } from '@campus/contract';
import type { Ticket } from '@campus/contract';
import type { StatusChange, TicketService } from '@campus/ingest';
import type { DashboardDeps } from './deps.ts';
import { securityOptions } from './security/options.ts';
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
    this.io.emit('statuses', statuses);
  };
  /** tickets go out at once: a new critical ticket must reach the wall screen fast */
  private readonly onTicket = (ticket: Ticket) => {
    this.io.emit('ticket', ticket);
  };
  private readonly tickets?: TicketService;
  private readonly stopRevalidating: () => void;

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
      allowRequest: socketOriginCheck(deps.metrics),
      // browsers only listen; what they may send is the CONNECT packet with a display token
      maxHttpBufferSize: security.bodyLimitBytes,
    });
    this.io.use(socketAuth(deps.auth, deps.metrics));
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
    this.io.emit('readings', batch);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.stopRevalidating();
    this.deps.live.off('readings', this.onReadings);
    this.deps.live.off('statuses', this.onStatuses);
    this.tickets?.off('ticket', this.onTicket);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
