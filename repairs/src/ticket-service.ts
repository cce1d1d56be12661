/**
 * Turns findings into repair tickets and carries out staff actions (docs/developing/domain-rules.md "Repair tickets"):
 * - one ticket per (subject, condition) until a person resolves it; a finding while it is open
 *   updates it (severity only rises), and a finding after the condition had cleared counts as
 *   another occurrence;
 * - a cleared condition is written on the ticket ("condition cleared at 14:32"), never resolves it;
 * - critical tickets nobody acknowledged within `escalateAfterMin` are escalated (written on the
 *   ticket; @campus/notify tells the channels).
 * Emits 'ticket' with the API shape after every change, and 'event' (opened, upgraded, escalated,
 * resolved, assigned, overdue) for the notifications: each event once, from the process where it happened.
 * People's requests (person-requests.ts), staff changes besides status (ticket-changes.ts), the
 * reporter's view (reporter-view.ts) and the escalations (escalation.ts) are in files of their own.
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
  type PersonReport,
  type PublicTicket,
  type ReportReceipt,
  type ReporterAction,
  type TicketChange,
} from '@campus/contract';
import type { Campus, DeviceConfig } from '@campus/site';
import type { Log } from '@campus/runtime';
import { optionalText, TicketError, type ActorInfo, type DeskCore, type DeskEvent } from './desk-core.ts';
import { escalateTickets } from './escalation.ts';
import type { Clear, Finding, Raise } from './finding.ts';
import { newTrackingToken, reportRequest, roomSubject } from './person-requests.ts';
import { reporterAction, trackedId, trackTicket } from './reporter-view.ts';
import { applyChange } from './ticket-changes.ts';
import { NEW_TICKET_FIELDS, toTicket, type TicketQuery, type TicketRecord, type TicketStore } from './ticket-store.ts';

export { TicketError } from './desk-core.ts';

const MAX_EVIDENCE = 60;
const SYSTEM = 'system';

/** The subject of the office ticket opened when the reading database has been unreachable too long. */
export const STORAGE_SUBJECT = 'storage';

export interface TicketServiceOptions {
  /** a staff username's display name, undefined when there is no such account (the dashboard's StaffDirectory); without it the caller names the worker */
  staffName?: (username: string) => string | undefined;
  /** the clock of people's requests and the reporter's actions; default Date.now */
  now?: () => number;
  /** a new reporter's tracking token; default 24 random bytes, base64url */
  newToken?: () => string;
}

const MATERIALS_CHARS = 500;
const MAX_COST_YUAN = 1_000_000;

export class TicketService extends EventEmitter<{ ticket: [Ticket]; event: [TicketEvent] }> {
  private readonly where = new Map<string, { siteId: string; deviceName: string; location: TicketLocation; classId: string | null }>();
  private readonly core: DeskCore;
  private readonly now: () => number;

