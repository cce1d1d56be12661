/**
 * Repair tickets (报修单) as the API and the socket show them (docs/developing/domain-rules.md "Repair tickets").
 * One open ticket per (device, condition); repeats update it and count occurrences.
 */
export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** carpenter (木工): doors, windows, furniture; it (信息中心/电教): projectors, screens, the sound system */
export const TRADES = ['plumber', 'electrician', 'carpenter', 'it', 'canteen', 'office'] as const;
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
export const TRADE_LABELS_ZH: Readonly<Record<Trade, string>> = Object.freeze({
  plumber: '水工',
  electrician: '电工',
  carpenter: '木工',
  it: '电教',
  canteen: '食堂',
  office: '总务处',
});
export const STATUS_LABELS_ZH: Readonly<Record<TicketStatus, string>> = Object.freeze({
  open: '待处理',
  acknowledged: '已确认',
  in_progress: '维修中',
  resolved: '已办结',
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
  /** who opened it: a detector (subject = device, gateway, feeder) or a person (subject = the place, requests.ts) */
  source: TicketSource;
  /** a person's request: what they picked (null for a sensor's ticket) */
  reportKind: ReportKind | null;
  /** a person's request: who reported it first, as they gave it (the phone only to staff) */
  reporter: TicketReporter | null;
  /** how many people reported it (a second report of the same place and kind adds to the open one) */
  reports: number;
  /** the worker it is assigned to (a staff username), their name, since when */
  assignee: string | null;
  assigneeName: string | null;
  assignedAt: string | null;
  /** when it should be repaired by (set from the priority, changed by the office) */
  dueAt: string | null;
  photos: TicketPhoto[];
  /** what the worker wrote when resolving it, with materials and cost */
  resolution: TicketResolution | null;
  /** the reporter confirmed the repair, and how they rated it (1 to 5) */
  confirmedAt: string | null;
  rating: number | null;
  /** merged into another ticket by the office (it is resolved, and its reporters follow the other) */
  mergedInto: number | null;
}

/** The request fields of a ticket no person reported (a detector's, before anyone assigned it). */
export const REQUEST_FIELDS_NONE = Object.freeze({
  source: 'sensor',
  reportKind: null,
  reporter: null,
  reports: 0,
  assignee: null,
  assigneeName: null,
  assignedAt: null,
  dueAt: null,
  photos: [] as TicketPhoto[],
  resolution: null,
  confirmedAt: null,
  rating: null,
  mergedInto: null,
} satisfies Partial<Ticket>);

export const TICKET_SOURCES = ['sensor', 'person'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

/** What a reporter picks on the form (domain rules "Repairs reported by people"); each maps to a trade. */
export const REPORT_KINDS = ['water', 'electricity', 'doors_windows', 'furniture', 'multimedia', 'other'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_KIND_LABELS_ZH: Readonly<Record<ReportKind, string>> = Object.freeze({
  water: '水',
  electricity: '电',
  doors_windows: '门窗',
  furniture: '桌椅',
  multimedia: '多媒体',
  other: '其他',
});
/** what the form shows under each kind */
export const REPORT_KIND_HINTS_ZH: Readonly<Record<ReportKind, string>> = Object.freeze({
  water: '漏水、水龙头、马桶、下水道',
  electricity: '灯、插座、空调、停电',
  doors_windows: '门锁、门、窗、玻璃',
  furniture: '课桌椅、柜子、黑板',
  multimedia: '投影、一体机、音响、网络',
  other: '其他问题',
});
export const REPORT_KIND_TRADES: Readonly<Record<ReportKind, Trade>> = Object.freeze({
  water: 'plumber',
  electricity: 'electrician',
  doors_windows: 'carpenter',
  furniture: 'carpenter',
  multimedia: 'it',
  other: 'office',
});

/**
 * A person's request is prioritised by severity: 紧急 (critical: water running, no power in a room,
 * a hazard) answered within 30 min, 重要 (major) within one school day, 一般 (minor) within a week;
 * the office may change the due time. Minutes from the report.
 */
export const PRIORITY_DUE_MIN: Readonly<Record<Severity, number>> = Object.freeze({ critical: 30, major: 24 * 60, minor: 7 * 24 * 60, info: 7 * 24 * 60 });

export interface TicketReporter {
  name: string | null;
  /** staff only: never on the public tracking page */
  phone: string | null;
}

export interface TicketPhoto {
  id: string;
  at: string;
  /** 'reporter' or the staff username who added it */
  by: string;
  bytes: number;
}

export interface TicketResolution {
  note: string;
  materials: string | null;
  costYuan: number | null;
}

/**
 * What staff do to a ticket besides moving its status (TicketAction): every one is written in the
 * audit trail with who and when.
 */
export type TicketChange =
  /** the office assigns (or reassigns) a worker; to: null takes the assignment away */
  | { kind: 'assign'; to: string | null }
  /** a worker takes it for themselves */
  | { kind: 'take' }
  | { kind: 'comment'; note: string }
  /** the office sets the trade, the priority (severity) and the due time */
  | { kind: 'triage'; trade?: Trade; severity?: Severity; dueAt?: string | null }
  /** the office merges this ticket into another (a duplicate) */
  | { kind: 'merge'; into: number }
  /** a photo already stored (PhotoStore) is added; bytes: its size, as the photo store says */
  | { kind: 'photo'; photoId: string; bytes?: number };
export type TicketChangeKind = TicketChange['kind'];

/** Resolving may say what was used and what it cost (元). */
export interface ResolveExtras {
  materials?: string | null;
  costYuan?: number | null;
}

export interface TicketAuditEntry {
  at: string;
  actor: string;
  action:
    | 'opened'
    | 'updated'
    | 'recurred'
    | 'cleared'
    | 'escalated'
    | TicketAction
    | 'reported'
    | 'assigned'
    | 'unassigned'
    | 'taken'
    | 'commented'
    | 'triaged'
    | 'merged'
    | 'photo'
    | 'confirmed'
    | 'rated'
    | 'overdue';
  note: string | null;
}

/**
 * What happened to a ticket, as notifications tell it (README "Notifications"): opened (by a
 * detector or a person's request), its severity rose, escalated (critical and unacknowledged, or a
 * request left unassigned), resolved by a person, assigned to a worker, past its due time.
 */
export const TICKET_EVENT_TYPES = ['opened', 'upgraded', 'escalated', 'resolved', 'assigned', 'overdue'] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export interface TicketEvent {
  type: TicketEventType;
  /** the ticket after the change */
  ticket: Ticket;
  /** when it happened, epoch ms */
  at: number;
  /** escalated: minutes since the ticket opened */
  unacknowledgedMinutes?: number;
  /** assigned: the worker's staff username (the channels mention them by name where they can) */
  assignee?: string;
}
