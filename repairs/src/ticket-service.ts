/**
 * Turns findings into repair tickets and carries out staff actions (docs/developing/domain-rules.md "Repair tickets"):
 * - one ticket per (subject, condition) until a person resolves it; a finding while it is open
 *   updates it (severity only rises), and a finding after the condition had cleared counts as
 *   another occurrence;
 * - a cleared condition is written on the ticket ("condition cleared at 14:32"), never resolves it;
 * - critical tickets nobody acknowledged within `escalateAfterMin` are escalated (written on the
 *   ticket; @campus/notify tells the channels).
 * Emits 'ticket' with the API shape after every change, and 'event' (opened, upgraded, escalated,
 * resolved) for the notifications: each event once, from the process where it happened.
 */
import { EventEmitter } from 'node:events';
import {
  SEVERITY_RANK,
  SEVERITY_LABELS_ZH,
  TICKET_TRANSITIONS,
  type EvidencePoint,
  type Ticket,
  type TicketAction,
  type TicketEvent,
  type TicketEventType,
  type TicketLocation,
  type ResolveExtras,
} from '@campus/contract';
import type { Campus, DeviceConfig } from '@campus/site';
import type { Log } from '@campus/runtime';
import type { Clear, Finding, Raise } from './finding.ts';
import { toTicket, type TicketQuery, type TicketRecord, type TicketStore } from './ticket-store.ts';

const MAX_EVIDENCE = 60;
const SYSTEM = 'system';

export class TicketError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** The subject of the office ticket opened when the reading database has been unreachable too long. */
export const STORAGE_SUBJECT = 'storage';

export class TicketService extends EventEmitter<{ ticket: [Ticket]; event: [TicketEvent] }> {
  private readonly where = new Map<string, { siteId: string; deviceName: string; location: TicketLocation; classId: string | null }>();

  constructor(
    private readonly store: TicketStore,
    private readonly campuses: readonly Campus[],
    private readonly log: Log,
  ) {
    super();
    for (const campus of campuses) {
      const buildings = new Map(campus.buildings.map((b) => [b.id, b.name]));
      const rooms = new Map(campus.rooms.map((r) => [r.id, r.name]));
      const place = (loc: { building: string; floor?: number; room?: string }): TicketLocation => ({
        building: loc.building,
        buildingName: buildings.get(loc.building) ?? loc.building,
        floor: loc.floor ?? null,
        room: loc.room ?? null,
        roomName: loc.room ? (rooms.get(loc.room) ?? loc.room) : null,
      });
      const locate = (d: DeviceConfig) =>
        this.where.set(d.id, { siteId: campus.site.id, deviceName: d.name, location: place(d.location), classId: d.class ?? null });
      for (const d of campus.devices) locate(d);
      campus.onDeviceAdded(locate);
      for (const g of campus.gateways) this.where.set(g.id, { siteId: campus.site.id, deviceName: g.name, location: place(g.location), classId: null });
    }
    const first = campuses[0];
    if (first) {
      const location = { building: '', buildingName: '服务器', floor: null, room: null, roomName: null };
      this.where.set(STORAGE_SUBJECT, { siteId: first.site.id, deviceName: '读数数据库', location, classId: null });
    }
  }

  private view(r: TicketRecord): Ticket {
    const w = this.where.get(r.subjectId) ?? {
      deviceName: r.subjectId,
      location: { building: '', buildingName: '', floor: null, room: null, roomName: null },
      classId: null,
    };
    return toTicket(r, w);
  }

  list(q: TicketQuery = {}): Ticket[] {
    return this.store.list(q).map((r) => this.view(r));
  }

  get(id: number): (Ticket & { audit: ReturnType<TicketStore['auditTrail']> }) | undefined {
    const r = this.store.get(id);
    return r && { ...this.view(r), audit: this.store.auditTrail(id) };
  }

  /** Applies detector findings; returns the tickets that changed. */
  apply(findings: readonly Finding[]): Ticket[] {
    const changed: TicketRecord[] = [];
    const happened = new Map<number, { type: TicketEventType; at: number }>();
    this.store.transaction(() => {
      for (const f of findings) {
        const r = f.active ? this.raise(f, happened) : this.clear(f);
        if (r) changed.push(r);
      }
    });
    const views = changed.map((r) => this.view(r));
    for (const t of views) this.emit('ticket', t);
    // one event per ticket and batch, with the ticket as the batch left it
    const latest = new Map(views.map((t) => [t.id, t]));
    for (const [id, { type, at }] of happened) this.emit('event', { type, ticket: latest.get(id)!, at });
    return views;
  }

