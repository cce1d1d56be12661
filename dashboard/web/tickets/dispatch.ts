/**
 * The office's triage and dispatch of one ticket (总务处): assign a named worker (GET /api/staff),
 * set the trade, the priority (紧急 / 重要 / 一般) and the due time, merge a duplicate into another
 * open ticket at the same place.
 */
import { TRADES, type Severity, type Ticket } from '@campus/contract/browser';
import { byId, el, errorText, severityLabel, statusLabel, tradeLabel } from '../common.ts';
import { t } from '../i18n.ts';
import { post, type StaffMember } from './api.ts';
import { samePlace } from './filters.ts';
import type { Who } from './who.ts';
import { headlineText, roleLabel } from './words.ts';

export interface DispatchContext {
  staff: readonly StaffMember[];
  /** every ticket not yet resolved (the merge's candidates) */
  openTickets(): Promise<Ticket[]>;
  done(): Promise<void>;
}

/** the priorities the office sets (紧急 30 min, 重要 a school day, 一般 a week: PRIORITY_DUE_MIN) */
const PRIORITIES: readonly Severity[] = ['critical', 'major', 'minor'];

const form = () => byId<HTMLFormElement>('d-dispatch');
const control = <T extends HTMLSelectElement | HTMLInputElement>(name: string) => form().elements.namedItem(name) as T;

/** an ISO time as a datetime-local field's value, in the browser's zone */
function localInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** the workers of the ticket's trade first (a worker's role is named as their trade), then the office, then everyone else */
function workersFor(x: Ticket, staff: readonly StaffMember[]): StaffMember[] {
  const rank = (s: StaffMember) => (s.role === x.trade ? 0 : s.role === 'admin' ? 1 : 2);
  return [...staff].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'zh-CN'));
}

async function send(x: Ticket, what: string, body: Record<string, unknown>, ctx: DispatchContext) {
  try {
    await post(x.id, what, body);
    await ctx.done();
  } catch (err) {
    byId('d-error').replaceChildren(errorText(err));
  }
}

export async function renderDispatch(x: Ticket, who: Who, ctx: DispatchContext): Promise<void> {
  const open = x.status !== 'resolved';
  form().hidden = !(who.office && open);
  if (form().hidden) return;
  const to = control<HTMLSelectElement>('to');
  to.replaceChildren(
    el('option', { value: '', text: t('tickets.nobody') }),
    ...workersFor(x, ctx.staff).map((s) => el('option', { value: s.username, dataset: { user: '' }, text: t('tickets.staff-option', { name: s.name, role: roleLabel(s.role) }) })),
  );
  to.value = x.assignee ?? '';
  const options = (name: string, values: readonly string[], label: (v: never) => string) => {
    const select = control<HTMLSelectElement>(name);
    if (!select.options.length) select.append(...values.map((v) => el('option', { value: v, text: label(v as never) })));
  };
  options('trade', TRADES, tradeLabel);
  options('severity', PRIORITIES, severityLabel);
  control<HTMLSelectElement>('trade').value = x.trade;
  control<HTMLSelectElement>('severity').value = x.severity === 'info' ? 'minor' : x.severity;
  const shownDue = localInput(x.dueAt);
  control<HTMLInputElement>('dueAt').value = shownDue;

  const buttons = Object.fromEntries([...form().querySelectorAll<HTMLButtonElement>('button[data-change]')].map((b) => [b.dataset.change!, b]));
  buttons.assign!.onclick = () => send(x, 'assign', { to: to.value || null }, ctx);
  buttons.triage!.onclick = () => {
    // the due time only when the office changed it: a new priority otherwise brings its own (PRIORITY_DUE_MIN)
    const due = control<HTMLInputElement>('dueAt').value;
    const dueAt = due === shownDue ? {} : { dueAt: due ? new Date(due).toISOString() : null };
    return send(x, 'triage', { trade: control<HTMLSelectElement>('trade').value, severity: control<HTMLSelectElement>('severity').value, ...dueAt }, ctx);
  };
  const into = control<HTMLSelectElement>('into');
  const candidates = samePlace(x, await ctx.openTickets());
  into.replaceChildren(
    ...(candidates.length
      ? candidates.map((c) => el('option', { value: String(c.id), dataset: { user: '' }, text: `#${c.id} ${headlineText(c)} · ${statusLabel(c.status)}` }))
      : [el('option', { value: '', text: t('tickets.no-duplicates') })]),
  );
  into.disabled = buttons.merge!.disabled = !candidates.length;
  buttons.merge!.onclick = () => send(x, 'merge', { into: Number(into.value) }, ctx);
}
