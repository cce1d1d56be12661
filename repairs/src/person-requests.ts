/**
 * Repairs reported by people (维修申报, docs/developing/domain-rules.md): a request from the public
 * form opens a ticket for its place and kind — subject `room:<siteId>/<roomId>` (a room of the
 * campus file) or `place:<siteId>/<the place as written, normalised>` (a district's schools may
 * name rooms alike), condition `request.<kind>` — so that the one open
 * ticket per (subject, condition) is the one open request per place and kind: a second report
 * while it is open adds to it (reports + 1, its photos, an audit line 'reported'). A new request
 * is 重要 (major) until the office triages it, its trade is the kind's (REPORT_KIND_TRADES), and it
 * is due PRIORITY_DUE_MIN after it was reported. Each reporter gets a tracking token of their own;
 * only its SHA-256 is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  PRIORITY_DUE_MIN,
  REPORT_KINDS,
  REPORT_KIND_LABELS_ZH,
  REPORT_KIND_TRADES,
  REQUEST_LIMITS,
  type PersonReport,
  type ReportKind,
  type ReportReceipt,
  type TicketPhoto,
} from '@campus/contract';
import { optionalText, requiredText, TicketError, type DeskCore } from './desk-core.ts';
import { NEW_TICKET_FIELDS, type TicketRecord } from './ticket-store.ts';

/** The reporter's audit name when they gave none. */
export const REPORTER = '报修人';
export const REQUEST_CONDITION_PREFIX = 'request.';
const PLACE_CHARS = 60;
/** photos a ticket keeps from all its reports and staff */
export const MAX_TICKET_PHOTOS = 20;
const PHOTO_ID = /^[\w-]{1,80}$/;
const PHONE = /^[0-9+\-() ]{3,20}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newTrackingToken = (): string => randomBytes(24).toString('base64url');

/** A photo id from a request or a staff member: letters, digits, "_" and "-". */
export function photoIdOr400(id: unknown, field: string): string {
  if (typeof id !== 'string' || !PHOTO_ID.test(id)) throw new TicketError(400, `${field} must be a photo id (letters, digits, "_", "-")`);
  return id;
}

/** "操场 东侧  水龙头" -> "操场 东侧 水龙头" (the same place written alike is one place) */
export const normalisePlace = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

interface Checked {
  siteId: string;
  kind: ReportKind;
  text: string;
  subjectId: string;
  place: string;
  reporterName: string | null;
  reporterPhone: string | null;
  photoIds: string[];
}

function checkReport(core: DeskCore, r: PersonReport): Checked {
  if (!r || typeof r !== 'object') throw new TicketError(400, 'a report is an object');
  const campus = typeof r.siteId === 'string' ? core.campus(r.siteId) : undefined;
  if (!campus) throw new TicketError(400, `siteId: no site "${String(r.siteId).slice(0, 64)}"`);
  if (!(REPORT_KINDS as readonly unknown[]).includes(r.kind)) throw new TicketError(400, `kind must be one of ${REPORT_KINDS.join(', ')}`);
  const text = requiredText(r.text, 'text', REQUEST_LIMITS.textChars, '请写一句问题描述');
  const reporterName = optionalText(r.reporterName, 'reporterName', REQUEST_LIMITS.nameChars);
  const reporterPhone = optionalText(r.reporterPhone, 'reporterPhone', REQUEST_LIMITS.phoneChars);
  if (reporterPhone && !PHONE.test(reporterPhone)) throw new TicketError(400, 'reporterPhone: digits, spaces, "+", "-" and brackets only');
  const ids = r.photoIds ?? [];
  if (!Array.isArray(ids)) throw new TicketError(400, 'photoIds must be a list');
  if (ids.length > REQUEST_LIMITS.photos) throw new TicketError(400, `photoIds: at most ${REQUEST_LIMITS.photos} photos`);
  const photoIds = [...new Set(ids.map((id, i) => photoIdOr400(id, `photoIds[${i}]`)))];
  let subjectId: string;
  let place: string;
  if (r.roomId !== null && r.roomId !== undefined) {
    const room = typeof r.roomId === 'string' ? campus.rooms.find((x) => x.id === r.roomId) : undefined;
    if (!room) throw new TicketError(400, `roomId: no room "${String(r.roomId).slice(0, 64)}" at ${campus.site.id}`);
    subjectId = roomSubject(campus.site.id, room.id);
    place = room.name;
  } else {
    place = requiredText(r.place, 'place', PLACE_CHARS, '请写明报修地点');
    subjectId = `place:${campus.site.id}/${normalisePlace(place)}`;
  }
  return { siteId: campus.site.id, kind: r.kind, text, subjectId, place, reporterName, reporterPhone, photoIds };
}

/** The request as a new ticket, or added to the open one of its place and kind. */
export function reportRequest(core: DeskCore, r: PersonReport, now: number, token = newTrackingToken()): ReportReceipt {
  const c = checkReport(core, r);
  const condition = REQUEST_CONDITION_PREFIX + c.kind;
  const photos: TicketPhoto[] = c.photoIds.map((id) => ({ id, at: new Date(now).toISOString(), by: 'reporter', bytes: 0 }));
  const actor = c.reporterName ?? REPORTER;
  let record!: TicketRecord;
  let joined = false;
  core.store.transaction(() => {
    const open = core.store.findOpen(c.subjectId, condition);
    if (open && open.siteId !== c.siteId) throw new TicketError(409, `the place ${c.subjectId} has an open ticket at another site`);
    if (open) {
      joined = true;
      record = {
        ...open,
        reports: open.reports + 1,
        lastAt: Math.max(open.lastAt, now),
        photos: [...open.photos, ...photos.filter((p) => !open.photos.some((o) => o.id === p.id))].slice(0, MAX_TICKET_PHOTOS),
        reporterName: open.reporterName ?? c.reporterName,
        reporterPhone: open.reporterPhone ?? c.reporterPhone,
      };
      core.store.update(record);
      core.store.audit(open.id, now, actor, 'reported', c.text);
    } else {
      const fresh: Omit<TicketRecord, 'id'> = {
        ...NEW_TICKET_FIELDS,
        siteId: c.siteId,
        subjectId: c.subjectId,
        condition,
        title: `${c.place.slice(0, 24)} · ${REPORT_KIND_LABELS_ZH[c.kind]}`,
        summary: c.text,
        severity: 'major',
        trade: REPORT_KIND_TRADES[c.kind],
        category: 'repair',
        openedAt: now,
        lastAt: now,
        source: 'person',
        reportKind: c.kind,
        reporterName: c.reporterName,
        reporterPhone: c.reporterPhone,
        reports: 1,
        place: c.place,
        dueAt: now + PRIORITY_DUE_MIN.major * 60_000,
        photos,
      };
      const id = core.store.insert(fresh);
      record = { id, ...fresh };
      core.store.audit(id, now, actor, 'opened', c.text);
    }
    core.store.addTracker(hashToken(token), record.id, now);
  });
  core.publish(record, joined ? [] : [{ type: 'opened', at: now }]);
  return { ticketId: record.id, trackingToken: token, joined };
}

/** The subject of the requests about a room: per site, as two schools of a district may both have a 201. */
export const roomSubject = (siteId: string, roomId: string): string => `room:${siteId}/${roomId}`;
