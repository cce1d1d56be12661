// Ticket handling for staff: filter, open a ticket, see its evidence and audit trail, and
// acknowledge / start / resolve (with a note) / reopen. Works on a phone.
import type { Chart as ChartInstance } from 'chart.js';
import { TICKET_TRANSITIONS, type Ticket, type TicketAction, type TicketAuditEntry, type TicketStatus } from '@campus/contract/browser';
import type { Device, Viewer } from '../api-types.ts';
import { api, byId, el, errorText, live, logout, place, session, severityLabel, since, statusLabel, titleOf, tradeLabel, user } from '../common.ts';
import { language, locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { summaryEn } from '../ticket-summary.ts';

/** the actions a ticket in this state offers, in the contract's order */
const allowed = (status: TicketStatus) => (Object.keys(TICKET_TRANSITIONS) as TicketAction[]).filter((a) => TICKET_TRANSITIONS[a].from.includes(status));

const state = {
  tickets: [] as Ticket[],
  devices: new Map<string, Device>(),
  selected: null as number | null,
  viewer: null as Viewer | null,
  chart: null as ChartInstance | null,
};
const when = (iso: string) => new Date(iso).toLocaleString(locale);
const form = (id: string) => byId<HTMLFormElement>(id);
const noteField = () => form('d-actions').elements.namedItem('note') as HTMLTextAreaElement;
const deviceOf = (x: Ticket) => state.devices.get(x.deviceId);

async function load() {
  const f = Object.fromEntries(new FormData(form('filters'))) as Record<string, string>;
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.trade) q.set('trade', f.trade);
  const { tickets } = await api<{ tickets: Ticket[] }>(`/api/tickets?${q}`);
  state.tickets = tickets.filter((x) => !f.severity || x.severity === f.severity);
  renderList();
  if (state.selected) await select(state.selected, false);
}

/** the ledger, for what a ticket's title depends on (a device's kind, a fridge's class) */
async function loadDevices() {
  const { devices } = await api<{ devices: Device[] }>('/api/devices');
  state.devices = new Map(devices.map((d) => [d.id, d]));
}

function renderList() {
  byId('list').replaceChildren(
    ...state.tickets.map((x) =>
      el(
        'li',
        { class: `${x.severity}${x.id === state.selected ? ' selected' : ''}`, dataset: { ticketId: String(x.id) }, onclick: () => select(x.id) },
        el('span', { class: `badge ${x.severity}`, text: severityLabel(x.severity) }),
        el(
          'div',
          {},
          el('strong', {}, titleOf(x, deviceOf(x)), ' · ', user(x.deviceName)),
          el(
            'div',
            { class: 'muted' },
            ...place(x.location),
            ` · ${tradeLabel(x.trade)} · ${statusLabel(x.status)} · ${t('tickets.ago', { d: since(x.openedAt) })}`,
          ),
        ),
      ),
    ),
  );
  if (!state.tickets.length) byId('list').append(el('li', { class: 'empty', text: t('tickets.none') }));
}

/** who did it: a person's name as written, the system in the page's language */
const actor = (name: string) => (name === 'system' ? document.createTextNode(t('tickets.system')) : user(name));
const byAt = (by: string | null, at: string | null) => (by && at ? [user(by), ` ${when(at)}`] : ['—']);

