// Ticket handling for staff: the office triages and dispatches (新报修 first, assign a named worker,
// trade, priority, due time, merge, bulk-resolve the cleared), a worker takes, comments, adds
// photos and resolves with materials and cost. Filters apply to live updates too; the worst and
// then the oldest first. Works on a phone. The parts are in ../tickets/.
import type { Ticket } from '@campus/contract/browser';
import type { Device } from '../api-types.ts';
import { api, byId, el, live, logout, place, session, severityLabel, since, statusLabel, tradeLabel, user } from '../common.ts';
import { t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { staffList, ticketDetail, type StaffMember } from '../tickets/api.ts';
import { bulkBox, clearedSensorTicket, renderBulk } from '../tickets/bulk.ts';
import { renderDetail } from '../tickets/detail.ts';
import { renderDispatch } from '../tickets/dispatch.ts';
import { filterOf, grouped, listQuery, matches, NO_FILTER, upsert, type TicketFilter } from '../tickets/filters.ts';
import { drawReadings } from '../tickets/readings-chart.ts';
import { whoIs, type Who } from '../tickets/who.ts';
import { renderWork } from '../tickets/work.ts';
import { headline } from '../tickets/words.ts';

const state = {
  tickets: [] as Ticket[],
  devices: new Map<string, Device>(),
  staff: [] as StaffMember[],
  selected: null as number | null,
  filter: NO_FILTER as TicketFilter,
  who: null as unknown as Who,
};
const filtersForm = () => byId<HTMLFormElement>('filters');
const deviceOf = (x: Ticket) => state.devices.get(x.deviceId);

/**
 * Tickets pushed while a list is being fetched: the answer may be older than they are (a ticket
 * cleared while the office changed a filter), so they are laid over it when it lands. Only the
 * newest load applies its answer.
 */
let loading: { generation: number; pushed: Map<number, Ticket> } | null = null;
let generation = 0;

async function load() {
  state.filter = filterOf(Object.fromEntries(new FormData(filtersForm())));
  const mine = (loading = { generation: ++generation, pushed: new Map() });
  const { tickets } = await api<{ tickets: Ticket[] }>(`/api/tickets?${listQuery(state.filter, state.who.me)}`);
  if (mine.generation !== generation) return;
  loading = null;
  // the server filters what it can; the rest (and every pushed ticket) here, by the same rule
  let list = tickets.filter((x) => matches(x, state.filter, state.who.me));
  for (const x of mine.pushed.values()) list = upsert(list, x, state.filter, state.who.me);
  state.tickets = list;
  renderList();
  // how many lists have landed (the page tests wait for the next one)
  document.body.dataset.lists = String(mine.generation);
  if (state.selected) await select(state.selected, false);
}

/** the ledger, for what a ticket's title depends on (a device's kind, a fridge's class) and its chart */
async function loadDevices() {
  const { devices } = await api<{ devices: Device[] }>('/api/devices');
  state.devices = new Map(devices.map((d) => [d.id, d]));
}

function row(x: Ticket): HTMLLIElement {
  const late = x.dueAt && x.status !== 'resolved' && Date.parse(x.dueAt) < Date.now();
  const line: (Node | string)[] = [...place(x.location), ` · ${tradeLabel(x.trade)} · ${statusLabel(x.status)} · ${t('tickets.ago', { d: since(x.openedAt) })}`];
  if (x.reports > 1) line.push(` · ${t('tickets.reports-n', { n: x.reports })}`);
  if (x.assigneeName) line.push(' · ', user(x.assigneeName));
  if (clearedSensorTicket(x)) line.push(' · ', el('span', { class: 'tag cleared', text: t('tickets.cleared-tag') }));
  if (late) line.push(' · ', el('span', { class: 'tag late', text: t('tickets.overdue') }));
  return el(
    'li',
    {
      class: `${x.severity}${x.id === state.selected ? ' selected' : ''}${x.source === 'person' ? ' person' : ''}`,
      dataset: { ticketId: String(x.id), source: x.source ?? 'sensor' },
      onclick: () => select(x.id),
    },
    el('span', { class: `badge ${x.severity}`, text: severityLabel(x.severity) }),
    el('div', {}, el('strong', {}, ...headline(x, deviceOf(x))), el('div', { class: 'muted' }, ...line)),
    state.who.office && clearedSensorTicket(x) ? bulkBox(x, state.tickets) : null,
  );
}

function renderList() {
  const { fresh, rest } = grouped(state.tickets, state.who.office);
  const heading = (text: string, cls: string) => el('li', { class: `group ${cls}`, text });
  byId('list').replaceChildren(
    ...(fresh.length
      ? [heading(t('tickets.group.fresh', { n: fresh.length }), 'fresh'), ...fresh.map(row), ...(rest.length ? [heading(t('tickets.group.rest', { n: rest.length }), 'rest')] : [])]
      : []),
    ...rest.map(row),
  );
  if (!state.tickets.length) byId('list').append(el('li', { class: 'empty', text: t('tickets.none') }));
  renderBulk(state.who.office, state.tickets, load);
}

async function select(id: number, scroll = true) {
  state.selected = id;
  const x = await ticketDetail(id);
  renderList();
  const device = deviceOf(x);
  renderDetail(x, device);
  renderWork(x, state.who, load);
  await renderDispatch(x, state.who, {
    staff: state.staff,
    openTickets: async () => (await api<{ tickets: Ticket[] }>('/api/tickets?status=open')).tickets,
    done: load,
  });
  await drawReadings(x, device);
  if (scroll && window.innerWidth < 900) byId('detail').scrollIntoView({ behavior: 'smooth' });
}

/** the office's menus of people: the assignee filter and the dispatch form (none where GET /api/staff is not there) */
async function loadStaff() {
  if (!state.who.office) return;
  state.staff = await staffList().catch(() => []);
  const select = filtersForm().elements.namedItem('assignee') as HTMLSelectElement;
  select.append(...state.staff.map((s) => el('option', { value: s.username, dataset: { user: '' }, text: s.name })));
  (filtersForm().querySelector('label.assignee') as HTMLElement).hidden = false;
}

runPage(async () => {
  state.who = whoIs(await session());
  byId('logout').addEventListener('click', () => void logout());
  if (state.who.me) (filtersForm().querySelector('label.mine') as HTMLElement).hidden = false;
  filtersForm().addEventListener('change', () => void load());
  const wanted = Number(new URLSearchParams(location.search).get('id'));
  await Promise.all([loadDevices(), loadStaff()]);
  await load();
  if (wanted) await select(wanted);
  live({
    resync: async () => {
      await loadDevices();
      await load();
    },
    ticket: (x: Ticket) => {
      // live, within the filters, without losing the staff member's place
      loading?.pushed.set(x.id, x);
      state.tickets = upsert(state.tickets, x, state.filter, state.who.me);
      renderList();
      if (state.selected === x.id) void select(x.id, false);
    },
  });
  document.body.dataset.ready = 'true';
});
