/**
 * The repairs desk as a dashboard in a process of its own sees it: tickets read from campus.db
 * read-only (the ticket store, the file the owning process writes), staff actions sent over the bus
 * to that process and answered there (desk-server.ts), and every change heard from it as it
 * happens — nothing is written here and nothing polls.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { repairsCommandsTopic, repairsEventsTopic, repairsTicketsTopic, repliesTopic, type Ticket, type TicketAction, type TicketEvent } from '@campus/contract';
import { openDb, type Bus, type Db, type Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import type { DeskCommand, DeskReply, RepairsDesk, TicketWithAudit } from './desk.ts';
import { TicketError, TicketService } from './ticket-service.ts';
import { TicketStore, type TicketQuery } from './ticket-store.ts';

export interface RemoteDeskOptions {
  bus: Bus;
  /** campus.db of the owning process */
  dbFile: string;
  campuses: readonly Campus[];
  /** this dashboard's name on the bus (its replies come to campus-ops/replies/{replyTo}) */
  replyTo: string;
  log: Log;
  /** how long an action waits for the owning process; default 10 s */
  timeoutMs?: number;
}

export class RemoteDesk extends EventEmitter<{ ticket: [Ticket]; event: [TicketEvent] }> implements RepairsDesk {
  readonly heardEverywhere = true;
  private reader?: { db: Db; tickets: TicketService };
  private readonly waiting = new Map<string, { resolve: (r: DeskReply) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly opts: RemoteDeskOptions) {
    super();
  }

  /** Subscribes to the owning process's replies and changes. */
  async start(): Promise<void> {
    const { bus } = this.opts;
    await bus.subscribe(repliesTopic(this.opts.replyTo), (body) => {
      const reply = body as DeskReply;
      const w = this.waiting.get(reply?.id);
      if (!w) return;
      clearTimeout(w.timer);
      this.waiting.delete(reply.id);
      w.resolve(reply);
    });
    for (const campus of this.opts.campuses) {
      await bus.subscribe(repairsTicketsTopic(campus.site.id), (body) => this.emit('ticket', body as Ticket));
      await bus.subscribe(repairsEventsTopic(campus.site.id), (body) => this.emit('event', body as TicketEvent));
    }
  }

  /** The ticket store on the owning process's file, once that process has created it. */
  private read(): TicketService | undefined {
    if (!this.reader && existsSync(this.opts.dbFile)) {
      const db = openDb(this.opts.dbFile, { readonly: true });
      this.reader = { db, tickets: new TicketService(new TicketStore(db), this.opts.campuses, this.opts.log) };
    }
    return this.reader?.tickets;
  }

  list(q?: TicketQuery): Ticket[] {
    return this.read()?.list(q) ?? [];
  }

  get(id: number): TicketWithAudit | undefined {
    return this.read()?.get(id);
  }

  async act(ticketId: number, action: TicketAction, actor: string, note: string | undefined): Promise<Ticket> {
    // the site's desk is in the process that reads the site
    const siteId = this.get(ticketId)?.siteId;
    if (!siteId) throw new TicketError(404, `no ticket ${ticketId}`);
    const id = randomUUID();
    const command: DeskCommand = { id, replyTo: this.opts.replyTo, ticketId, action, actor, ...(note === undefined ? {} : { note }) };
    const reply = await new Promise<DeskReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new TicketError(503, 'the process that keeps the tickets (ingest) did not answer; try again in a moment'));
      }, this.opts.timeoutMs ?? 10_000);
      this.waiting.set(id, { resolve, timer });
      this.opts.bus.publish(repairsCommandsTopic(siteId), command).catch((err: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new TicketError(503, `cannot reach the broker: ${(err as Error).message}`));
      });
    });
    if (!reply.ok) throw new TicketError(reply.status as TicketError['status'], reply.message);
    return reply.ticket;
  }

  stop(): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.resolve({ id, ok: false, status: 503, message: 'the dashboard is stopping' });
    }
    this.waiting.clear();
    if (this.reader?.db.open) this.reader.db.close();
    this.reader = undefined;
  }

  // the repair desk's requests (issue 19): being built in this session; until then they refuse
  change(_id: number, _change: import('@campus/contract').TicketChange, _actor: string): never {
    throw new TicketError(503, 'not available yet');
  }
  report(_r: import('@campus/contract').PersonReport): never {
    throw new TicketError(503, 'not available yet');
  }
  track(_token: string): undefined {
    return undefined;
  }
  reporterAct(_token: string, _a: import('@campus/contract').ReporterAction): never {
    throw new TicketError(503, 'not available yet');
  }
}