async function select(id: number, scroll = true) {
  state.selected = id;
  const x = await api<Ticket & { audit: TicketAuditEntry[] }>(`/api/tickets/${id}`);
  renderList();
  const d = byId('detail');
  d.hidden = false;
  d.dataset.ticketId = String(x.id);
  d.dataset.status = x.status;
  byId('d-title').replaceChildren(`#${x.id} ${titleOf(x, deviceOf(x))} · `, user(x.deviceName));
  byId('d-where').replaceChildren(...place(x.location), ` · ${tradeLabel(x.trade)} · ${severityLabel(x.severity)}`);
  // the detector's own words, with its figures: in English from the ticket's figures where a
  // template has them all, else Chinese, as the server wrote them
  const english = language === 'en' ? summaryEn(x) : undefined;
  byId('d-summary').replaceChildren(english ? el('span', { text: english }) : el('span', { dataset: { server: '' }, text: x.summary }));
  const facts: [string, (Node | string)[]][] = [
    [t('tickets.status'), [statusLabel(x.status)]],
    [t('tickets.opened'), [t('tickets.opened-at', { at: when(x.openedAt), ago: since(x.openedAt) })]],
    [t('tickets.occurrences'), [String(x.occurrences)]],
    [t('tickets.condition'), [x.clearedAt ? t('tickets.cleared', { at: when(x.clearedAt) }) : t('tickets.present')]],
    [t('tickets.acknowledged'), byAt(x.acknowledgedBy, x.acknowledgedAt)],
    [t('tickets.resolved'), byAt(x.resolvedBy, x.resolvedAt)],
  ];
  byId('d-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, ...v)]));
  byId('d-audit').replaceChildren(
    ...x.audit.map((a) =>
      el(
        'li',
        {},
        el('time', { text: when(a.at) }),
        ' ',
        actor(a.actor),
        ` · ${t(`audit.${a.action}`)}`,
        ...(a.note ? [t('tickets.note-sep'), user(a.note)] : []),
      ),
    ),
  );
  renderActions(x);
  renderEvidence(x);
  if (scroll && window.innerWidth < 900) d.scrollIntoView({ behavior: 'smooth' });
}

function mayAct(x: Ticket) {
  const v = state.viewer;
  return Boolean(v && (v.kind === 'service' || (v.kind === 'staff' && v.trades?.includes(x.trade))));
}

function renderActions(x: Ticket) {
  const buttons = form('d-actions').querySelector('.buttons')!;
  const actions = mayAct(x) ? allowed(x.status) : [];
  buttons.replaceChildren(
    ...actions.map((a) =>
      el('button', { type: 'button', class: a === 'resolve' ? 'primary' : '', dataset: { action: a }, text: t(`action.${a}`), onclick: () => act(x.id, a) }),
    ),
  );
  form('d-actions').hidden = !actions.length;
  byId('d-error').textContent = '';
}

async function act(id: number, action: TicketAction) {
  const note = noteField().value.trim();
  if (action === 'resolve' && !note) {
    byId('d-error').textContent = t('tickets.note-required');
    return;
  }
  try {
    await api(`/api/tickets/${id}/${action}`, { method: 'POST', body: { note: note || undefined } });
    noteField().value = '';
    await load();
  } catch (err) {
    byId('d-error').replaceChildren(errorText(err));
  }
}

function renderEvidence(x: Ticket) {
  const canvas = byId<HTMLCanvasElement>('d-chart');
  canvas.parentElement!.hidden = x.evidence.length === 0; // e.g. a meter's own alarm flag carries no series
  const data = x.evidence.map((e) => ({ x: e.ts, y: e.value }));
  const unit = x.evidence[0]?.unit ?? '';
  state.chart?.destroy();
  state.chart = new Chart(canvas, {
    type: 'line',
    data: { datasets: [{ label: t('tickets.evidence', { unit }), data, borderColor: '#c62828', backgroundColor: '#c62828', pointRadius: 3 }] },
    options: {
      animation: false,
      parsing: false,
      maintainAspectRatio: false,
      scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(Number(v)).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) } } },
    },
  }) as unknown as ChartInstance;
}

runPage(async () => {
  state.viewer = await session();
  byId('logout').addEventListener('click', () => void logout());
  form('filters').addEventListener('change', () => void load());
  const wanted = Number(new URLSearchParams(location.search).get('id'));
  await loadDevices();
  await load();
  if (wanted) await select(wanted);
  live({
    resync: async () => {
      await loadDevices();
      await load();
    },
    ticket: (x: Ticket) => {
      // keep the list live without losing the staff member's place
      const i = state.tickets.findIndex((y) => y.id === x.id);
      if (i >= 0) state.tickets[i] = x;
      else state.tickets.unshift(x);
      renderList();
      if (state.selected === x.id) void select(x.id, false);
    },
  });
  document.body.dataset.ready = 'true';
});