  constructor(
    private readonly store: TicketStore,
    private readonly campuses: readonly Campus[],
    private readonly log: Log,
    private readonly opts: TicketServiceOptions = {},
  ) {
    super();
    this.now = opts.now ?? Date.now;
    const bySite = new Map(campuses.map((c) => [c.site.id, c]));
    this.core = {
      store,
      campus: (siteId) => bySite.get(siteId),
      view: (r) => this.view(r),
      knowsStaff: opts.staffName !== undefined,
      staffName: (u) => opts.staffName?.(u),
      publish: (r, events = []) => this.publish(r, events),
      emitEvent: (e) => this.emit('event', e),
    };
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
      // a person's request for a room (person-requests.ts)
      for (const r of campus.rooms) {
        const classId = campus.classes.find((c) => c.room === r.id)?.id ?? null;
        this.where.set(roomSubject(campus.site.id, r.id), { siteId: campus.site.id, deviceName: r.name, location: place({ building: r.building, floor: r.floor, room: r.id }), classId });
      }
    }
    const first = campuses[0];
    if (first) {
      const location = { building: '', buildingName: '服务器', floor: null, room: null, roomName: null };
      this.where.set(STORAGE_SUBJECT, { siteId: first.site.id, deviceName: '读数数据库', location, classId: null });
    }
  }

  /** Says a committed change: 'ticket', then each event with the ticket as it now is. */
  private publish(r: TicketRecord, events: readonly DeskEvent[]): Ticket {
    const view = this.view(r);
    this.emit('ticket', view);
    for (const e of events) this.emit('event', { ...e, ticket: view });
    return view;
  }

  private view(r: TicketRecord): Ticket {
    const w = this.where.get(r.subjectId) ?? {
      deviceName: r.place ?? r.subjectId,
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
        ...NEW_TICKET_FIELDS,
        siteId,
        subjectId: f.subjectId,
        condition: f.condition,
        title: f.title,
        summary: f.summary,
        severity: f.severity,
        trade: f.trade,
        category: f.category,
        openedAt: f.at,
        lastAt: f.at,
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

  /** A staff action with its note; `resolve` needs a note, and may say the materials and the cost (元). */
  act(id: number, action: TicketAction, actor: string, note: string | undefined, extras: ResolveExtras & { at?: number } = {}): Ticket {
    const at = extras.at ?? Date.now();
    const text = optionalText(note, 'note', 2000);
    if (action === 'resolve' && !text) throw new TicketError(400, '办结需要填写处理说明 (a note is required to resolve)');
    const resolution = action === 'resolve' ? resolutionOr400(text!, extras) : undefined;
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
      if (resolution) Object.assign(updated, { resolvedAt: at, resolvedBy: actor, ...resolution });
      if (action === 'reopen') {
        Object.assign(updated, { resolvedAt: null, resolvedBy: null, resolutionNote: null, resolutionMaterials: null, resolutionCostYuan: null, confirmedAt: null, rating: null });
      }
      this.store.update(updated);
      // the materials and cost on a line of their own (the reporter sees the first line)
      const spent = resolution && [resolution.resolutionMaterials && `材料：${resolution.resolutionMaterials}`, resolution.resolutionCostYuan !== null && `费用 ${resolution.resolutionCostYuan.toFixed(2)} 元`];
      this.store.audit(id, at, actor, action, [text, spent?.filter(Boolean).join('；')].filter(Boolean).join('\n') || null);
    });
    return this.publish(updated, action === 'resolve' ? [{ type: 'resolved', at }] : []);
  }

  /** Escalates what waits too long (escalation.ts): the notifier tells the channels; call it every minute or so. */
  escalate(now = Date.now()): Ticket[] {
    return escalateTickets(this.core, this.campuses.map((c) => c.site.id), now);
  }

  countOpen(): { severity: string; n: number }[] {
    return this.store.countOpen();
  }

  /** assign, take, comment, triage, merge, add a photo (ticket-changes.ts); `who` says more of the actor (the staff API fills it) */
  change(id: number, change: TicketChange, actor: string, who: ActorInfo = {}): Ticket {
    return applyChange(this.core, id, change, actor, who);
  }

  /** A person's request (person-requests.ts). */
  report(r: PersonReport): ReportReceipt {
    return reportRequest(this.core, r, this.now(), (this.opts.newToken ?? newTrackingToken)());
  }

  /** The reporter's view by their token (reporter-view.ts). */
  track(token: string): PublicTicket | undefined {
    return trackTicket(this.core, token, this.now());
  }

  reporterAct(token: string, action: ReporterAction): PublicTicket {
    return reporterAction(this.core, token, action, this.now());
  }

  /** The id of the ticket a tracking token follows. */
  trackedTicketId(token: string): number | undefined {
    return trackedId(this.core, token);
  }
}

/** The resolution's fields from the note and the extras; 400 naming the field. */
function resolutionOr400(note: string, extras: ResolveExtras) {
  const materials = optionalText(extras.materials, 'materials', MATERIALS_CHARS);
  const cost = extras.costYuan ?? null;
  if (cost !== null && !(typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 && cost <= MAX_COST_YUAN && Math.abs(cost * 100 - Math.round(cost * 100)) < 1e-6)) {
    throw new TicketError(400, `costYuan must be 0 to ${MAX_COST_YUAN} 元 with at most 2 decimals`);
  }
  return { resolutionNote: note, resolutionMaterials: materials, resolutionCostYuan: cost === null ? null : Math.round(cost * 100) / 100 };
}

function mergeEvidence(old: EvidencePoint[], add: EvidencePoint[]): EvidencePoint[] {
  if (!add.length) return old;
  const seen = new Set(old.map((e) => e.ts));
  return [...old, ...add.filter((e) => !seen.has(e.ts))].sort((a, b) => a.ts - b.ts).slice(-MAX_EVIDENCE);
}
