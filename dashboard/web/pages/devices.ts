// The asset ledger (校产台账): every device, where it is, whether it is alive, its last reading;
// filter by building and kind; a device's 24-hour history chart; adopting a pending device.
import type { Chart as ChartInstance } from 'chart.js';
import { LEDGER_STATUSES, seriesLabel, type DeviceKind, type LedgerStatus } from '@campus/contract/browser';
import type { CampusSite, Device, PendingDevice, SeriesAnswer, Viewer } from '../api-types.ts';
import { api, byId, el, errorText, kindLabel, live, place, session, user, worstPhaseLoad } from '../common.ts';
import { language, locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';

const STATUS_CLASS: Readonly<Record<LedgerStatus, string>> = { online: 'ok', offline: 'bad', unknown: 'warn' };
const state = {
  devices: [] as Device[],
  pending: [] as PendingDevice[],
  chart: null as ChartInstance | null,
  viewer: null as Viewer | null,
  adopting: null as PendingDevice | null,
};
const when = (iso: string) => new Date(iso).toLocaleString(locale);
const form = (id: string) => byId<HTMLFormElement>(id);
const field = <T extends HTMLElement = HTMLInputElement>(f: HTMLFormElement, name: string) => f.elements.namedItem(name) as unknown as T;
const formatName = (p: PendingDevice) => p.formatLabel?.[language] ?? p.format;

function lastText(d: Device): string {
  const v = d.last;
  if (!v) return '—';
  const n = (x: unknown, digits: number) => (typeof x === 'number' ? x.toFixed(digits) : '—');
  switch (d.kind) {
    case 'water_meter':
      return `${n(v.totalM3, 1)} m³ · ${n(v.flowM3h ?? 0, 2)} m³/h`;
    case 'electric_meter':
      return `${n(v.totalKWh, 1)} kWh · ${n(v.powerKW ?? 0, 2)} kW`;
    case 'transformer':
      return t('devices.load', { a: n(Math.max(...(v.currentA ?? [])), 0), pct: n(worstPhaseLoad(d), 0) });
    case 'fridge':
      return `${n(v.tempC, 1)} °C${v.doorOpen ? ` ${t('fridge.door-open')}` : ''}${v.defrost ? ` ${t('fridge.defrost')}` : ''}`;
  }
}

function render() {
  const f = Object.fromEntries(new FormData(form('filters'))) as Record<string, string>;
  const rows = state.devices.filter((d) => (!f.building || d.location.building === f.building) && (!f.kind || d.kind === f.kind));
  byId('summary').textContent = t('devices.summary', { n: rows.length, online: rows.filter((d) => d.status === 'online').length });
  byId<HTMLTableElement>('ledger').tBodies[0]!.replaceChildren(
    ...rows.map((d) =>
      el(
        'tr',
        { dataset: { deviceId: d.id }, onclick: () => history(d) },
        el('td', { text: d.id }),
        el('td', { class: 'name' }, user(d.name)),
        el('td', { text: kindLabel(d.kind) }),
        el('td', {}, ...place(d.location)),
        el('td', {}, ...(d.class ? [user(d.class.name), t('devices.students', { n: d.class.students })] : [])),
        el('td', { class: STATUS_CLASS[d.status], text: t(`device-status.${LEDGER_STATUSES.includes(d.status) ? d.status : 'unknown'}`) }),
        el('td', { text: lastText(d) }),
        el('td', { text: d.lastSeen ? when(d.lastSeen) : t('never') }),
      ),
    ),
  );
}

async function history(d: Device) {
  const to = Date.now();
  const box = byId('history');
  const width = Math.max(300, box.clientWidth || 800);
  const series = await api<SeriesAnswer>(
    `/api/readings?${new URLSearchParams({ device: d.id, from: String(to - 86_400_000), to: String(to), points: String(width * 2) })}`,
  );
  const label = seriesLabel(language, d.kind, series.field);
  box.hidden = false;
  byId('h-title').replaceChildren(user(d.name), t('devices.history', { label, unit: series.unit }));
  state.chart?.destroy();
  state.chart = new Chart(byId<HTMLCanvasElement>('h-chart'), {
    type: 'line',
    data: {
      datasets: [
        {
          label,
          data: series.points.map((p) => ({ x: p.t, y: p.avg })),
          borderColor: '#1565c0',
          pointRadius: series.points.length < 60 ? 2 : 0,
          borderWidth: 1.5,
        },
      ],
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      plugins: { decimation: { enabled: true, algorithm: 'lttb', samples: 500 } },
      scales: {
        x: {
          type: 'linear',
          min: to - 86_400_000,
          max: to,
          ticks: { callback: (v) => new Date(Number(v)).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) },
        },
      },
    },
  }) as unknown as ChartInstance;
  box.dataset.points = String(series.points.length);
}

