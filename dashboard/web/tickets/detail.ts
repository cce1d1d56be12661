/**
 * One ticket, as staff read it: what and where, the detector's words or the reporter's, who
 * reported it (name and phone: staff see them), the photos (click to enlarge), the facts, and the
 * audit trail with who and when.
 */
import type { Ticket } from '@campus/contract/browser';
import type { Device } from '../api-types.ts';
import { byId, el, place, severityLabel, since, statusLabel, tradeLabel, user } from '../common.ts';
import { language, t } from '../i18n.ts';
import { summaryEn } from '../ticket-summary.ts';
import { photoUrl, type TicketDetail } from './api.ts';
import { actor, headline, kindLabel, when } from './words.ts';

type Fact = [string, (Node | string)[]];
const byAt = (by: string | null, at: string | null) => (by && at ? [user(by), ` ${when(at)}`] : ['—']);
const facts = (id: string, list: Fact[]) => byId(id).replaceChildren(...list.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, ...v)]));

function showPhoto(id: string, n: number) {
  const dialog = byId<HTMLDialogElement>('photo-view');
  const img = byId<HTMLImageElement>('photo-big');
  img.src = photoUrl(id);
  img.alt = t('tickets.photo-alt', { n });
  dialog.showModal();
}

function renderRequest(x: Ticket) {
  const section = byId('d-request');
  section.hidden = x.source !== 'person' && !x.photos.length;
  const list: Fact[] = [];
  if (x.source === 'person') {
    if (x.reportKind) list.push([t('tickets.kind'), [kindLabel(x.reportKind)]]);
    const name = x.reporter?.name ? user(x.reporter.name) : t('tickets.reporter-anonymous');
    const phone = x.reporter?.phone ? [' · ', el('a', { href: `tel:${x.reporter.phone.replace(/[^\d+]/g, '')}`, dataset: { user: '' }, text: x.reporter.phone })] : [];
    list.push([t('tickets.reporter'), [name, ...phone]]);
    if (x.reports > 1) list.push([t('tickets.reports'), [String(x.reports)]]);
  }
  facts('d-request-facts', list);
  byId('d-photos').replaceChildren(
    ...x.photos.map((p, i) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', class: 'thumb', onclick: () => showPhoto(p.id, i + 1) },
          el('img', { src: photoUrl(p.id), alt: t('tickets.photo-alt', { n: i + 1 }), loading: 'lazy' }),
        ),
      ),
    ),
  );
}

function factsOf(x: Ticket): Fact[] {
  const list: Fact[] = [
    [t('tickets.status'), [statusLabel(x.status)]],
    [t('tickets.opened'), [t('tickets.opened-at', { at: when(x.openedAt), ago: since(x.openedAt) })]],
  ];
  if (x.dueAt) {
    const late = x.status !== 'resolved' && Date.parse(x.dueAt) < Date.now();
    list.push([t('tickets.due'), [when(x.dueAt), ...(late ? [' ', el('strong', { class: 'late', text: t('tickets.overdue') })] : [])]]);
  }
  if (x.assigneeName || x.assignee)
    list.push([t('tickets.assignee'), [x.assignedAt ? t('tickets.assigned-to', { name: x.assigneeName ?? x.assignee!, at: when(x.assignedAt) }) : (x.assigneeName ?? x.assignee!)]]);
  if (x.source !== 'person') {
    list.push([t('tickets.occurrences'), [String(x.occurrences)]]);
    list.push([t('tickets.condition'), [x.clearedAt ? t('tickets.cleared', { at: when(x.clearedAt) }) : t('tickets.present')]]);
  }
  list.push([t('tickets.acknowledged'), byAt(x.acknowledgedBy, x.acknowledgedAt)]);
  list.push([t('tickets.resolved'), byAt(x.resolvedBy, x.resolvedAt)]);
  const r = x.resolution;
  if (r) {
    list.push([t('tickets.resolution'), [user(r.note)]]);
    if (r.materials) list.push([t('tickets.materials'), [user(r.materials)]]);
    if (r.costYuan !== null && r.costYuan !== undefined) list.push([t('tickets.cost'), [t('tickets.cost-value', { yuan: r.costYuan.toFixed(2) })]]);
  }
  if (x.mergedInto) list.push([t('tickets.resolution'), [el('a', { href: `?id=${x.mergedInto}`, text: t('tickets.merged-into', { id: x.mergedInto }) })]]);
  if (x.confirmedAt) list.push([t('tickets.confirmed'), [when(x.confirmedAt), x.rating ? ` · ${t('tickets.rating', { n: x.rating })}` : '']]);
  return list;
}

export function renderDetail(x: TicketDetail, device: Device | undefined): void {
  const d = byId('detail');
  d.hidden = false;
  d.dataset.ticketId = String(x.id);
  d.dataset.status = x.status;
  d.dataset.source = x.source;
  byId('d-title').replaceChildren(`#${x.id} `, ...headline(x, device, true));
  byId('d-where').replaceChildren(...place(x.location), ` · ${tradeLabel(x.trade)} · ${severityLabel(x.severity)}`);
  // the detector's own words, with its figures: in English from the ticket's figures where a
  // template has them all, else Chinese, as the server wrote them; a reporter's words as written
  const english = language === 'en' && x.source !== 'person' ? summaryEn(x) : undefined;
  byId('d-summary').replaceChildren(
    english ? el('span', { text: english }) : el('span', { dataset: x.source === 'person' ? { user: '' } : { server: '' }, text: x.summary }),
  );
  renderRequest(x);
  facts('d-facts', factsOf(x));
  byId('d-audit').replaceChildren(
    ...x.audit.map((a) =>
      // a photo's note is its id: the photo itself is above
      el('li', {}, el('time', { text: when(a.at) }), ' ', actor(a.actor), ` · ${t(`audit.${a.action}`)}`, ...(a.note && a.action !== 'photo' ? [t('tickets.note-sep'), user(a.note)] : [])),
    ),
  );
}
