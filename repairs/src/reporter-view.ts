/**
 * The reporter's side of a request (维修申报): the tracking page's view of their ticket, by the
 * token of their receipt, and their confirmation (with a rating) or reopening within
 * CONFIRM_WINDOW_MS of the resolution. The view has no phone numbers and no staff usernames: the
 * worker by their display name only. The workers' comments ARE shown to the reporter, as steps
 * ("李师傅：需要更换阀芯"): staff write them knowing that.
 */
import {
  CONFIRM_WINDOW_MS,
  PRIORITY_DUE_MIN,
  type PublicStep,
  type PublicTicket,
  type ReporterAction,
  type TicketAuditEntry,
} from '@campus/contract';
import { optionalText, requiredText, TicketError, type DeskCore } from './desk-core.ts';
import { hashToken, REPORTER } from './person-requests.ts';
import type { TicketRecord } from './ticket-store.ts';

const TOKEN = /^[\w-]{16,128}$/;
const REOPEN_CHARS = 500;

/** What the reporter reads for each audit line (null: not shown to them). */
function step(a: TicketAuditEntry): PublicStep | null {
  const s = (what: string, note: string | null = null): PublicStep => ({ at: a.at, what, note });
  switch (a.action) {
    case 'opened':
      return s('已受理');
    case 'reported':
      return s('又有人报告了这个问题');
    case 'assigned':
      return s(`已派给 ${a.note}`);
    case 'taken':
      return s(`${a.note} 已接单`);
    case 'unassigned':
      return s('正在重新安排维修人员');
    case 'ack':
      return s('维修人员已收到');
    case 'start':
      return s('正在维修', a.note);
    case 'commented':
      return s(`${a.actor}：${a.note}`);
    case 'triaged':
      return s('已调整处理安排', a.note);
    case 'photo':
      return s('添加了照片');
    case 'merged':
      return a.note?.startsWith('合并了') ? s('与相同的报修合并') : null;
    case 'resolve':
      // its first line: the materials and cost are the office's
      return s('已修好', a.note?.split('\n')[0] ?? null);
    case 'reopen':
      return s(a.actor === REPORTER ? '报修人反映没有修好，重新处理' : '重新处理', a.note);
    case 'confirmed':
      return s('报修人已确认修好', a.note);
    case 'escalated':
    case 'overdue':
      return s('已提醒总务处尽快处理');
    default:
      return null;
  }
}

function canConfirm(t: TicketRecord, now: number): boolean {
  return t.status === 'resolved' && t.mergedInto === null && t.confirmedAt === null && t.resolvedAt !== null && now - t.resolvedAt <= CONFIRM_WINDOW_MS;
}

/** The ticket a tracking token follows (a merged ticket's reporters follow the one it went into). */
export function trackedId(core: DeskCore, token: string): number | undefined {
  return typeof token === 'string' && TOKEN.test(token) ? core.store.trackedTicket(hashToken(token)) : undefined;
}

function ticketOf(core: DeskCore, token: string): TicketRecord | undefined {
  const id = trackedId(core, token);
  return id === undefined ? undefined : core.store.get(id);
}

function publicView(core: DeskCore, t: TicketRecord, now: number): PublicTicket {
  const view = core.view(t);
  return {
    id: t.id,
    title: t.title,
    kind: t.reportKind,
    place: t.place ?? view.location.roomName ?? view.deviceName,
    status: t.status,
    severity: t.severity,
    openedAt: view.openedAt,
    dueAt: view.dueAt,
    assigneeName: t.assigneeName,
    steps: core.store.auditTrail(t.id).flatMap((a) => step(a) ?? []),
    photoIds: t.photos.map((p) => p.id),
    resolvedAt: view.resolvedAt,
    confirmedAt: view.confirmedAt,
    rating: t.rating,
    canConfirm: canConfirm(t, now),
  };
}

export function trackTicket(core: DeskCore, token: string, now = Date.now()): PublicTicket | undefined {
  const t = ticketOf(core, token);
  return t && publicView(core, t, now);
}

export function reporterAction(core: DeskCore, token: string, action: ReporterAction, now = Date.now()): PublicTicket {
  if (!action || (action.kind !== 'confirm' && action.kind !== 'reopen')) throw new TicketError(400, 'kind must be confirm or reopen');
  let next!: TicketRecord;
  core.store.transaction(() => {
    const t = ticketOf(core, token);
    if (!t) throw new TicketError(404, 'no such tracking link');
    if (!canConfirm(t, now)) {
      throw new TicketError(409, t.status !== 'resolved' ? '还没有修好，修好后可以确认 (not resolved yet)' : '已确认，或已超过 3 天 (confirmed already, or past 3 days)');
    }
    if (action.kind === 'confirm') {
      const rating = action.rating ?? null;
      if (rating !== null && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) throw new TicketError(400, 'rating must be 1 to 5');
      const note = optionalText(action.note, 'note', REOPEN_CHARS);
      next = { ...t, confirmedAt: now, rating };
      core.store.audit(t.id, now, REPORTER, 'confirmed', [rating === null ? null : `评价 ${rating} 星`, note].filter(Boolean).join('；') || null);
    } else {
      const note = requiredText(action.note, 'note', REOPEN_CHARS, '请说明哪里还没有修好');
      const other = core.store.findOpen(t.subjectId, t.condition);
      if (other) throw new TicketError(409, `这里的同类问题已有新的报修单 #${other.id}，请在那张单上跟进`);
      next = {
        ...t,
        status: 'reopened',
        resolvedAt: null,
        resolvedBy: null,
        resolutionNote: null,
        resolutionMaterials: null,
        resolutionCostYuan: null,
        dueAt: now + PRIORITY_DUE_MIN[t.severity] * 60_000,
        overdueAt: null,
      };
      core.store.audit(t.id, now, REPORTER, 'reopen', note);
    }
    core.store.update(next);
  });
  core.publish(next);
  return publicView(core, next, now);
}
