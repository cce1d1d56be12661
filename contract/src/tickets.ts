/**
 * Repair tickets (报修单) as the API and the socket show them (docs/developing/domain-rules.md "Repair tickets").
 * One open ticket per (device, condition); repeats update it and count occurrences.
 */
export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TRADES = ['plumber', 'electrician', 'canteen', 'office'] as const;
export type Trade = (typeof TRADES)[number];

/** repair: someone must fix something; notice: waste or a habit to correct (人走灯灭); planning: capacity */
export const TICKET_CATEGORIES = ['repair', 'notice', 'planning'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_STATUSES = ['open', 'acknowledged', 'in_progress', 'resolved', 'reopened'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_ACTIONS = ['ack', 'start', 'resolve', 'reopen'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Which states each staff action may leave from, and where it goes. */
export const TICKET_TRANSITIONS: Readonly<Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }>> = Object.freeze({
  ack: { from: ['open', 'reopened'], to: 'acknowledged' },
  start: { from: ['open', 'reopened', 'acknowledged'], to: 'in_progress' },
  resolve: { from: ['open', 'reopened', 'acknowledged', 'in_progress'], to: 'resolved' },
  reopen: { from: ['resolved'], to: 'reopened' },
});

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.freeze({ critical: 3, major: 2, minor: 1, info: 0 });

export const SEVERITY_LABELS_ZH: Readonly<Record<Severity, string>> = Object.freeze({ critical: '紧急', major: '重要', minor: '一般', info: '提示' });
export const TRADE_LABELS_ZH: Readonly<Record<Trade, string>> = Object.freeze({ plumber: '水工', electrician: '电工', canteen: '食堂', office: '总务处' });
export const STATUS_LABELS_ZH: Readonly<Record<TicketStatus, string>> = Object.freeze({
  open: '待处理',
  acknowledged: '已确认',
  in_progress: '维修中',
  resolved: '已解决',
  reopened: '重新打开',
});

export interface EvidencePoint {
  ts: number;
  /** the value the rule looked at, e.g. flow in m³/h or load in % */
  value: number;
  unit: string;
}

export interface TicketLocation {
  building: string;
  buildingName: string;
  floor: number | null;
  room: string | null;
  roomName: string | null;
}

export interface Ticket {
  id: number;
  siteId: string;
  deviceId: string;
  deviceName: string;
  condition: string;
  title: string;
  summary: string;
  severity: Severity;
  trade: Trade;
  category: TicketCategory;
  location: TicketLocation;
  classId: string | null;
  status: TicketStatus;
  openedAt: string;
  lastAt: string;
  occurrences: number;
  /** when the condition last went away by itself; a person still resolves the ticket */
  clearedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  escalatedAt: string | null;
  evidence: EvidencePoint[];
  details: Record<string, unknown>;
}

export interface TicketAuditEntry {
  at: string;
  actor: string;
  action: 'opened' | 'updated' | 'recurred' | 'cleared' | 'escalated' | TicketAction;
  note: string | null;
}

/**
 * What happened to a ticket, as notifications tell it (README "Notifications"): opened, its
 * severity rose, escalated (critical and unacknowledged), resolved by a person.
 */
export const TICKET_EVENT_TYPES = ['opened', 'upgraded', 'escalated', 'resolved'] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export interface TicketEvent {
  type: TicketEventType;
  /** the ticket after the change */
  ticket: Ticket;
  /** when it happened, epoch ms */
  at: number;
  /** escalated: minutes since the ticket opened */
  unacknowledgedMinutes?: number;
}
