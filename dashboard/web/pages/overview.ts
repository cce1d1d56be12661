// Campus overview: live tiles and 24-hour charts. All device text goes through textContent.
import type { Chart as ChartInstance, ChartDataset, LinearScale, ScriptableContext } from 'chart.js';
import type { CampusSite, Device, LastValues, LiveReading, SeriesAnswer } from '../api-types.ts';
import { api, byId, fridgeOutOfRange, joined, live, session, user, worstPhaseLoad } from '../common.ts';
import { locale, t } from '../i18n.ts';
import { runPage } from '../page.ts';

const DAY = 24 * 3600 * 1000;
const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

type Point = { x: number; y: number };
type Dataset = ChartDataset<'line', Point[]> & { deviceId: string };
type LineChart = ChartInstance<'line', Point[]>;

const state = { devices: new Map<string, Device>(), charts: {} as Partial<Record<ChartKey, LineChart>> };

const fmt = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
// times in the school's own zone, whatever the browser's
let timeZone: string | undefined;
const hhmm = (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });

/** Offset of the school's zone from UTC at `ms`, in ms. */
function zoneOffset(ms: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(ms / 1000) * 1000;
}

/** Ticks every 3 hours on the school's local clock (00:00, 03:00, ...). */
function localTicks(axis: LinearScale) {
  const step = 3 * 3600 * 1000;
  const offset = zoneOffset(axis.max);
  const ticks = [];
  for (let x = Math.ceil((axis.min + offset) / step) * step - offset; x <= axis.max; x += step) ticks.push({ value: x });
  axis.ticks = ticks;
}

interface ChartSpec {
  canvas: string;
  pick: (d: Device) => boolean;
  field: string;
  y: (d: Device, v: LastValues) => number | undefined;
  scale?: (d: Device, y: number) => number | undefined;
}

// what each chart shows: which devices, which field, and how a live reading maps to y
const CHARTS = {
  load: {
    canvas: 'chart-load',
    pick: (d) => d.kind === 'transformer',
    field: 'worstPhaseA',
    y: (d, v) => worstPhaseLoad(d, v),
    // the stored worst-phase current as a load: the same formula on one phase value
    scale: (d, y) => worstPhaseLoad(d, { currentA: [y] }),
  },
  water: { canvas: 'chart-water', pick: (d) => d.kind === 'water_meter' && d.ratings.usage === 'campus', field: 'flowM3h', y: (_d, v) => v.flowM3h },
  fridges: { canvas: 'chart-fridges', pick: (d) => d.kind === 'fridge', field: 'tempC', y: (_d, v) => v.tempC },
  buildings: { canvas: 'chart-buildings', pick: (d) => d.kind === 'electric_meter' && !d.class, field: 'powerKW', y: (_d, v) => v.powerKW },
} satisfies Record<string, ChartSpec>;
type ChartKey = keyof typeof CHARTS;
const chartKeys = Object.keys(CHARTS) as ChartKey[];
const specOf = (key: ChartKey): ChartSpec => CHARTS[key];

function makeChart(key: ChartKey, devices: Device[]) {
  const datasets: Dataset[] = devices.map((d, i) => ({
    label: d.name,
    deviceId: d.id,
    data: [],
    borderColor: COLORS[i % COLORS.length],
    backgroundColor: COLORS[i % COLORS.length],
    borderWidth: 1.5,
    pointRadius: (c: ScriptableContext<'line'>) => (c.dataset.data.length < 60 ? 2 : 0),
  }));
  state.charts[key] = new Chart<'line', Point[]>(byId<HTMLCanvasElement>(specOf(key).canvas), {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: { x: { type: 'linear', min: Date.now() - DAY, max: Date.now(), afterBuildTicks: localTicks, ticks: { callback: (v) => hhmm(Number(v)) } } },
      plugins: { decimation: { enabled: true, algorithm: 'lttb', samples: 400 }, legend: { labels: { boxWidth: 12, font: { size: 11 } } } },
    },
  });
}

const datasetsOf = (chart: LineChart) => chart.data.datasets as Dataset[];
const countPoints = (chart: LineChart) => (chart.canvas.dataset.points = String(chart.data.datasets.reduce((n, ds) => n + ds.data.length, 0)));

async function loadHistory(key: ChartKey) {
  const spec = specOf(key);
  const chart = state.charts[key]!;
  const to = Date.now();
  const width = Math.max(200, chart.width || 600);
  slideWindow();
  await Promise.all(
    datasetsOf(chart).map(async (ds) => {
      const device = state.devices.get(ds.deviceId)!;
      const q = new URLSearchParams({ device: ds.deviceId, field: spec.field, from: String(to - DAY), to: String(to), points: String(width * 2) });
      const series = await api<SeriesAnswer>(`/api/readings?${q}`);
      ds.data = series.points.flatMap((p) => {
        const y = spec.scale ? spec.scale(device, p.avg) : p.avg;
        return y === undefined ? [] : [{ x: p.t, y }];
      });
    }),
  );
  chart.update('none');
  countPoints(chart);
}