/** what a pending device's values suggest it is */
function guessKind(fields: Record<string, unknown>): DeviceKind {
  if ('totalM3' in fields || 'status' in fields) return 'water_meter';
  if (Object.keys(fields).some((k) => k.startsWith('currentA'))) return 'transformer';
  if ('tempC' in fields || 'doorOpen' in fields) return 'fridge';
  return 'electric_meter';
}

function renderPending() {
  const v = state.viewer;
  const canAdopt = v && (v.kind === 'service' || v.role === 'admin');
  byId('pending').hidden = state.pending.length === 0;
  byId<HTMLTableElement>('pending-table').tBodies[0]!.replaceChildren(
    ...state.pending.map((p) =>
      el(
        'tr',
        { dataset: { pending: `${p.format}:${p.id}` } },
        el('td', { text: formatName(p) }),
        // what the device calls itself: its own names, as it sent them
        el('td', { class: 'name' }, user(p.id), p.channel ? ` · ${t('pending.channel', { n: p.channel })}` : '', p.component ? [' · ', user(p.component)] : ''),
        el(
          'td',
          {},
          user(
            Object.entries(p.fields)
              .map(([k, x]) => `${k}=${Array.isArray(x) ? x.join(' ') : String(x)}`)
              .join(t('list.comma')),
          ),
        ),
        el('td', { class: 'muted' }, user(p.topic)),
        el('td', { text: `${when(p.firstSeen)} / ${when(p.seenAt)}` }),
        el('td', { text: String(p.messages) }),
        el(
          'td',
          {},
          canAdopt
            ? el('button', { type: 'button', class: 'primary', text: t('pending.adopt'), onclick: () => openAdopt(p) })
            : el('span', { class: 'muted', text: t('pending.admin-only') }),
        ),
      ),
    ),
  );
}

function showKindFields() {
  const kind = field<HTMLSelectElement>(form('adopt'), 'kind').value;
  for (const label of form('adopt').querySelectorAll<HTMLElement>('[data-for]')) label.hidden = label.dataset.for !== kind;
}

function openAdopt(p: PendingDevice) {
  state.adopting = p;
  const f = form('adopt');
  f.reset();
  f.hidden = false;
  field<HTMLSelectElement>(f, 'kind').value = guessKind(p.fields);
  showKindFields();
  byId('adopt-title').replaceChildren(t('adopt.title', { format: formatName(p) }), user(p.id));
  byId('adopt-error').textContent = '';
  field(f, 'id').focus();
}

async function adopt(event: Event) {
  event.preventDefault();
  const p = state.adopting!;
  const f = Object.fromEntries(new FormData(form('adopt'))) as Record<string, string>;
  const device: Record<string, unknown> & { location: Record<string, unknown> } = {
    id: f.id!.trim(),
    name: f.name!.trim(),
    kind: f.kind,
    location: { building: f.building },
  };
  if (f.floor !== '') device.location.floor = Number(f.floor);
  if (f.class) device.class = f.class;
  if (f.kind === 'fridge') device.fridgeClass = f.fridgeClass;
  if (f.kind === 'transformer') device.ratedKVA = Number(f.ratedKVA);
  const source: Record<string, unknown> = { format: p.format, id: p.id };
  for (const k of ['channel', 'component', 'bridge'] as const) if (p[k] !== undefined) source[k] = p[k];
  try {
    await api('/api/devices/adopt', { method: 'POST', body: { source, device, siteId: p.siteId } });
    form('adopt').hidden = true;
    await load();
  } catch (err) {
    byId('adopt-error').replaceChildren(t('adopt.failed'), errorText(err));
  }
}

async function load() {
  const { devices, pending } = await api<{ devices: Device[]; pending?: PendingDevice[] }>('/api/devices');
  state.devices = devices;
  state.pending = pending || [];
  render();
  renderPending();
}

runPage(async () => {
  state.viewer = await session();
  const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
  const adoptForm = form('adopt');
  // names from the campus file, as written
  const option = (value: string, text: string) => el('option', { value, text, dataset: { user: '' } });
  for (const b of sites.flatMap((s) => s.buildings)) {
    field<HTMLSelectElement>(form('filters'), 'building').append(option(b.id, b.name));
    field<HTMLSelectElement>(adoptForm, 'building').append(option(b.id, b.name));
  }
  for (const c of sites.flatMap((s) => s.classes || [])) field<HTMLSelectElement>(adoptForm, 'class').append(option(c.id, c.name));
  adoptForm.addEventListener('submit', (e) => void adopt(e));
  field<HTMLSelectElement>(adoptForm, 'kind').addEventListener('change', showKindFields);
  byId('adopt-cancel').addEventListener('click', () => (adoptForm.hidden = true));
  form('filters').addEventListener('change', render);
  await load();
  live({ resync: load, statuses: load });
  setInterval(() => void load(), 30_000);
  document.body.dataset.ready = 'true';
});
