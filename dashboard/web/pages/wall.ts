// The wall screen for the plumber and electrician on duty, read from 5 m on a TV (1920x1080 or
// 1366x768): open repair tickets by severity, then age, as many rows as fit the screen and the
// rest counted on one line that always shows; live tiles, dimmed when their data is stale; a new
// critical ticket is highlighted and chimes (?chime=1 turns the chime on without a click where the
// kiosk's browser allows it). Opened with a display token, it never needs a hand: after the
// server or the TV was down it reconnects and resyncs, and it reloads itself only when the
// server's page changed and a fetch of the page has just succeeded (wall-reload.ts).
import { REPORT_KINDS, SEVERITIES, SEVERITY_RANK, TRADES, type Ticket } from '@campus/contract/browser';
import type { CampusSite, Device, LiveReading, Viewer } from '../api-types.ts';
import {
  ApiError,
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
import { pageFingerprint } from '../wall-reload.ts';

/** more rows than any screen shows: the rest are only counted */
const MAX_ROWS = 40;
/** a tile is stale when its device has been silent this many reporting intervals (the ledger's offline rule) */
const STALE_INTERVALS = 3;
/** the ledger's entry, with the device's reporting interval */
type WallDevice = Device & { reportingIntervalS?: number };

const state = {
  tickets: new Map<number, Ticket>(),
  devices: new Map<string, WallDevice>(),
  timeZone: 'Asia/Shanghai',
  seen: new Set<number>(),
  flashing: new Map<number, number>(),
  /** the server's clock less ours (from its Date header): ages and staleness by the server's time */
  skewMs: 0,
  /** when the data on screen was last complete (the resync), shown while the connection is down */
  dataAt: 0,
  /** the page's own files as they were when it started (wall-reload.ts) */
  fingerprint: undefined as string | undefined,
};
const serverNow = () => Date.now() + state.skewMs;

// ---------------------------------------------------------------------------------------- chime

let audio: AudioContext | null = null;
let chimeWanted = false;

/** off, on, or blocked (wanted, but the browser keeps audio suspended until someone clicks) */
function showChime() {
  const mode = !chimeWanted ? 'off' : audio?.state === 'running' ? 'on' : 'blocked';
  const button = byId('chime');
  document.body.dataset.chime = mode;
  button.setAttribute('aria-pressed', String(mode === 'on'));
  button.textContent = t(mode === 'on' ? 'wall.chime.on' : mode === 'blocked' ? 'wall.chime.blocked' : 'wall.chime.off');
}

function wantChime(on: boolean) {
  chimeWanted = on;
  if (on && !audio) {
    audio = new AudioContext();
    audio.addEventListener('statechange', showChime);
  }
  if (!on && audio) {
    void audio.close();
    audio = null;
  }
  // allowed without a gesture only where the browser's autoplay policy says so (the kiosk flag)
  if (audio && audio.state !== 'running') audio.resume().catch(() => {});
  showChime();
}

function chime() {
  if (!chimeWanted || !audio) return;
  document.body.dataset.chimeAttempts = String(Number(document.body.dataset.chimeAttempts || 0) + 1);
  const ctx = audio;
  if (ctx.state === 'running') return play(ctx);
  ctx
    .resume()
    .then(() => ctx.state === 'running' && play(ctx))
    .catch(() => {});
}

function play(ctx: AudioContext) {
  try {
    tones(ctx);
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

// -------------------------------------------------------------------------------------- tickets

/** by severity, then age (oldest first); a new critical ticket, while it flashes, above all: what chimed is on screen */
const order = (a: Ticket, b: Ticket) =>
  Number(state.flashing.has(b.id)) - Number(state.flashing.has(a.id)) ||
  SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
  Date.parse(a.openedAt) - Date.parse(b.openedAt);

const overdue = (x: Ticket, now: number) => x.dueAt !== null && x.dueAt !== undefined && Date.parse(x.dueAt) < now;

/** "8.25 m³/h", "112 %", "7.4 °C" */
function measured(v: number, unit: string): string {
  const a = Math.abs(v);
  return `${a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
}

/** What the row says besides its title: the latest measured value, or what the reporter picked. */
function valueOf(x: Ticket): string {
  if (x.source === 'person') return x.reportKind && REPORT_KINDS.includes(x.reportKind) ? t('wall.request', { kind: t(`report-kind.${x.reportKind}`) }) : '';
  const last = x.evidence?.at(-1);
  return last && Number.isFinite(last.value) ? measured(last.value, last.unit) : '';
}

function row(x: Ticket, now: number): HTMLLIElement {
  const late = overdue(x, now);
  const person = x.source === 'person';
  const cls = [x.severity, person ? 'person' : 'sensor', x.clearedAt ? 'cleared' : '', late ? 'overdue' : '', state.flashing.has(x.id) ? 'flash' : ''];
  const repeats = person && x.reports > 1 ? t('wall.reports', { n: x.reports }) : x.occurrences > 1 ? t('wall.nth', { n: x.occurrences }) : '';
  const where = [tradeLabel(x.trade), statusLabel(x.status), x.clearedAt ? t('ticket.cleared-pending') : '', repeats].filter(Boolean);
  return el(
    'li',
    { class: cls.filter(Boolean).join(' '), dataset: { ticketId: String(x.id), source: x.source ?? 'sensor' } },
    el('span', { class: 'sev', text: severityLabel(x.severity) }),
    el(
      'div',
      { class: 'main' },
      // a person's title is their own words; a sensor's is ours, with the device's name
      el('div', { class: 'what' }, ...(person ? [user(titleOf(x))] : [titleOf(x, state.devices.get(x.deviceId)), ' · ', user(x.deviceName)])),
      el('div', { class: 'where' }, ...place(x.location), ` · ${where.join(' · ')}`),
    ),
    el('div', { class: 'value', text: valueOf(x) }),
    x.assigneeName
      ? el('div', { class: 'who' }, user(x.assigneeName))
      : el('div', { class: 'who unassigned', text: t('wall.unassigned') }),
    el(
      'div',
      { class: 'age' },
      t('wall.age', { d: since(x.openedAt, now) }),
      late ? el('strong', { class: 'late', text: t('wall.overdue', { d: since(x.dueAt!, now) }) }) : null,
    ),
  );
}

/** "另有 12 张：紧急 2 · 重要 10；水工 5 · 电工 7；其中 3 张已超时" */
function restText(rest: Ticket[], now: number): string {
  if (!rest.length) return '';
  const by = <K extends string>(keys: readonly K[], of: (x: Ticket) => K, label: (k: K) => string) =>
    keys
      .map((k) => [label(k), rest.filter((x) => of(x) === k).length] as const)
      .filter(([, n]) => n)
      .map(([l, n]) => `${l} ${n}`)
      .join(' · ');
  const late = rest.filter((x) => overdue(x, now)).length;
  const counts = [by(SEVERITIES, (x) => x.severity, severityLabel), by(TRADES, (x) => x.trade, tradeLabel), late ? t('wall.rest.overdue', { n: late }) : ''];
  return t('wall.rest', { n: rest.length, counts: counts.filter(Boolean).join(t('list.semicolon')) });
}

/** How many of the list's rows are wholly inside it (the list is as tall as the screen leaves it). */
function rowsInside(list: HTMLElement): number {
  const bottom = list.getBoundingClientRect().bottom + 0.5;
  const items = [...list.children];
  const k = items.findIndex((li) => li.getBoundingClientRect().bottom > bottom);
  return k === -1 ? items.length : k;
}

function renderTickets() {
  const now = serverNow();
  const all = [...state.tickets.values()].filter((x) => x.status !== 'resolved').sort(order);
  const repairs = all.filter((x) => x.category === 'repair');
  const notices = all.length - repairs.length;
  const list = byId('tickets');
  const more = byId('more');
  byId('count').textContent = String(repairs.length);
  byId('none').hidden = repairs.length > 0;
  let shown = Math.min(repairs.length, MAX_ROWS);
  list.replaceChildren(...repairs.slice(0, shown).map((x) => row(x, now)));
  // the summary line takes its room first; rows that then end below the list are counted in it
  for (;;) {
    more.textContent = [restText(repairs.slice(shown), now), notices ? t('wall.notices', { n: notices }) : ''].filter(Boolean).join(t('list.semicolon'));
    const inside = rowsInside(list);
    if (inside >= shown) break;
    shown = inside;
    while (list.children.length > shown) list.lastElementChild!.remove();
  }
  document.body.dataset.rows = String(shown);
}

// ---------------------------------------------------------------------------------------- tiles

/** Minutes since the device was last heard when that is past its expected interval, else undefined. */
function staleMinutes(d: WallDevice, now: number): number | undefined {
  if (!d.lastSeen) return undefined;
  const age = now - Date.parse(d.lastSeen);
  const limit = STALE_INTERVALS * (d.reportingIntervalS ?? 60) * 1000;
  return age > limit ? Math.max(1, Math.floor(age / 60_000)) : undefined;
}

const staleNote = (m: number | undefined) => (m === undefined ? null : el('small', { class: 'stale-note', text: t('wall.stale', { m }) }));

function tile(d: WallDevice, value: HTMLElement, now: number): HTMLLIElement {
  const m = staleMinutes(d, now);
  return el('li', { class: m === undefined ? '' : 'stale', dataset: { deviceId: d.id } }, el('span', { class: 'name' }, user(d.name)), value, staleNote(m));
}

function renderTiles() {
  const now = serverNow();
  const devices = [...state.devices.values()];
  byId('transformers').replaceChildren(
    ...devices
      .filter((d) => d.kind === 'transformer')
      .map((d) => {
        const load = worstPhaseLoad(d);
        const cls = load === undefined ? '' : load > 100 ? 'bad' : load > 80 ? 'warn' : 'ok';
        return tile(d, el('span', { class: `v ${cls}`, text: load === undefined ? t('no-data') : `${load.toFixed(0)} %` }), now);
      }),
  );
  const main = devices.find((d) => d.kind === 'water_meter' && d.ratings.usage === 'campus');
  const flow = byId('flow');
  const mainStale = main && staleMinutes(main, now);
  flow.textContent = typeof main?.last?.flowM3h === 'number' ? `${main.last.flowM3h.toFixed(2)} m³/h` : '—';
  flow.classList.toggle('stale', mainStale !== undefined);
  byId('flow-stale').replaceChildren(staleNote(mainStale) ?? '');
  byId('fridges').replaceChildren(
    ...devices
      .filter((d) => d.kind === 'fridge')
      .map((d) => {
        const temp = d.last?.tempC;
        return tile(
          d,
          el('span', {
            class: `v ${typeof temp !== 'number' ? '' : fridgeOutOfRange(d, temp) ? 'bad' : 'ok'}`,
            text: typeof temp === 'number' ? `${temp.toFixed(1)} °C${d.last?.defrost ? ` ${t('fridge.defrost')}` : ''}` : t('no-data'),
          }),
          now,
        );
      }),
  );
}

// ------------------------------------------------------------------------------ live and resync

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
  const [{ tickets }, { devices }] = await Promise.all([api<{ tickets: Ticket[] }>('/api/tickets?status=open'), api<{ devices: WallDevice[] }>('/api/devices')]);
  state.tickets = new Map(tickets.map((x) => [x.id, x]));
  for (const x of tickets) state.seen.add(x.id);
  state.devices = new Map(devices.map((d) => [d.id, d]));
  state.dataAt = serverNow();
  renderTickets();
  renderTiles();
}

/** The drop on the page itself, large: the rows stay, with the time of the data they show. */
function showOffline(down: boolean) {
  const banner = byId('offline');
  banner.hidden = !down;
  document.body.classList.toggle('offline', down);
  if (!down) return;
  const time = state.dataAt ? new Date(state.dataAt).toLocaleTimeString(locale, { timeZone: state.timeZone, hour12: false, hour: '2-digit', minute: '2-digit' }) : '';
  banner.textContent = t('wall.offline') + (time ? t('wall.offline.since', { time }) : '');
}

/**
 * After a drop: if the server now serves other page files (a new version), reload, which is safe
 * now that the page itself was just fetched (true); else keep this page and its data (false).
 */
async function afterReconnect(): Promise<boolean> {
  const now = await pageFingerprint();
  if (!now) return false;
  state.skewMs = now.skewMs;
  if (!state.fingerprint || now.fingerprint === state.fingerprint) return false;
  document.body.dataset.reloading = 'true';
  location.reload();
  return true;
}

function tickClock() {
  byId('clock').textContent = new Date(serverNow()).toLocaleString(locale, {
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

/** The first load, retried while the server is away (a TV that came up before the server): never an error left on screen. */
async function load(): Promise<Viewer> {
  for (let wait = 2000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      const viewer = await session();
      const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
      if (sites[0]) {
        byId('site-name').replaceChildren(user(sites[0].name));
        state.timeZone = sites[0].timezone;
      }
      const first = await pageFingerprint();
      state.fingerprint = first?.fingerprint;
      state.skewMs = first?.skewMs ?? 0;
      await resync();
      showOffline(false);
      return viewer;
    } catch (err) {
      // refused (a revoked token): that is for a person to see, not to retry
      if (err instanceof ApiError && err.status < 500) throw err;
      showOffline(true);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

runPage(async () => {
  const button = byId('chime');
  showChime();
  button.addEventListener('click', () => {
    const on = !(chimeWanted && audio?.state === 'running');
    wantChime(on);
    if (on) chime(); // a person turned it on: let them hear it
  });
  // any key of the TV's remote or a touch is a gesture: a blocked chime starts then
  for (const event of ['pointerdown', 'keydown'])
    document.addEventListener(event, () => {
      if (chimeWanted && audio?.state === 'suspended') audio.resume().catch(() => {});
    });
  const viewer = await load();
  if (new URLSearchParams(location.search).get('chime') === '1' || viewer.settings?.chime === true) wantChime(true);
  tickClock();
  setInterval(() => {
    tickClock();
    renderTickets(); // durations move on, due times pass
    renderTiles(); // data goes stale
  }, 15_000);
  addEventListener('resize', renderTickets);
  void document.fonts?.ready.then(renderTickets);
  // the socket's drops and returns are handled here (not by live()'s resync): a drop even before
  // the first connection shows, and a return first asks whether the server's page changed
  let dropped = false;
  const socket = live({
    ticket: onTicket,
    readings: (batch: LiveReading[]) => {
      const heard = new Date(serverNow()).toISOString();
      for (const r of batch) {
        const d = state.devices.get(r.d);
        if (d) {
          d.last = r.v;
          d.lastSeen = heard;
        }
      }
      renderTiles();
    },
  });
  const down = () => {
    dropped = true;
    showOffline(true);
  };
  socket.on('disconnect', down);
  socket.on('connect_error', down);
  socket.on('connect', () => {
    if (!dropped) return;
    dropped = false;
    afterReconnect()
      .then(async (reloading) => {
        if (reloading) return;
        await resync();
        showOffline(false);
      })
      .catch((e: unknown) => console.warn('resync after the drop failed', e));
  });
  document.body.dataset.ready = 'true';
});