  private raise(f: Raise, happened: Map<number, { type: TicketEventType; at: number }>): TicketRecord | undefined {
    const siteId = this.where.get(f.subjectId)?.siteId ?? '';
    const open = this.store.findOpen(f.subjectId, f.condition);
    if (!open) {
      const record: Omit<TicketRecord, 'id'> = {
        siteId,
        subjectId: f.subjectId,
        condition: f.condition,
        title: f.title,
        summary: f.summary,
        severity: f.severity,
        trade: f.trade,
        category: f.category,
        status: 'open',
        openedAt: f.at,
        lastAt: f.at,
        occurrences: 1,
        clearedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
        resolvedBy: null,
        escalatedAt: null,
        evidence: (f.evidence ?? []).slice(-MAX_EVIDENCE),
        details: f.details ?? {},
      };
      const id = this.store.insert(record);
      this.store.audit(id, f.at, SYSTEM, 'opened', f.summary);
      happened.set(id, { type: 'opened', at: f.at });
      return { id, ...record };
    }
    const next: TicketRecord = {
      ...open,
      title: f.title,
      summary: f.summary,
      lastAt: Math.max(open.lastAt, f.at),
      evidence: mergeEvidence(open.evidence, f.evidence ?? []),
      details: { ...open.details, ...f.details },
    };
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[open.severity]) {
      next.severity = f.severity;
      this.store.audit(open.id, f.at, SYSTEM, 'updated', `升级为${SEVERITY_LABELS_ZH[f.severity]}：${f.summary}`);
      if (!happened.has(open.id)) happened.set(open.id, { type: 'upgraded', at: f.at });
    }
    if (open.clearedAt !== null) {
      next.clearedAt = null;
      next.occurrences = open.occurrences + 1;
      this.store.audit(open.id, f.at, SYSTEM, 'recurred', f.summary);
    }
    this.store.update(next);
    return next;
  }

  private clear(f: Clear): TicketRecord | undefined {
    const open = this.store.findOpen(f.subjectId, f.condition);
    if (!open || open.clearedAt !== null) return undefined;
    const next = { ...open, clearedAt: f.at, lastAt: Math.max(open.lastAt, f.at) };
    this.store.update(next);
    this.store.audit(open.id, f.at, SYSTEM, 'cleared', f.summary || '条件已消除，请现场确认后办结');
    return next;
  }

  /** A staff action with its note; `resolve` needs a note. */
  act(id: number, action: TicketAction, actor: string, note: string | undefined, extras: ResolveExtras & { at?: number } = {}): Ticket {
    const at = extras.at ?? Date.now();
    const text = note?.trim() || null;
    if (action === 'resolve' && !text) throw new TicketError(400, '办结需要填写处理说明 (a note is required to resolve)');
    if (text && text.length > 2000) throw new TicketError(400, 'the note is longer than 2000 characters');
    let updated!: TicketRecord;
    this.store.transaction(() => {
      const t = this.store.get(id);
      if (!t) throw new TicketError(404, `no ticket ${id}`);
      const rule = TICKET_TRANSITIONS[action];
      if (!rule.from.includes(t.status)) throw new TicketError(409, `cannot ${action} a ticket that is ${t.status}`);
      if (action === 'reopen' && this.store.findOpen(t.subjectId, t.condition)) {
        throw new TicketError(409, `ticket ${this.store.findOpen(t.subjectId, t.condition)!.id} is already open for this device and condition`);
      }
      updated = { ...t, status: rule.to };
      if (action === 'ack' || (action === 'start' && t.acknowledgedAt === null)) {
        updated.acknowledgedAt = at;
        updated.acknowledgedBy = actor;
      }
      if (action === 'resolve') {
        updated.resolvedAt = at;
        updated.resolvedBy = actor;
      }
      if (action === 'reopen') {
        updated.resolvedAt = null;
        updated.resolvedBy = null;
      }
      this.store.update(updated);
      this.store.audit(id, at, actor, action, text);
    });
    const view = this.view(updated);
    this.emit('ticket', view);
    if (action === 'resolve') this.emit('event', { type: 'resolved', ticket: view, at });
    return view;
  }

  /** Escalates critical tickets left unacknowledged (the notifier tells the channels); call it every minute or so. */
  escalate(now = Date.now()): Ticket[] {
    const out: Ticket[] = [];
    for (const campus of this.campuses) {
      for (const t of this.store.dueForEscalation(now - campus.notifications.escalateAfterMin * 60_000)) {
        if (t.siteId !== campus.site.id) continue;
        const next = { ...t, escalatedAt: now };
        const unacknowledgedMinutes = Math.round((now - t.openedAt) / 60_000);
        this.store.transaction(() => {
          this.store.update(next);
          this.store.audit(t.id, now, SYSTEM, 'escalated', `紧急报修单 ${unacknowledgedMinutes} 分钟无人确认，已升级通知`);
        });
        const view = this.view(next);
        this.emit('ticket', view);
        this.emit('event', { type: 'escalated', ticket: view, at: now, unacknowledgedMinutes });
        out.push(view);
      }
    }
    return out;
  }

  countOpen(): { severity: string; n: number }[] {
    return this.store.countOpen();
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

function mergeEvidence(old: EvidencePoint[], add: EvidencePoint[]): EvidencePoint[] {
  if (!add.length) return old;
  const seen = new Set(old.map((e) => e.ts));
  return [...old, ...add.filter((e) => !seen.has(e.ts))].sort((a, b) => a.ts - b.ts).slice(-MAX_EVIDENCE);
}
