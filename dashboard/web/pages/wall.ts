// The wall screen for the plumber and electrician on duty: open repair tickets by severity, then
// age; live tiles; a new critical ticket is highlighted and chimes. Opened with a display token.
import { SEVERITIES, SEVERITY_RANK, type Ticket } from '@campus/contract/browser';
import type { CampusSite, Device, LiveReading } from '../api-types.ts';
import {
  api,
  byId,
  el,
  fridgeOutOfRange,
  live,
  place,
  session,
  severityLabel,
  since,
  statusLabel,
  titleOf,
  tradeLabel,
  user,
  worstPhaseLoad,
} from '../common.ts';
import { locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';

const MAX_ROWS = 12;
const state = {
  tickets: new Map<number, Ticket>(),
  devices: new Map<string, Device>(),
  timeZone: 'Asia/Shanghai',
  seen: new Set<number>(),
  flashing: new Map<number, number>(),
};
let audio: AudioContext | null = null;

function chime() {
  if (!audio) return;
  try {
    tones(audio);
  } catch (err) {
    console.warn('chime failed', err);
  }
}

function tones(ctx: AudioContext) {
  // two short tones, made here: no sound file to load
  const now = ctx.currentTime;
  for (const [i, f] of [880, 660].entries()) {
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = f;
    g.gain.setValueAtTime(0.0001, now + i * 0.35);
    g.gain.exponentialRampToValueAtTime(0.4, now + i * 0.35 + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
    o.connect(g).connect(ctx.destination);
    o.start(now + i * 0.35);
    o.stop(now + i * 0.35 + 0.32);
  }
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
}

const order = (a: Ticket, b: Ticket) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || Date.parse(a.openedAt) - Date.parse(b.openedAt);

function renderTickets() {
  const all = [...state.tickets.values()].filter((x) => x.status !== 'resolved').sort(order);
  const repairs = all.filter((x) => x.category === 'repair');
  const notices = all.length - repairs.length;
  const shown = repairs.slice(0, MAX_ROWS);
  byId('count').textContent = String(repairs.length);
  byId('tickets').replaceChildren(
    ...shown.map((x) =>
      el(
        'li',
        { class: `${x.severity}${x.clearedAt ? ' cleared' : ''}${state.flashing.has(x.id) ? ' flash' : ''}`, dataset: { ticketId: String(x.id) } },
        el('span', { class: 'sev', text: severityLabel(x.severity) }),
        el(
          'div',
          {},
          el('div', { class: 'what' }, titleOf(x, state.devices.get(x.deviceId)), ' · ', user(x.deviceName)),
          el(
            'div',
            { class: 'where' },
            ...place(x.location),
            ` · ${tradeLabel(x.trade)} · ${statusLabel(x.status)}${x.clearedAt ? ` · ${t('ticket.cleared-pending')}` : ''}`,
          ),
        ),
        el(
          'div',
          { class: 'age' },
          t('wall.age', { d: since(x.openedAt) }),
          el('small', { text: x.occurrences > 1 ? t('wall.nth', { n: x.occurrences }) : '' }),
        ),
      ),
    ),
  );
  const rest = repairs.slice(MAX_ROWS);
  const counts = SEVERITIES.map((s) => [severityLabel(s), rest.filter((x) => x.severity === s).length] as const)
    .filter(([, n]) => n)
    .map(([label, n]) => `${label} ${n}`);
  byId('more').textContent = [
    rest.length ? t('wall.more', { n: rest.length, counts: counts.join(' · ') }) : '',
    notices ? t('wall.notices', { n: notices }) : '',
  ]
    .filter(Boolean)
    .join(t('list.semicolon'));
  byId('none').hidden = repairs.length > 0;
}

function renderTiles() {
  const devices = [...state.devices.values()];
  byId('transformers').replaceChildren(
    ...devices
      .filter((d) => d.kind === 'transformer')
      .map((d) => {
        const load = worstPhaseLoad(d);
        const cls = load === undefined ? '' : load > 100 ? 'bad' : load > 80 ? 'warn' : 'ok';
        return el('li', {}, user(d.name), el('span', { class: `v ${cls}`, text: load === undefined ? t('no-data') : `${load.toFixed(0)} %` }));
      }),
  );
  const main = devices.find((d) => d.kind === 'water_meter' && d.ratings.usage === 'campus');
  byId('flow').textContent = typeof main?.last?.flowM3h === 'number' ? `${main.last.flowM3h.toFixed(2)} m³/h` : '—';
  byId('fridges').replaceChildren(
    ...devices
      .filter((d) => d.kind === 'fridge')
      .map((d) => {
        const temp = d.last?.tempC;
        return el(
          'li',
          {},
          user(d.name),
          el('span', {
            class: `v ${fridgeOutOfRange(d, temp) ? 'bad' : 'ok'}`,
            text: typeof temp === 'number' ? `${temp.toFixed(1)} °C${d.last?.defrost ? ` ${t('fridge.defrost')}` : ''}` : t('no-data'),
          }),
        );
      }),
  );
}

function onTicket(x: Ticket) {
  const isNew = !state.seen.has(x.id);
  state.seen.add(x.id);
  if (x.status === 'resolved') state.tickets.delete(x.id);
  else state.tickets.set(x.id, x);
  if (isNew && x.severity === 'critical' && x.status !== 'resolved') {
    state.flashing.set(x.id, Date.now());
    chime();
  }
  renderTickets();
}

async function resync() {
  const [{ tickets }, { devices }] = await Promise.all([api<{ tickets: Ticket[] }>('/api/tickets?status=open'), api<{ devices: Device[] }>('/api/devices')]);
  state.tickets = new Map(tickets.map((x) => [x.id, x]));
  for (const x of tickets) state.seen.add(x.id);
  state.devices = new Map(devices.map((d) => [d.id, d]));
  renderTickets();
  renderTiles();
}

function tickClock() {
  byId('clock').textContent = new Date().toLocaleString(locale, {
    timeZone: state.timeZone,
    hour12: false,
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const cutoff = Date.now() - 60_000;
  for (const [id, at] of state.flashing) if (at < cutoff) state.flashing.delete(id);
}

runPage(async () => {
  await session();
  const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
  if (sites[0]) {
    byId('site-name').replaceChildren(user(sites[0].name));
    state.timeZone = sites[0].timezone;
  }
  const button = byId('chime');
  button.addEventListener('click', () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    if (on && !audio) audio = new AudioContext();
    if (!on && audio) {
      void audio.close();
      audio = null;
    }
    button.setAttribute('aria-pressed', String(on));
    button.textContent = t(on ? 'wall.chime.on' : 'wall.chime.off');
    if (on) chime();
  });
  await resync();
  tickClock();
  setInterval(() => {
    tickClock();
    renderTickets(); // durations move on
  }, 30_000);
  live({
    resync,
    ticket: onTicket,
    readings: (batch: LiveReading[]) => {
      for (const r of batch) {
        const d = state.devices.get(r.d);
        if (d) d.last = r.v;
      }
      renderTiles();
    },
  });
  document.body.dataset.ready = 'true';
});
