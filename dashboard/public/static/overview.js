// Campus overview: live tiles and 24-hour charts. All device text goes through textContent.
(function () {
  const DAY = 24 * 3600 * 1000;
  const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];
  const state = { devices: new Map(), charts: {}, series: new Map() };

  const $ = (id) => document.getElementById(id);
  const fmt = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
  // times in the school's own zone, whatever the browser's
  let timeZone;
  const hhmm = (ms) =>
    new Date(ms).toLocaleTimeString(window.lang === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });

  const getJson = (url) => Campus.api(url);

  /** Offset of the school's zone from UTC at `ms`, in ms. */
  function zoneOffset(ms) {
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
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - Math.floor(ms / 1000) * 1000;
  }

  /** Ticks every 3 hours on the school's local clock (00:00, 03:00, ...). */
  function localTicks(axis) {
    const step = 3 * 3600 * 1000;
    const offset = zoneOffset(axis.max);
    const ticks = [];
    for (let t = Math.ceil((axis.min + offset) / step) * step - offset; t <= axis.max; t += step) ticks.push({ value: t });
    axis.ticks = ticks;
  }

  const { worstPhaseLoad, fridgeOutOfRange } = Campus;

  // what each chart shows: which devices, which field, and how a live reading maps to y
  const CHARTS = {
    load: {
      canvas: 'chart-load',
      pick: (d) => d.kind === 'transformer',
      field: 'worstPhaseA',
      y: (d, v) => worstPhaseLoad(d, v),
      scale: (d, y) => (y / d.ratings.ratedCurrentA) * 100,
    },
    water: { canvas: 'chart-water', pick: (d) => d.kind === 'water_meter' && d.ratings.usage === 'campus', field: 'flowM3h', y: (d, v) => v.flowM3h },
    fridges: { canvas: 'chart-fridges', pick: (d) => d.kind === 'fridge', field: 'tempC', y: (d, v) => v.tempC },
    buildings: { canvas: 'chart-buildings', pick: (d) => d.kind === 'electric_meter' && !d.class, field: 'powerKW', y: (d, v) => v.powerKW },
  };

  function makeChart(key, devices) {
    const spec = CHARTS[key];
    const canvas = $(spec.canvas);
    const datasets = devices.map((d, i) => ({
      label: d.name,
      deviceId: d.id,
      data: [],
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
      borderWidth: 1.5,
      pointRadius: (c) => (c.dataset.data.length < 60 ? 2 : 0),
    }));
    state.charts[key] = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: { type: 'linear', min: Date.now() - DAY, max: Date.now(), afterBuildTicks: localTicks, ticks: { callback: (v) => hhmm(v) } } },
        plugins: { decimation: { enabled: true, algorithm: 'lttb', samples: 400 }, legend: { labels: { boxWidth: 12, font: { size: 11 } } } },
      },
    });
  }

  async function loadHistory(key) {
    const spec = CHARTS[key];
    const chart = state.charts[key];
    const to = Date.now();
    const width = Math.max(200, chart.width || 600);
    slideWindow();
    await Promise.all(
      chart.data.datasets.map(async (ds) => {
        const device = state.devices.get(ds.deviceId);
        const q = new URLSearchParams({ device: ds.deviceId, field: spec.field, from: String(to - DAY), to: String(to), points: String(width * 2) });
        const series = await getJson(`/api/readings?${q}`);
        ds.data = series.points.map((p) => ({ x: p.t, y: spec.scale ? spec.scale(device, p.avg) : p.avg }));
      }),
    );
    chart.update('none');
    chart.canvas.dataset.points = String(chart.data.datasets.reduce((n, ds) => n + ds.data.length, 0));
  }

  function renderTiles() {
    const devices = [...state.devices.values()];
    const transformers = devices.filter((d) => d.kind === 'transformer');
    const total = transformers.reduce((sum, d) => sum + (d.last?.powerKW ?? 0), 0);
    $('total-power').textContent = transformers.some((d) => d.last) ? fmt(total, 1) : '—';

    const main = devices.find((d) => d.kind === 'water_meter' && d.ratings.usage === 'campus');
    $('main-flow').textContent = fmt(main?.last?.flowM3h, 2);
    $('main-flow-sub').textContent = main ? `${main.name} · ${fmt(main.last?.totalM3, 1)} m³` : '';

    const online = devices.filter((d) => d.status === 'online').length;
    $('online').textContent = `${online} / ${devices.length}`;
    const offline = devices.filter((d) => d.status !== 'online');
    $('online-sub').textContent = offline.length
      ? `${t('offline', '离线')}: ${offline
          .slice(0, 4)
          .map((d) => d.name)
          .join('、')}${offline.length > 4 ? ' …' : ''}`
      : '';

    const tList = $('transformers');
    tList.replaceChildren(
      ...transformers.map((d) => {
        const load = worstPhaseLoad(d, d.last);
        const cls = load === undefined ? '' : load > 100 ? 'bad' : load > 80 ? 'warn' : 'ok';
        return row(d.name, load === undefined ? t('no data', '无数据') : `${fmt(load, 0)} %  ·  ${fmt(d.last?.powerKW, 0)} kW`, cls);
      }),
    );

    const fList = $('fridges');
    fList.replaceChildren(
      ...devices
        .filter((d) => d.kind === 'fridge')
        .map((d) => {
          const temp = d.last?.tempC;
          const lim = d.ratings.limitsC || {};
          const out = fridgeOutOfRange(d, temp);
          const limitText = lim.min !== undefined ? `${lim.min}–${lim.max} °C` : `≤ ${lim.max} °C`;
          const extra = d.last?.defrost ? ' (除霜)' : d.last?.doorOpen ? ' (门开)' : '';
          return row(
            `${d.name}（${t('limit', '限值')} ${limitText}）`,
            typeof temp === 'number' ? `${fmt(temp, 1)} °C${extra}` : t('no data', '无数据'),
            out ? 'bad' : 'ok',
          );
        }),
    );
  }

  function row(label, value, cls) {
    const li = document.createElement('li');
    const a = document.createElement('span');
    a.textContent = label;
    const b = document.createElement('span');
    b.className = `v ${cls || ''}`;
    b.textContent = value;
    li.append(a, b);
    return li;
  }

  /** Slides every chart's window to end now. */
  function slideWindow() {
    for (const chart of Object.values(state.charts)) {
      chart.options.scales.x.min = Date.now() - DAY;
      chart.options.scales.x.max = Date.now();
    }
  }

  function applyLive(batch) {
    const cutoff = Date.now() - DAY;
    slideWindow();
    for (const r of batch) {
      const device = state.devices.get(r.d);
      if (!device) continue;
      device.last = r.v;
      device.lastSeen = new Date().toISOString();
      device.status = 'online';
      for (const [key, spec] of Object.entries(CHARTS)) {
        const chart = state.charts[key];
        const ds = chart?.data.datasets.find((x) => x.deviceId === r.d);
        if (!ds) continue;
        const y = spec.y(device, r.v);
        if (typeof y !== 'number') continue;
        ds.data.push({ x: r.ts, y });
        while (ds.data.length && ds.data[0].x < cutoff) ds.data.shift();
      }
    }
    for (const chart of Object.values(state.charts)) {
      chart.update('none');
      chart.canvas.dataset.points = String(chart.data.datasets.reduce((n, ds) => n + ds.data.length, 0));
    }
    renderTiles();
  }

  async function resync() {
    const { devices } = await getJson('/api/devices');
    state.devices = new Map(devices.map((d) => [d.id, d]));
    renderTiles();
    await Promise.all(Object.keys(CHARTS).map(loadHistory));
  }

  async function start() {
    await Campus.session();
    const campus = await getJson('/api/campus');
    const site = campus.sites[0];
    if (site) {
      timeZone = site.timezone;
      $('site-name').textContent = site.name;
      document.title = `${site.name} · ${document.title}`;
    }
    const { devices } = await getJson('/api/devices');
    state.devices = new Map(devices.map((d) => [d.id, d]));
    for (const [key, spec] of Object.entries(CHARTS)) makeChart(key, devices.filter(spec.pick));
    renderTiles();
    await Promise.all(Object.keys(CHARTS).map(loadHistory));
    document.body.dataset.ready = 'true';

    Campus.live({
      resync,
      readings: applyLive,
      statuses: (list) => {
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
        getJson('/api/devices')
          .then(({ devices }) => {
            for (const d of devices) state.devices.set(d.id, d);
            renderTiles();
          })
          .catch(() => {}),
      60_000,
    );
  }

  document.addEventListener('DOMContentLoaded', () => {
    start().catch((err) => {
      console.error(err);
      document.body.dataset.error = String(err.message || err);
    });
  });
})();
