/**
 * Repair tickets in the embedded database, with a full audit trail (who did what, when, with
 * what note). Tickets always live in SQLite, whichever store holds the readings.
 */
import { REQUEST_FIELDS_NONE, type EvidencePoint, type Severity, type Ticket, type TicketAuditEntry, type TicketCategory, type TicketLocation, type TicketStatus, type Trade } from '@campus/contract';
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
}

/** Columns under their record names: rows come out as records but for the two JSON fields. */
const COLUMNS = `id, site_id AS siteId, device_id AS subjectId, condition, title, summary, severity, trade, category, status,
  opened_at AS openedAt, last_at AS lastAt, occurrences, cleared_at AS clearedAt, acknowledged_at AS acknowledgedAt,
  acknowledged_by AS acknowledgedBy, resolved_at AS resolvedAt, resolved_by AS resolvedBy, escalated_at AS escalatedAt, evidence, details`;

type Row = Omit<TicketRecord, 'evidence' | 'details'> & { evidence: string; details: string };
const fromRow = (r: Row): TicketRecord => ({ ...r, evidence: JSON.parse(r.evidence), details: JSON.parse(r.details) });

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
    ...REQUEST_FIELDS_NONE,
  };
}

export interface TicketQuery {
  status?: 'open' | TicketStatus;
  trade?: Trade;
  deviceId?: string;
  limit?: number;
}

export class TicketStore {
  /** false on a read-only connection to a file where ingest never ran (e.g. only `sim backfill`): no tickets yet */
  private readonly present: boolean;

  constructor(private readonly db: Db) {
    migrate(db, REPAIRS_SCHEMA);
    this.present = hasTable(db, 'tickets');
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
    const result = this.db
      .prepare(
        `INSERT INTO tickets (site_id, device_id, condition, title, summary, severity, trade, category, status, opened_at, last_at, occurrences,
           cleared_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, escalated_at, evidence, details)
         VALUES (@siteId, @subjectId, @condition, @title, @summary, @severity, @trade, @category, @status, @openedAt, @lastAt, @occurrences,
           @clearedAt, @acknowledgedAt, @acknowledgedBy, @resolvedAt, @resolvedBy, @escalatedAt, @evidence, @details)`,
      )
      .run({ ...t, evidence: JSON.stringify(t.evidence), details: JSON.stringify(t.details) });
    return Number(result.lastInsertRowid);
  }

  update(t: TicketRecord): void {
    this.db
      .prepare(
        `UPDATE tickets SET title = @title, summary = @summary, severity = @severity, status = @status, last_at = @lastAt, occurrences = @occurrences,
           cleared_at = @clearedAt, acknowledged_at = @acknowledgedAt, acknowledged_by = @acknowledgedBy, resolved_at = @resolvedAt,
           resolved_by = @resolvedBy, escalated_at = @escalatedAt, evidence = @evidence, details = @details
         WHERE id = @id`,
      )
      .run({ ...t, evidence: JSON.stringify(t.evidence), details: JSON.stringify(t.details) });
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

  countOpen(): { severity: Severity; n: number }[] {
    if (!this.present) return [];
    return this.db.prepare("SELECT severity, count(*) AS n FROM tickets WHERE status <> 'resolved' GROUP BY severity").all() as {
      severity: Severity;
      n: number;
    }[];
  }
}
