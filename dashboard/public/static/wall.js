// The wall screen for the plumber and electrician on duty: open repair tickets by severity, then
// age; live tiles; a new critical ticket is highlighted and chimes. Opened with a display token.
(function () {
  const { el, since, place, SEVERITY, TRADE, STATUS } = Campus;
  const MAX_ROWS = 12;
  const state = { tickets: new Map(), devices: new Map(), timeZone: 'Asia/Shanghai', seen: new Set(), flashing: new Map() };
  const $ = (id) => document.getElementById(id);
  let audio = null;

  function chime() {
    if (!audio) return;
    try {
      tones();
    } catch (err) {
      console.warn('chime failed', err);
    }
  }

  function tones() {
    // two short tones, made here: no sound file to load
    const now = audio.currentTime;
    for (const [i, f] of [880, 660].entries()) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, now + i * 0.35);
      g.gain.exponentialRampToValueAtTime(0.4, now + i * 0.35 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
      o.connect(g).connect(audio.destination);
      o.start(now + i * 0.35);
      o.stop(now + i * 0.35 + 0.32);
    }
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
  }

  function order(a, b) {
    return SEVERITY[b.severity][1] - SEVERITY[a.severity][1] || Date.parse(a.openedAt) - Date.parse(b.openedAt);
  }

  function renderTickets() {
    const all = [...state.tickets.values()].filter((t) => t.status !== 'resolved').sort(order);
    const repairs = all.filter((t) => t.category === 'repair');
    const notices = all.length - repairs.length;
    const shown = repairs.slice(0, MAX_ROWS);
    $('count').textContent = String(repairs.length);
    $('tickets').replaceChildren(
      ...shown.map((t) =>
        el(
          'li',
          { class: `${t.severity}${t.clearedAt ? ' cleared' : ''}${state.flashing.has(t.id) ? ' flash' : ''}`, dataset: { ticketId: t.id } },
          el('span', { class: 'sev', text: SEVERITY[t.severity][0] }),
          el(
            'div',
            {},
            el('div', { class: 'what', text: `${t.title} · ${t.deviceName}` }),
            el('div', { class: 'where', text: `${place(t.location)} · ${TRADE[t.trade]} · ${STATUS[t.status]}${t.clearedAt ? ' · 已恢复待确认' : ''}` }),
          ),
          el('div', { class: 'age' }, `已 ${since(t.openedAt)}`, el('small', { text: t.occurrences > 1 ? `第 ${t.occurrences} 次` : '' })),
        ),
      ),
    );
    const rest = repairs.slice(MAX_ROWS);
    const counts = Object.keys(SEVERITY)
      .map((s) => [SEVERITY[s][0], rest.filter((t) => t.severity === s).length])
      .filter(([, n]) => n)
      .map(([label, n]) => `${label} ${n}`);
    $('more').textContent = [rest.length ? `另有 ${rest.length} 张报修单（${counts.join(' · ')}）` : '', notices ? `提示 ${notices} 条（见报修单页面）` : '']
      .filter(Boolean)
      .join('；');
    $('none').hidden = repairs.length > 0;
  }

  function renderTiles() {
    const devices = [...state.devices.values()];
    $('transformers').replaceChildren(
      ...devices
        .filter((d) => d.kind === 'transformer')
        .map((d) => {
          const load = Campus.worstPhaseLoad(d) ?? null;
          const cls = load === null ? '' : load > 100 ? 'bad' : load > 80 ? 'warn' : 'ok';
          return el('li', {}, el('span', { text: d.name }), el('span', { class: `v ${cls}`, text: load === null ? '无数据' : `${load.toFixed(0)} %` }));
        }),
    );
    const main = devices.find((d) => d.kind === 'water_meter' && d.ratings.usage === 'campus');
    $('flow').textContent = main?.last ? `${main.last.flowM3h.toFixed(2)} m³/h` : '—';
    $('fridges').replaceChildren(
      ...devices
        .filter((d) => d.kind === 'fridge')
        .map((d) => {
          const temp = d.last?.tempC;
          const out = Campus.fridgeOutOfRange(d, temp);
          return el(
            'li',
            {},
            el('span', { text: d.name }),
            el('span', {
              class: `v ${out ? 'bad' : 'ok'}`,
              text: typeof temp === 'number' ? `${temp.toFixed(1)} °C${d.last.defrost ? ' 除霜' : ''}` : '无数据',
            }),
          );
        }),
    );
  }

  function onTicket(t) {
    const isNew = !state.seen.has(t.id);
    state.seen.add(t.id);
    if (t.status === 'resolved') state.tickets.delete(t.id);
    else state.tickets.set(t.id, t);
    if (isNew && t.severity === 'critical' && t.status !== 'resolved') {
      state.flashing.set(t.id, Date.now());
      chime();
    }
    renderTickets();
  }

  async function resync() {
    const [{ tickets }, { devices }] = await Promise.all([Campus.api('/api/tickets?status=open'), Campus.api('/api/devices')]);
    state.tickets = new Map(tickets.map((t) => [t.id, t]));
    for (const t of tickets) state.seen.add(t.id);
    state.devices = new Map(devices.map((d) => [d.id, d]));
    renderTickets();
    renderTiles();
  }

  function tickClock() {
    $('clock').textContent = new Date().toLocaleString('zh-CN', {
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

  async function start() {
    await Campus.session();
    const { sites } = await Campus.api('/api/campus');
    if (sites[0]) {
      $('site-name').textContent = sites[0].name;
      state.timeZone = sites[0].timezone;
    }
    const button = $('chime');
    button.addEventListener('click', () => {
      const on = button.getAttribute('aria-pressed') !== 'true';
      if (on && !audio) audio = new AudioContext();
      if (!on && audio) {
        audio.close();
        audio = null;
      }
      button.setAttribute('aria-pressed', String(on));
      button.textContent = on ? '提示音：开' : '提示音：关（点击开启）';
      if (on) chime();
    });
    await resync();
    tickClock();
    setInterval(() => {
      tickClock();
      renderTickets(); // durations move on
    }, 30_000);
    Campus.live({
      resync,
      ticket: onTicket,
      readings: (batch) => {
        for (const r of batch) {
          const d = state.devices.get(r.d);
          if (d) d.last = r.v;
        }
        renderTiles();
      },
    });
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => start().catch((e) => (document.body.dataset.error = e.message)));
})();
