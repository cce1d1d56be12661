/**
 * Repair tickets in the embedded database, with a full audit trail (who did what, when, with
 * what note). Tickets always live in SQLite, whichever store holds the readings.
 */
import type {
  EvidencePoint,
  ReportKind,
  Severity,
  Ticket,
  TicketAuditEntry,
  TicketCategory,
  TicketLocation,
  TicketPhoto,
  TicketSource,
  TicketStatus,
  Trade,
} from '@campus/contract';
import { hasTable, migrate, type Db } from '@campus/runtime';
import { REPAIRS_SCHEMA } from './schema.ts';

export interface TicketRecord {
  id: number;
  siteId: string;
  subjectId: string;
  condition: string;
  title: string;
  summary: string;
  severity: Severity;
  trade: Trade;
  category: TicketCategory;
  status: TicketStatus;
  openedAt: number;
  lastAt: number;
  occurrences: number;
  clearedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  escalatedAt: number | null;
  evidence: EvidencePoint[];
  details: Record<string, unknown>;
  source: TicketSource;
  reportKind: ReportKind | null;
  reporterName: string | null;
  reporterPhone: string | null;
  reports: number;
  /** a person's request: the place as shown (the room's name, or what the reporter wrote) */
  place: string | null;
  assignee: string | null;
  assigneeName: string | null;
  assignedAt: number | null;
  dueAt: number | null;
  /** when the ticket was said to be overdue (once) */
  overdueAt: number | null;
  photos: TicketPhoto[];
  resolutionNote: string | null;
  resolutionMaterials: string | null;
  resolutionCostYuan: number | null;
  confirmedAt: number | null;
  rating: number | null;
  mergedInto: number | null;
}

/** What every new ticket starts with: open, once, nobody on it yet; a detector's (migration 2's defaults) unless said otherwise. */
export const NEW_TICKET_FIELDS = Object.freeze({
  status: 'open',
  occurrences: 1,
  clearedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  escalatedAt: null,
  evidence: [] as EvidencePoint[],
  details: {} as Record<string, unknown>,
  source: 'sensor',
  reportKind: null,
  reporterName: null,
  reporterPhone: null,
  reports: 0,
  place: null,
  assignee: null,
  assigneeName: null,
  assignedAt: null,
  dueAt: null,
  overdueAt: null,
  photos: [] as TicketPhoto[],
  resolutionNote: null,
  resolutionMaterials: null,
  resolutionCostYuan: null,
  confirmedAt: null,
  rating: null,
  mergedInto: null,
} satisfies Partial<TicketRecord>);

/** Record fields and their columns (snake_case); the three JSON fields are text in the row. */
const FIELDS = [
  ['id', 'id'],
  ['siteId', 'site_id'],
  ['subjectId', 'device_id'],
  ['condition', 'condition'],
  ['title', 'title'],
  ['summary', 'summary'],
  ['severity', 'severity'],
  ['trade', 'trade'],
  ['category', 'category'],
  ['status', 'status'],
  ['openedAt', 'opened_at'],
  ['lastAt', 'last_at'],
  ['occurrences', 'occurrences'],
  ['clearedAt', 'cleared_at'],
  ['acknowledgedAt', 'acknowledged_at'],
  ['acknowledgedBy', 'acknowledged_by'],
  ['resolvedAt', 'resolved_at'],
  ['resolvedBy', 'resolved_by'],
  ['escalatedAt', 'escalated_at'],
  ['evidence', 'evidence'],
  ['details', 'details'],
  ['source', 'source'],
  ['reportKind', 'report_kind'],
  ['reporterName', 'reporter_name'],
  ['reporterPhone', 'reporter_phone'],
  ['reports', 'reports'],
  ['place', 'place'],
  ['assignee', 'assignee'],
  ['assigneeName', 'assignee_name'],
  ['assignedAt', 'assigned_at'],
  ['dueAt', 'due_at'],
  ['overdueAt', 'overdue_at'],
  ['photos', 'photos'],
  ['resolutionNote', 'resolution_note'],
  ['resolutionMaterials', 'resolution_materials'],
  ['resolutionCostYuan', 'resolution_cost_yuan'],
  ['confirmedAt', 'confirmed_at'],
  ['rating', 'rating'],
  ['mergedInto', 'merged_into'],
] as const satisfies readonly (readonly [keyof TicketRecord, string])[];
const JSON_FIELDS = ['evidence', 'details', 'photos'] as const;