function row(label: (Node | string)[], value: string, cls: string) {
  const li = document.createElement('li');
  const a = document.createElement('span');
  a.append(...label);
  const b = document.createElement('span');
  b.className = `v ${cls}`;
  b.textContent = value;
  li.append(a, b);
  return li;
}

function renderTiles() {
  const devices = [...state.devices.values()];
  const transformers = devices.filter((d) => d.kind === 'transformer');
  const total = transformers.reduce((sum, d) => sum + (d.last?.powerKW ?? 0), 0);
  byId('total-power').textContent = transformers.some((d) => d.last) ? fmt(total, 1) : '—';

  const main = devices.find((d) => d.kind === 'water_meter' && d.ratings.usage === 'campus');
  byId('main-flow').textContent = fmt(main?.last?.flowM3h, 2);
  byId('main-flow-sub').replaceChildren(...(main ? [user(main.name), ` · ${fmt(main.last?.totalM3, 1)} m³`] : []));

  const online = devices.filter((d) => d.status === 'online').length;
  byId('online').textContent = `${online} / ${devices.length}`;
  const offline = devices.filter((d) => d.status !== 'online');
  byId('online-sub').replaceChildren(
    ...(offline.length
      ? [
          t('overview.offline'),
          ...joined(
            offline.slice(0, 4).map((d) => user(d.name)),
            t('list.sep'),
          ),
          offline.length > 4 ? ' …' : '',
        ]
      : []),
  );

  byId('transformers').replaceChildren(
    ...transformers.map((d) => {
      const load = worstPhaseLoad(d);
      const cls = load === undefined ? '' : load > 100 ? 'bad' : load > 80 ? 'warn' : 'ok';
      return row([user(d.name)], load === undefined ? t('no-data') : `${fmt(load, 0)} %  ·  ${fmt(d.last?.powerKW, 0)} kW`, cls);
    }),
  );

  byId('fridges').replaceChildren(
    ...devices
      .filter((d) => d.kind === 'fridge')
      .map((d) => {
        const temp = d.last?.tempC;
        const lim = d.ratings.limitsC;
        const limitText = lim ? (lim.min !== undefined ? `${lim.min}–${lim.max} °C` : `≤ ${lim.max} °C`) : '—';
        const extra = d.last?.defrost ? ` (${t('fridge.defrost')})` : d.last?.doorOpen ? ` (${t('fridge.door-open')})` : '';
        return row(
          [user(d.name), t('overview.limit', { limit: limitText })],
          typeof temp === 'number' ? `${fmt(temp, 1)} °C${extra}` : t('no-data'),
          fridgeOutOfRange(d, temp) ? 'bad' : 'ok',
        );
      }),
  );
}

/** Slides every chart's window to end now. */
function slideWindow() {
  for (const chart of Object.values(state.charts)) {
    const x = chart.options.scales!.x!;
    x.min = Date.now() - DAY;
    x.max = Date.now();
  }
}

function applyLive(batch: LiveReading[]) {
  const cutoff = Date.now() - DAY;
  slideWindow();
  for (const r of batch) {
    const device = state.devices.get(r.d);
    if (!device) continue;
    device.last = r.v;
    device.lastSeen = new Date().toISOString();
    device.status = 'online';
    for (const key of chartKeys) {
      const chart = state.charts[key];
      const ds = chart && datasetsOf(chart).find((x) => x.deviceId === r.d);
      if (!ds) continue;
      const y = specOf(key).y(device, r.v);
      if (typeof y !== 'number') continue;
      ds.data.push({ x: r.ts, y });
      while (ds.data.length && ds.data[0]!.x < cutoff) ds.data.shift();
    }
  }
  for (const chart of Object.values(state.charts)) {
    chart.update('none');
    countPoints(chart);
  }
  renderTiles();
}

const loadDevices = async () => (await api<{ devices: Device[] }>('/api/devices')).devices;

async function resync() {
  state.devices = new Map((await loadDevices()).map((d) => [d.id, d]));
  renderTiles();
  await Promise.all(chartKeys.map(loadHistory));
}

runPage(async () => {
  await session();
  const { sites } = await api<{ sites: CampusSite[] }>('/api/campus');
  const site = sites[0];
  if (site) {
    timeZone = site.timezone;
    byId('site-name').replaceChildren(user(site.name));
    document.title = `${site.name} · ${document.title}`;
  }
  const devices = await loadDevices();
  state.devices = new Map(devices.map((d) => [d.id, d]));
  for (const key of chartKeys) makeChart(key, devices.filter(specOf(key).pick));
  renderTiles();
  await Promise.all(chartKeys.map(loadHistory));
  document.body.dataset.ready = 'true';

  live({
    resync,
    readings: applyLive,
    statuses: (list: { deviceId: string; status: string }[]) => {
      for (const s of list) {
        const d = state.devices.get(s.deviceId);
        if (d && s.status === 'offline') d.status = 'offline';
      }
      renderTiles();
    },
  });
  // statuses age out without messages: refresh the ledger every minute
  setInterval(
    () =>
      loadDevices()
        .then((list) => {
          for (const d of list) state.devices.set(d.id, d);
          renderTiles();
        })
        .catch(() => {}),
    60_000,
  );
});
