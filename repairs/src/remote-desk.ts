/**
 * The repairs desk as a dashboard in a process of its own sees it: tickets read from campus.db
 * read-only (the ticket store, the file the owning process writes), staff actions sent over the bus
 * to that process and answered there (desk-server.ts), and every change heard from it as it
 * happens — nothing is written here and nothing polls.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  repairsCommandsTopic,
  repairsEventsTopic,
  repairsTicketsTopic,
  repliesTopic,
  type PersonReport,
  type PublicTicket,
  type ReportReceipt,
  type ReporterAction,
  type ResolveExtras,
  type Ticket,
  type TicketAction,
  type TicketChange,
  type TicketEvent,
} from '@campus/contract';
import { openDb, type Bus, type Db, type Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import type { ActorInfo } from './desk-core.ts';
import type { DeskCommand, DeskReply, RepairsDesk, TicketWithAudit } from './desk.ts';
import { TicketError, TicketService } from './ticket-service.ts';

/** A command as sent, without the id and replyTo this desk adds. */
type Outgoing = DeskCommand extends infer C ? (C extends DeskCommand ? Omit<C, 'id' | 'replyTo'> : never) : never;
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

  async act(ticketId: number, action: TicketAction, actor: string, note: string | undefined, extras?: ResolveExtras): Promise<Ticket> {
    const materials = extras?.materials;
    const costYuan = extras?.costYuan;
    const sent = { op: 'act', ticketId, action, actor, ...(note === undefined ? {} : { note }), ...(extras ? { extras: { materials, costYuan } } : {}) } as const;
    return this.ticketReply(await this.send(this.siteOf(ticketId), sent));
  }

  async change(ticketId: number, change: TicketChange, actor: string, who: ActorInfo = {}): Promise<Ticket> {
    const sent = { op: 'change', ticketId, change, actor, who: { username: who.username, assigneeName: who.assigneeName } } as const;
    return this.ticketReply(await this.send(this.siteOf(ticketId), sent));
  }

  async report(r: PersonReport): Promise<ReportReceipt> {
    if (!this.opts.campuses.some((c) => c.site.id === r?.siteId)) throw new TicketError(400, `siteId: no site "${String(r?.siteId).slice(0, 64)}"`);
    const reply = await this.send(r.siteId, { op: 'report', report: r });
    if (!('receipt' in reply)) throw new TicketError(500, 'the desk answered a report without a receipt');
    return reply.receipt;
  }

  /** Read here, from the owning process's file: the reporter's page neither waits for the bus nor loads ingest. */
  track(token: string): PublicTicket | undefined {
    return this.read()?.track(token);
  }

  async reporterAct(token: string, action: ReporterAction): Promise<PublicTicket> {
    const ticketId = this.read()?.trackedTicketId(token);
    if (ticketId === undefined) throw new TicketError(404, 'no such tracking link');
    const reply = await this.send(this.siteOf(ticketId), { op: 'reporter', token, action });
    if (!('view' in reply)) throw new TicketError(500, 'the desk answered without the reporter\'s view');
    return reply.view;
  }

  /** the site's desk is in the process that reads the site */
  private siteOf(ticketId: number): string {
    const siteId = this.get(ticketId)?.siteId;
    if (!siteId) throw new TicketError(404, `no ticket ${ticketId}`);
    return siteId;
  }

  private ticketReply(reply: Exclude<DeskReply, { ok: false }>): Ticket {
    if (!('ticket' in reply)) throw new TicketError(500, 'the desk answered without the ticket');
    return reply.ticket;
  }

  /** Sends a command to the site's desk and waits for its answer; a refusal is thrown as the TicketError it was. */
  private async send(siteId: string, body: Outgoing): Promise<Exclude<DeskReply, { ok: false }>> {
    const id = randomUUID();
    const command = { ...body, id, replyTo: this.opts.replyTo } as DeskCommand;
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
    return reply;
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
}
