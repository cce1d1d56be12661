/**
 * What staff do to a ticket besides moving its status (TicketChange): the office assigns a named
 * worker (or takes the assignment away) and triages (trade, priority, due time) and merges
 * duplicates; a worker takes a ticket; anyone on staff comments and adds photos. Each is one audit
 * line with who and when; an assignment is the event 'assigned' (the channels name the worker).
 */
import {
  PRIORITY_DUE_MIN,
  SEVERITIES,
  SEVERITY_LABELS_ZH,
  TRADES,
  TRADE_LABELS_ZH,
  type Severity,
  type Ticket,
  type TicketChange,
  type Trade,
} from '@campus/contract';
import { getOr404, localTime, requiredText, TicketError, workerLabel, type ActorInfo, type DeskCore, type DeskEvent } from './desk-core.ts';
import { MAX_TICKET_PHOTOS, photoIdOr400 } from './person-requests.ts';
import type { TicketRecord } from './ticket-store.ts';

export const TICKET_CHANGE_KINDS = ['assign', 'take', 'comment', 'triage', 'merge', 'photo'] as const satisfies readonly TicketChange['kind'][];
const COMMENT_CHARS = 2000;

type Outcome = { record: TicketRecord; also?: TicketRecord; events: DeskEvent[] };

export function applyChange(core: DeskCore, id: number, change: TicketChange, actor: string, who: ActorInfo = {}): Ticket {
  if (!change || typeof change !== 'object' || !(TICKET_CHANGE_KINDS as readonly unknown[]).includes(change.kind)) {
    throw new TicketError(400, `kind must be one of ${TICKET_CHANGE_KINDS.join(', ')}`);
  }
  if (typeof actor !== 'string' || !actor) throw new TicketError(400, 'actor is required');
  const at = who.at ?? Date.now();
  let out!: Outcome;
  core.store.transaction(() => {
    const t = getOr404(core.store, id);
    const settled = t.status === 'resolved';
    if (settled && change.kind !== 'comment' && change.kind !== 'photo') throw new TicketError(409, `cannot ${change.kind} a ticket that is resolved`);
    out = CHANGES[change.kind](core, t, change as never, actor, who, at);
    core.store.update(out.record);
    if (out.also) core.store.update(out.also);
  });
  if (out.also) core.publish(out.also);
  return core.publish(out.record, out.events);
}

type Handler<K extends TicketChange['kind']> = (
  core: DeskCore,
  t: TicketRecord,
  change: Extract<TicketChange, { kind: K }>,
  actor: string,
  who: ActorInfo,
  at: number,
) => Outcome;

const assign: Handler<'assign'> = (core, t, change, actor, who, at) => {
  if (change.to === null) {
    if (t.assignee === null) return { record: t, events: [] };
    core.store.audit(t.id, at, actor, 'unassigned', workerLabel(t.assigneeName ?? t.assignee, t.trade));
    return { record: { ...t, assignee: null, assigneeName: null, assignedAt: null }, events: [] };
  }
  if (typeof change.to !== 'string' || !change.to) throw new TicketError(400, 'to must be a staff username, or null');
  const name = core.knowsStaff ? core.staffName(change.to) : who.assigneeName?.trim() || undefined;
  if (name === undefined) throw new TicketError(400, `to: no staff account "${change.to.slice(0, 32)}"`);
  return toWorker(core, t, change.to, name, actor, 'assigned', at);
};

const take: Handler<'take'> = (core, t, _change, actor, who, at) => {
  const username = who.username ?? actor;
  if (t.assignee && t.assignee !== username) throw new TicketError(409, `已派给 ${t.assigneeName ?? t.assignee} (already assigned to ${t.assignee})`);
  const name = (core.knowsStaff ? core.staffName(username) : undefined) ?? actor;
  return toWorker(core, t, username, name, actor, 'taken', at);
};

function toWorker(core: DeskCore, t: TicketRecord, username: string, name: string, actor: string, action: 'assigned' | 'taken', at: number): Outcome {
  if (t.assignee === username) return { record: t, events: [] };
  core.store.audit(t.id, at, actor, action, workerLabel(name, t.trade));
  return { record: { ...t, assignee: username, assigneeName: name, assignedAt: at }, events: [{ type: 'assigned', at, assignee: username }] };
}

