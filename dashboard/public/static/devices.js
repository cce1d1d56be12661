// The asset ledger (校产台账): every device, where it is, whether it is alive, its last reading;
// filter by building and kind; a device's 24-hour history chart.
(function () {
  const { el } = Campus;
  const KIND = { water_meter: '水表', electric_meter: '电表', transformer: '变压器', fridge: '冷柜' };
  const STATUS = { online: ['在线', 'ok'], offline: ['离线', 'bad'], unknown: ['未知', 'warn'] };
  const state = { devices: [], pending: [], chart: null, viewer: null, adopting: null };
  const FORMAT = { tasmota: 'Tasmota', shelly: 'Shelly', zigbee2mqtt: 'Zigbee2MQTT', wmbus: 'wM-Bus (wmbusmeters)' };
  const $ = (id) => document.getElementById(id);

  function lastText(d) {
    const v = d.last;
    if (!v) return '—';
    switch (d.kind) {
      case 'water_meter':
        return `${v.totalM3.toFixed(1)} m³ · ${(v.flowM3h ?? 0).toFixed(2)} m³/h`;
      case 'electric_meter':
        return `${v.totalKWh.toFixed(1)} kWh · ${(v.powerKW ?? 0).toFixed(2)} kW`;
      case 'transformer':
        return `${Math.max(...v.currentA).toFixed(0)} A（${((Math.max(...v.currentA) / d.ratings.ratedCurrentA) * 100).toFixed(0)}%）`;
      case 'fridge':
        return `${v.tempC.toFixed(1)} °C${v.doorOpen ? ' 门开' : ''}${v.defrost ? ' 除霜' : ''}`;
    }
    return '';
  }

  function render() {
    const f = Object.fromEntries(new FormData($('filters')));
    const rows = state.devices.filter((d) => (!f.building || d.location.building === f.building) && (!f.kind || d.kind === f.kind));
    $('summary').textContent = `共 ${rows.length} 台，在线 ${rows.filter((d) => d.status === 'online').length} 台`;
    $('ledger').tBodies[0].replaceChildren(
      ...rows.map((d) =>
        el(
          'tr',
          { dataset: { deviceId: d.id }, onclick: () => history(d) },
          el('td', { text: d.id }),
          el('td', { class: 'name', text: d.name }),
          el('td', { text: KIND[d.kind] }),
          el('td', {
            text: [d.location.buildingName, d.location.floor !== null ? `${d.location.floor}层` : null, d.location.roomName].filter(Boolean).join(' · '),
          }),
          el('td', { text: d.class ? `${d.class.name}（${d.class.students}人）` : '' }),
          el('td', { class: STATUS[d.status][1], text: STATUS[d.status][0] }),
          el('td', { text: lastText(d) }),
          el('td', { text: d.lastSeen ? new Date(d.lastSeen).toLocaleString('zh-CN') : '从未' }),
        ),
      ),
    );
  }

  async function history(d) {
    const to = Date.now();
    const width = Math.max(300, $('history').clientWidth || 800);
    const series = await Campus.api(
      `/api/readings?${new URLSearchParams({ device: d.id, from: String(to - 86_400_000), to: String(to), points: String(width * 2) })}`,
    );
    $('history').hidden = false;
    $('h-title').textContent = `${d.name} · ${series.label}（${series.unit}，24 小时）`;
    if (state.chart) state.chart.destroy();
    state.chart = new Chart($('h-chart'), {
      type: 'line',
      data: {
        datasets: [
          {
            label: series.label,
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
            ticks: { callback: (v) => new Date(v).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }) },
          },
        },
      },
    });
    $('history').dataset.points = String(series.points.length);
  }

  /** what a pending device's values suggest it is */
  function guessKind(fields) {
    if ('totalM3' in fields || 'status' in fields) return 'water_meter';
    if (Object.keys(fields).some((k) => k.startsWith('currentA'))) return 'transformer';
    if ('tempC' in fields || 'doorOpen' in fields) return 'fridge';
    return 'electric_meter';
  }

  function renderPending() {
    const canAdopt = state.viewer && (state.viewer.kind === 'service' || state.viewer.role === 'admin');
    $('pending').hidden = state.pending.length === 0;
    $('pending-table').tBodies[0].replaceChildren(
      ...state.pending.map((p) =>
        el(
          'tr',
          { dataset: { pending: `${p.format}:${p.id}` } },
          el('td', { text: FORMAT[p.format] || p.format }),
          el('td', { class: 'name', text: [p.id, p.channel ? `通道 ${p.channel}` : null, p.component].filter(Boolean).join(' · ') }),
          el('td', {
            text: Object.entries(p.fields)
              .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(' ') : v}`)
              .join('，'),
          }),
          el('td', { class: 'muted', text: p.topic }),
          el('td', { text: `${new Date(p.firstSeen).toLocaleString('zh-CN')} / ${new Date(p.seenAt).toLocaleString('zh-CN')}` }),
          el('td', { text: String(p.messages) }),
          el(
            'td',
            {},
            canAdopt
              ? el('button', { type: 'button', class: 'primary', text: '接入', onclick: () => openAdopt(p) })
              : el('span', { class: 'muted', text: '需总务处管理员接入' }),
          ),
        ),
      ),
    );
  }

  function showKindFields() {
    const kind = $('adopt').kind.value;
    for (const label of $('adopt').querySelectorAll('[data-for]')) label.hidden = label.dataset.for !== kind;
  }

  function openAdopt(p) {
    state.adopting = p;
    const form = $('adopt');
    form.reset();
    form.hidden = false;
    form.kind.value = guessKind(p.fields);
    showKindFields();
    $('adopt-title').textContent = `接入 ${FORMAT[p.format] || p.format}「${p.id}」`;
    $('adopt-error').textContent = '';
    form.id.focus();
  }

  async function adopt(event) {
    event.preventDefault();
    const p = state.adopting;
    const f = Object.fromEntries(new FormData($('adopt')));
    const device = { id: f.id.trim(), name: f.name.trim(), kind: f.kind, location: { building: f.building } };
    if (f.floor !== '') device.location.floor = Number(f.floor);
    if (f.class) device.class = f.class;
    if (f.kind === 'fridge') device.fridgeClass = f.fridgeClass;
    if (f.kind === 'transformer') device.ratedKVA = Number(f.ratedKVA);
    const source = { format: p.format, id: p.id };
    for (const k of ['channel', 'component', 'bridge']) if (p[k] !== undefined) source[k] = p[k];
    try {
      await Campus.api('/api/devices/adopt', { method: 'POST', body: { source, device, siteId: p.siteId } });
      $('adopt').hidden = true;
      await load();
    } catch (err) {
      $('adopt-error').textContent = `未接入：${err.message}`;
    }
  }

  async function load() {
    const { devices, pending } = await Campus.api('/api/devices');
    state.devices = devices;
    state.pending = pending || [];
    render();
    renderPending();
  }

  async function start() {
    state.viewer = await Campus.session();
    const { sites } = await Campus.api('/api/campus');
    const select = $('filters').building;
    for (const b of sites.flatMap((s) => s.buildings)) {
      select.append(el('option', { value: b.id, text: b.name }));
      $('adopt').building.append(el('option', { value: b.id, text: b.name }));
    }
    for (const c of sites.flatMap((s) => s.classes || [])) $('adopt').class.append(el('option', { value: c.id, text: c.name }));
    $('adopt').addEventListener('submit', adopt);
    $('adopt').kind.addEventListener('change', showKindFields);
    $('adopt-cancel').addEventListener('click', () => ($('adopt').hidden = true));
    $('filters').addEventListener('change', render);
    await load();
    Campus.live({ resync: load, statuses: load });
    setInterval(load, 30_000);
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => start().catch((e) => (document.body.dataset.error = e.message)));
})();
