// The class energy-saving board: ranking by saving against the baseline, kWh per student, the
// period's 先进班级 and the money saved; a class's daily use against its baseline. For a lobby
// screen (display token), a class, or printing for the notice board.
(function () {
  const { el } = Campus;
  const PERIOD = { week: '本周', month: '本月', term: '本学期', custom: '自定义时段' };
  const state = { result: null, selected: null, chart: null };
  const $ = (id) => document.getElementById(id);
  const fmt = (v, d = 1) => (v === null || v === undefined ? '—' : v.toFixed(d));

  async function loadSaved() {
    const { competitions } = await Campus.api('/api/competitions');
    state.saved = new Map(competitions.map((c) => [String(c.id), c]));
    $('choose').saved.replaceChildren(
      el('option', { value: '', text: '—' }),
      ...competitions.map((c) => el('option', { value: c.id, text: `${c.name}（${c.from} 至 ${c.to}）` })),
    );
  }

  /** Choosing a saved competition fills in its window. */
  function applySaved() {
    const form = $('choose');
    const c = state.saved?.get(form.saved.value);
    if (!c) return;
    form.resource.value = c.resource;
    form.period.value = 'custom';
    form.from.value = c.from;
    form.to.value = c.to;
  }

  async function save() {
    const f = Object.fromEntries(new FormData($('choose')));
    try {
      await Campus.api('/api/competitions', { method: 'POST', body: { name: f.name, resource: f.resource, from: f.from, to: f.to } });
      await loadSaved();
      $('note').hidden = true;
    } catch (err) {
      $('note').hidden = false;
      $('note').textContent = err.message;
    }
  }

  async function load() {
    const f = Object.fromEntries(new FormData($('choose')));
    $('choose').classList.toggle('custom', f.period === 'custom');
    if (f.period === 'custom' && !(f.from && f.to)) return;
    const q = new URLSearchParams({ resource: f.resource, period: f.period });
    if (f.period === 'custom') (q.set('from', f.from), q.set('to', f.to));
    const r = await Campus.api(`/api/competition?${q}`);
    state.result = r;
    render();
  }

  function render() {
    const r = state.result;
    const unit = r.unit;
    const kw = r.resource === 'electricity' ? 'kW' : 'm³/h';
    $('title').textContent = `${PERIOD[r.period]}班级${r.resource === 'electricity' ? '节电' : '节水'}评比`;
    $('window').textContent =
      `评比期 ${r.window.from} 至 ${r.window.to}（${r.window.days.length} 个上课日）· 基线 ${r.baseline.from} 至 ${r.baseline.to}（${r.baseline.days.length} 个上课日，考试周不计）· 单价 ${r.tariffYuan} 元/${unit}`;
    const top = r.classes.filter((c) => r.winners.includes(c.classId));
    $('winners').replaceChildren(
      ...(top.length ? ['先进班级：', el('strong', { text: top.map((c) => c.name).join('、') }), `　共节约 ${fmt(r.totalSavedYuan, 0)} 元`] : []),
    );
    $('note').hidden = !r.note;
    $('note').textContent = r.note || '';
    const ranked = r.classes.filter((c) => c.rank > 0);
    $('saving').tBodies[0].replaceChildren(
      ...ranked.map((c) =>
        el(
          'tr',
          {
            class: `${r.winners.includes(c.classId) ? 'top' : ''}${state.selected === c.classId ? ' selected' : ''}`,
            dataset: { classId: c.classId },
            onclick: () => select(c.classId),
          },
          el('td', { text: c.rank }),
          el('td', { text: c.name }),
          el('td', { text: `${fmt(c.baselineAvgKW, 2)} ${kw}` }),
          el('td', { text: `${fmt(c.actualAvgKW, 2)} ${kw}` }),
          el('td', { class: c.savingPct >= 0 ? 'ok' : 'bad', text: `${fmt(c.savingPct, 1)} %` }),
          el('td', { text: `${fmt(c.moneySavedYuan, 0)} 元` }),
        ),
      ),
    );
    const perStudent = r.classes.filter((c) => c.perStudentPerDay !== null).sort((a, b) => a.perStudentPerDay - b.perStudentPerDay);
    $('per-student').tBodies[0].replaceChildren(
      ...perStudent.map((c, i) =>
        el(
          'tr',
          { dataset: { classId: c.classId }, onclick: () => select(c.classId) },
          el('td', { text: i + 1 }),
          el('td', { text: c.name }),
          el('td', { text: c.students }),
          el('td', { text: `${fmt(c.perStudentPerDay, 3)} ${unit}` }),
        ),
      ),
    );
    if (!state.selected && ranked[0]) state.selected = ranked[0].classId;
    drawDaily();
    document.body.dataset.ranked = String(ranked.length);
  }

  function select(classId) {
    state.selected = classId;
    render();
  }

  function drawDaily() {
    const r = state.result;
    const c = r.classes.find((x) => x.classId === state.selected);
    if (state.chart) state.chart.destroy();
    if (!c) return;
    $('daily-title').textContent = `${c.name} 每日${r.resource === 'electricity' ? '用电' : '用水'}（${r.unit}）与基线日均`;
    const labels = c.daily.map((d) => d.date.slice(5));
    const baseDaily = c.coverage.baseline ? c.baselineUse / c.coverage.baseline : null;
    state.chart = new Chart($('daily'), {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: '每日用量', data: c.daily.map((d) => d.use), backgroundColor: c.daily.map((d) => (r.window.days.includes(d.date) ? '#1565c0' : '#9fb6cc')) },
          { type: 'line', label: '基线日均', data: labels.map(() => baseDaily), borderColor: '#c62828', borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { animation: false, maintainAspectRatio: false },
    });
  }

  async function start() {
    const viewer = await Campus.session();
    if (viewer.kind === 'service' || (viewer.kind === 'staff' && viewer.role === 'admin'))
      for (const n of document.querySelectorAll('.admin-only')) n.hidden = false;
    await loadSaved();
    $('choose').saved.addEventListener('change', applySaved);
    $('save').addEventListener('click', save);
    const { sites } = await Campus.api('/api/campus');
    if (sites[0]) $('site-name').textContent = sites[0].name;
    $('choose').addEventListener('change', () => load().catch((e) => (($('note').hidden = false), ($('note').textContent = e.message))));
    $('print').addEventListener('click', () => window.print());
    await load();
    setInterval(() => load().catch(() => {}), 5 * 60_000); // a lobby screen stays current
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => start().catch((e) => (document.body.dataset.error = e.message)));
})();
