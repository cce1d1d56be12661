/**
 * Repairs reported by people (维修申报): what the public form sends, and what the reporter's
 * tracking page shows (no phone numbers, no staff-only notes). Node-free: the form's bundle loads it.
 */
import type { ReportKind, Severity, TicketStatus } from './tickets.ts';

/** Limits of the public form, checked by the server (the form says them too). */
export const REQUEST_LIMITS = Object.freeze({
  textChars: 500,
  nameChars: 40,
  phoneChars: 20,
  photos: 3,
  /** one photo, after the browser has shrunk it */
  photoBytes: 3 * 1024 * 1024,
});

/** The form's request: the place comes from the room's QR code (or is written when there is none). */
export interface PersonReport {
  siteId: string;
  /** a room of the campus file; null when the reporter wrote the place */
  roomId: string | null;
  /** the place in words when there is no room (e.g. "操场东侧水龙头"); ignored with a room */
  place?: string | null;
  kind: ReportKind;
  text: string;
  reporterName?: string | null;
  reporterPhone?: string | null;
  /** photos already stored (POST /api/public/photos): at most REQUEST_LIMITS.photos */
  photoIds?: string[];
}

export interface ReportReceipt {
  ticketId: number;
  /** the reporter's secret: /r/track/{token} shows the ticket and lets them confirm and rate */
  trackingToken: string;
  /** true when the place and kind had an open ticket already: the report was added to it */
  joined: boolean;
}

/** One step the reporter sees (reported, assigned to 李师傅, a worker's note, resolved, ...). */
export interface PublicStep {
  at: string;
  /** Chinese, ready to show: "已派给 李师傅（水工）" */
  what: string;
  note: string | null;
}

export interface PublicTicket {
  id: number;
  title: string;
  kind: ReportKind | null;
  place: string;
  status: TicketStatus;
  severity: Severity;
  openedAt: string;
  dueAt: string | null;
  assigneeName: string | null;
  steps: PublicStep[];
  photoIds: string[];
  resolvedAt: string | null;
  confirmedAt: string | null;
  rating: number | null;
  /** resolved within the last 3 days and not yet confirmed: the reporter may confirm or reopen */
  canConfirm: boolean;
}

/** What the reporter may do on the tracking page. */
export type ReporterAction = { kind: 'confirm'; rating?: number | null; note?: string | null } | { kind: 'reopen'; note: string };

/** How long after a resolution the reporter may confirm or reopen (domain rules). */
export const CONFIRM_WINDOW_MS = 3 * 24 * 3600_000;
