// The reporter's tracking page (/t/{token}): the ticket's state, its steps, the worker's name and
// the photos; once resolved, confirm with 1-5 stars or reopen with a note. Refreshes every 30 s.
// Public: what it shows is the reporter's view (PublicTicket: no phone numbers, no staff notes).
import type { PublicTicket } from '@campus/contract/browser';
import { byId, el, severityLabel, statusLabel, user } from '../common.ts';
import { locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { pathParts, publicApi, showError } from '../request-common.ts';

const POLL_MS = 30_000;

const when = (iso: string) => new Date(iso).toLocaleString(locale, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

runPage(async () => {
  const token = pathParts()[1] ?? '';
  const error = byId('error');
  let rating: number | null = null;

  const show = (ticket: PublicTicket) => {
    byId('ticket').hidden = false;
    byId('number').textContent = t('track.number', { id: ticket.id });
    byId('title').replaceChildren(user(ticket.title));
    byId('place').replaceChildren(user(ticket.place));
    const status = byId('status');
    status.textContent = `${statusLabel(ticket.status)} · ${severityLabel(ticket.severity)}`;
    status.dataset.status = ticket.status;
    byId('worker').replaceChildren(ticket.assigneeName ? user(ticket.assigneeName) : t('track.worker.none'));
    byId('due').textContent = ticket.dueAt ? when(ticket.dueAt) : '—';
    byId('steps').replaceChildren(
      ...ticket.steps.map((s) =>
        el(
          'li',
          {},
          el('time', { datetime: s.at, text: when(s.at) }),
          el('span', { class: 'track-what', dataset: { server: '' }, text: s.what }),
          s.note ? el('p', { class: 'track-note', dataset: { user: '' }, text: s.note }) : null,
        ),
      ),
    );
    byId('photos-block').hidden = ticket.photoIds.length === 0;
    byId('photos').replaceChildren(
      ...ticket.photoIds.map((id) =>
        el('figure', { class: 'request-photo' }, el('img', { src: `/api/public/photos/${encodeURIComponent(id)}?t=${encodeURIComponent(token)}`, alt: '' })),
      ),
    );
    byId('confirm').hidden = !ticket.canConfirm;
    const confirmed = byId('confirmed');
    confirmed.hidden = !ticket.confirmedAt;
    confirmed.textContent = ticket.confirmedAt ? t('track.confirmed') + (ticket.rating ? ` ${t('track.rated', { n: ticket.rating })}` : '') : '';
    byId('updated').textContent = t('track.updated', { time: new Date().toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) });
    document.body.dataset.status = ticket.status;
  };

  const load = async () => {
    try {
      show(await publicApi<PublicTicket>(`/api/public/track/${encodeURIComponent(token)}`));
      error.textContent = '';
    } catch (err) {
      showError(error, err);
    }
  };

  // stars: five big buttons
  const stars = byId('stars');
  for (let n = 1; n <= 5; n++) {
    const star = el('button', {
      type: 'button',
      role: 'radio',
      class: 'track-star',
      'aria-checked': 'false',
      'aria-label': t('track.confirm.star', { n }),
      text: '★',
    });
    star.addEventListener('click', () => {
      rating = n;
      stars.querySelectorAll('button').forEach((b, i) => {
        b.setAttribute('aria-checked', String(i + 1 === n));
        b.classList.toggle('on', i < n);
      });
    });
    stars.append(star);
  }
  const act = async (action: 'confirm' | 'reopen', body: object) => {
    try {
      show(await publicApi<PublicTicket>(`/api/public/track/${encodeURIComponent(token)}/${action}`, { body }));
      error.textContent = '';
    } catch (err) {
      showError(error, err);
    }
  };
  byId('confirm-submit').addEventListener('click', () => act('confirm', { rating, note: byId<HTMLTextAreaElement>('confirm-note').value.trim() || null }));
  byId('reopen-submit').addEventListener('click', () => {
    const note = byId<HTMLTextAreaElement>('reopen-note').value.trim();
    if (!note) return void (error.textContent = t('track.reopen.needNote'));
    void act('reopen', { note });
  });

  await load();
  setInterval(() => void load(), POLL_MS);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void load());
  document.body.dataset.ready = 'true';
});