const comment: Handler<'comment'> = (core, t, change, actor, _who, at) => {
  const note = requiredText(change.note, 'note', COMMENT_CHARS, '请写下说明');
  core.store.audit(t.id, at, actor, 'commented', note);
  return { record: t, events: [] };
};

const triage: Handler<'triage'> = (core, t, change, actor, _who, at) => {
  const { trade, severity, dueAt } = change;
  if (trade === undefined && severity === undefined && dueAt === undefined) throw new TicketError(400, 'triage needs trade, severity or dueAt');
  if (trade !== undefined && !(TRADES as readonly unknown[]).includes(trade)) throw new TicketError(400, `trade must be one of ${TRADES.join(', ')}`);
  if (severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(severity))
    throw new TicketError(400, `severity must be one of ${SEVERITIES.join(', ')}`);
  let due = t.dueAt;
  if (dueAt === null) due = null;
  else if (dueAt !== undefined) {
    due = typeof dueAt === 'string' ? Date.parse(dueAt) : NaN;
    if (!Number.isFinite(due)) throw new TicketError(400, 'dueAt must be a time (ISO 8601), or null');
  } else if (severity !== undefined && severity !== t.severity) due = t.openedAt + PRIORITY_DUE_MIN[severity] * 60_000;
  const next: TicketRecord = { ...t, trade: (trade as Trade | undefined) ?? t.trade, severity: (severity as Severity | undefined) ?? t.severity, dueAt: due };
  // a new due time may be missed again
  if (due !== t.dueAt) next.overdueAt = null;
  const said: string[] = [];
  if (next.severity !== t.severity) said.push(`优先级 ${SEVERITY_LABELS_ZH[t.severity]} → ${SEVERITY_LABELS_ZH[next.severity]}`);
  if (next.trade !== t.trade) said.push(`工种 ${TRADE_LABELS_ZH[t.trade]} → ${TRADE_LABELS_ZH[next.trade]}`);
  if (due !== t.dueAt) said.push(due === null ? '不设处理时限' : `${localTime(due, core.campus(t.siteId)?.site.timezone)} 前处理`);
  if (!said.length) return { record: t, events: [] };
  core.store.audit(t.id, at, actor, 'triaged', said.join('；'));
  return { record: next, events: [] };
};

const merge: Handler<'merge'> = (core, t, change, actor, _who, at) => {
  if (!Number.isInteger(change.into)) throw new TicketError(400, 'into must be a ticket id');
  if (change.into === t.id) throw new TicketError(400, 'into: a ticket cannot be merged into itself');
  const target = core.store.get(change.into);
  if (!target || target.siteId !== t.siteId) throw new TicketError(404, `into: no ticket ${change.into} at ${t.siteId}`);
  if (target.status === 'resolved') throw new TicketError(409, `into: ticket ${target.id} is resolved`);
  const ids = new Set(target.photos.map((p) => p.id));
  const into: TicketRecord = {
    ...target,
    reports: target.reports + t.reports,
    photos: [...target.photos, ...t.photos.filter((p) => !ids.has(p.id))].slice(0, MAX_TICKET_PHOTOS),
    lastAt: Math.max(target.lastAt, t.lastAt),
  };
  core.store.audit(target.id, at, actor, 'merged', `合并了 #${t.id}（${t.title}）`);
  core.store.audit(t.id, at, actor, 'merged', `合并到 #${target.id}`);
  core.store.moveTrackers(t.id, target.id);
  const merged: TicketRecord = { ...t, status: 'resolved', resolvedAt: at, resolvedBy: actor, mergedInto: target.id, resolutionNote: `与 #${target.id} 重复，已合并` };
  return { record: merged, also: into, events: [] };
};

const photo: Handler<'photo'> = (core, t, change, actor, who, at) => {
  const id = photoIdOr400(change.photoId, 'photoId');
  if (t.photos.some((p) => p.id === id)) return { record: t, events: [] };
  if (t.photos.length >= MAX_TICKET_PHOTOS) throw new TicketError(409, `a ticket keeps at most ${MAX_TICKET_PHOTOS} photos`);
  core.store.audit(t.id, at, actor, 'photo', id);
  const bytes = Number.isInteger(change.bytes) && change.bytes! > 0 ? change.bytes! : 0;
  return { record: { ...t, photos: [...t.photos, { id, at: new Date(at).toISOString(), by: who.username ?? actor, bytes }] }, events: [] };
};

const CHANGES: { [K in TicketChange['kind']]: Handler<K> } = { assign, take, comment, triage, merge, photo };