const COLUMNS = FIELDS.map(([f, c]) => (f === c ? c : `${c} AS ${f}`)).join(', ');
/** what insert writes, and what update changes (the subject, condition, site and opening stay) */
const WRITTEN = FIELDS.filter(([f]) => f !== 'id');
const FIXED = new Set<string>(['siteId', 'subjectId', 'condition', 'openedAt', 'category']);
const INSERT_SQL = `INSERT INTO tickets (${WRITTEN.map(([, c]) => c).join(', ')}) VALUES (${WRITTEN.map(([f]) => '@' + f).join(', ')})`;
const UPDATE_SQL = `UPDATE tickets SET ${WRITTEN.filter(([f]) => !FIXED.has(f))
  .map(([f, c]) => `${c} = @${f}`)
  .join(', ')} WHERE id = @id`;

type Row = Omit<TicketRecord, (typeof JSON_FIELDS)[number]> & Record<(typeof JSON_FIELDS)[number], string>;
const fromRow = (r: Row): TicketRecord => ({ ...r, evidence: JSON.parse(r.evidence), details: JSON.parse(r.details), photos: JSON.parse(r.photos) });
const toRow = (t: Omit<TicketRecord, 'id'> & { id?: number }) => ({
  ...t,
  evidence: JSON.stringify(t.evidence),
  details: JSON.stringify(t.details),
  photos: JSON.stringify(t.photos),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API shape of a ticket. */
export function toTicket(r: TicketRecord, where: { deviceName: string; location: TicketLocation; classId: string | null }): Ticket {
  return {
    id: r.id,
    siteId: r.siteId,
    deviceId: r.subjectId,
    deviceName: where.deviceName,
    condition: r.condition,
    title: r.title,
    summary: r.summary,
    severity: r.severity,
    trade: r.trade,
    category: r.category,
    location: where.location,
    classId: where.classId,
    status: r.status,
    openedAt: iso(r.openedAt)!,
    lastAt: iso(r.lastAt)!,
    occurrences: r.occurrences,
    clearedAt: iso(r.clearedAt),
    acknowledgedAt: iso(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    resolvedAt: iso(r.resolvedAt),
    resolvedBy: r.resolvedBy,
    escalatedAt: iso(r.escalatedAt),
    evidence: r.evidence,
    details: r.details,
    source: r.source,
    reportKind: r.reportKind,
    reporter: r.source === 'person' ? { name: r.reporterName, phone: r.reporterPhone } : null,
    reports: r.reports,
    assignee: r.assignee,
    assigneeName: r.assigneeName,
    assignedAt: iso(r.assignedAt),
    dueAt: iso(r.dueAt),
    photos: r.photos,
    resolution: r.resolutionNote === null ? null : { note: r.resolutionNote, materials: r.resolutionMaterials, costYuan: r.resolutionCostYuan },
    confirmedAt: iso(r.confirmedAt),
    rating: r.rating,
    mergedInto: r.mergedInto,
  };
}

export interface TicketQuery {
  status?: 'open' | TicketStatus;
  trade?: Trade;
  deviceId?: string;
  /** who opened it: a detector or a person */
  source?: TicketSource;
  /** assigned to this staff username */
  assignee?: string;
  /** assigned to nobody */
  unassigned?: boolean;
  limit?: number;
}

export class TicketStore {
  /** false on a read-only connection to a file whose owner has not created (or upgraded) the tables yet: no tickets yet */
  private ready = false;

  constructor(private readonly db: Db) {
    migrate(db, REPAIRS_SCHEMA);
  }

  /** Looked at again until the owning process has migrated the file (a read-only connection migrates nothing). */
  private get present(): boolean {
    return (this.ready ||= hasTable(this.db, 'ticket_trackers'));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** The ticket not yet resolved for (subject, condition), if any. */
  findOpen(subjectId: string, condition: string): TicketRecord | undefined {
    if (!this.present) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM tickets WHERE device_id = ? AND condition = ? AND status <> 'resolved'`).get(subjectId, condition) as
      Row | undefined;
    return row && fromRow(row);
  }

  get(id: number): TicketRecord | undefined {
    if (!this.present) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM tickets WHERE id = ?`).get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** status "open" means every ticket not yet resolved. */
  list(q: TicketQuery = {}): TicketRecord[] {
    if (!this.present) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status === 'open') where.push("status <> 'resolved'");
    else if (q.status) (where.push('status = ?'), params.push(q.status));
    if (q.trade) (where.push('trade = ?'), params.push(q.trade));
    if (q.deviceId) (where.push('device_id = ?'), params.push(q.deviceId));
    if (q.source) (where.push('source = ?'), params.push(q.source));
    if (q.assignee) (where.push('assignee = ?'), params.push(q.assignee));
    if (q.unassigned) where.push('assignee IS NULL');
    const sql = `SELECT ${COLUMNS} FROM tickets ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, q.limit ?? 500) as Row[]).map(fromRow);
  }

  /** Every ticket opened in [from, to), oldest first (the term report). */
  openedBetween(from: number, to: number): TicketRecord[] {
    if (!this.present) return [];
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM tickets WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id`).all(from, to) as Row[];
    return rows.map(fromRow);
  }

  insert(t: Omit<TicketRecord, 'id'>): number {
    return Number(this.db.prepare(INSERT_SQL).run(toRow(t)).lastInsertRowid);
  }

  update(t: TicketRecord): void {
    this.db.prepare(UPDATE_SQL).run(toRow(t));
  }

  audit(ticketId: number, at: number, actor: string, action: TicketAuditEntry['action'], note: string | null): void {
    this.db.prepare('INSERT INTO ticket_events (ticket_id, at, actor, action, note) VALUES (?, ?, ?, ?, ?)').run(ticketId, at, actor, action, note);
  }

  auditTrail(ticketId: number): TicketAuditEntry[] {
    if (!this.present) return [];
    const rows = this.db.prepare('SELECT at, actor, action, note FROM ticket_events WHERE ticket_id = ? ORDER BY id').all(ticketId) as {
      at: number;
      actor: string;
      action: TicketAuditEntry['action'];
      note: string | null;
    }[];
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, note: r.note }));
  }

  /** Critical tickets nobody has acknowledged since `openedBefore`, not yet escalated. */
  dueForEscalation(openedBefore: number): TicketRecord[] {
    if (!this.present) return [];
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM tickets WHERE severity = 'critical' AND status IN ('open', 'reopened') AND escalated_at IS NULL AND opened_at <= ?`)
      .all(openedBefore) as Row[];
    return rows.map(fromRow);
  }

  /** Tickets not yet resolved whose due time has passed by `now` and that were not yet said to be overdue. */
  dueForOverdue(now: number): TicketRecord[] {
    if (!this.present) return [];
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM tickets WHERE status <> 'resolved' AND overdue_at IS NULL AND due_at <= ?`).all(now) as Row[];
    return rows.map(fromRow);
  }

  /** People's requests nobody was assigned to since `openedBefore`, not yet escalated. */
  dueForUnassigned(openedBefore: number): TicketRecord[] {
    if (!this.present) return [];
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM tickets WHERE source = 'person' AND status <> 'resolved' AND assignee IS NULL AND escalated_at IS NULL AND opened_at <= ?`)
      .all(openedBefore) as Row[];
    return rows.map(fromRow);
  }

  /** Keeps a reporter's tracking token (its SHA-256 only). */
  addTracker(tokenSha256: string, ticketId: number, at: number): void {
    this.db.prepare('INSERT INTO ticket_trackers (token_sha256, ticket_id, created_at) VALUES (?, ?, ?)').run(tokenSha256, ticketId, at);
  }

  /** The ticket a tracking token's hash follows. */
  trackedTicket(tokenSha256: string): number | undefined {
    if (!this.present) return undefined;
    const row = this.db.prepare('SELECT ticket_id AS id FROM ticket_trackers WHERE token_sha256 = ?').get(tokenSha256) as { id: number } | undefined;
    return row?.id;
  }

  /** A merged ticket's reporters follow the ticket it was merged into. */
  moveTrackers(fromTicket: number, toTicket: number): void {
    this.db.prepare('UPDATE ticket_trackers SET ticket_id = ? WHERE ticket_id = ?').run(toTicket, fromTicket);
  }

  countOpen(): { severity: Severity; n: number }[] {
    if (!this.present) return [];
    return this.db.prepare("SELECT severity, count(*) AS n FROM tickets WHERE status <> 'resolved' GROUP BY severity").all() as {
      severity: Severity;
      n: number;
    }[];
  }
}
