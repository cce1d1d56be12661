// The asset ledger (校产台账): every device, where it is, whether it is alive, its last reading;
// filter by building and kind; a device's 24-hour history chart.
(function () {
  const { el } = Campus;
  const KIND = { water_meter: '水表', electric_meter: '电表', transformer: '变压器', fridge: '冷柜' };
  const STATUS = { online: ['在线', 'ok'], offline: ['离线', 'bad'], unknown: ['未知', 'warn'] };
  const state = { devices: [], chart: null };
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

  async function load() {
    const { devices } = await Campus.api('/api/devices');
    state.devices = devices;
    render();
  }

  async function start() {
    await Campus.session();
    const { sites } = await Campus.api('/api/campus');
    const select = $('filters').building;
    for (const b of sites.flatMap((s) => s.buildings)) select.append(el('option', { value: b.id, text: b.name }));
    $('filters').addEventListener('change', render);
    await load();
    Campus.live({ resync: load, statuses: load });
    setInterval(load, 30_000);
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => start().catch((e) => (document.body.dataset.error = e.message)));
})();
