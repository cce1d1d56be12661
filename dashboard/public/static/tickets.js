// Ticket handling for staff: filter, open a ticket, see its evidence and audit trail, and
// acknowledge / start / resolve (with a note) / reopen. Works on a phone.
(function () {
  const { el, since, place, SEVERITY, TRADE, STATUS } = Campus;
  const ACTIONS = { ack: '确认接单', start: '开始维修', resolve: '办结', reopen: '重新打开' };
  const ALLOWED = {
    open: ['ack', 'start', 'resolve'],
    reopened: ['ack', 'start', 'resolve'],
    acknowledged: ['start', 'resolve'],
    in_progress: ['resolve'],
    resolved: ['reopen'],
  };
  const ACTION_LABEL = {
    opened: '生成',
    updated: '升级',
    recurred: '再次发生',
    cleared: '条件消除',
    escalated: '升级通知',
    ack: '确认',
    start: '开始维修',
    resolve: '办结',
    reopen: '重新打开',
  };
  const state = { tickets: [], selected: null, viewer: null, chart: null };
  const $ = (id) => document.getElementById(id);

  const filters = () => Object.fromEntries(new FormData($('filters')));

  async function load() {
    const f = filters();
    const q = new URLSearchParams();
    if (f.status) q.set('status', f.status);
    if (f.trade) q.set('trade', f.trade);
    const { tickets } = await Campus.api(`/api/tickets?${q}`);
    state.tickets = tickets.filter((t) => !f.severity || t.severity === f.severity);
    renderList();
    if (state.selected) await select(state.selected, false);
  }

  function renderList() {
    $('list').replaceChildren(
      ...state.tickets.map((t) =>
        el(
          'li',
          { class: `${t.severity}${t.id === state.selected ? ' selected' : ''}`, dataset: { ticketId: t.id }, onclick: () => select(t.id) },
          el('span', { class: `badge ${t.severity}`, text: SEVERITY[t.severity][0] }),
          el(
            'div',
            {},
            el('strong', { text: `${t.title} · ${t.deviceName}` }),
            el('div', { class: 'muted', text: `${place(t.location)} · ${TRADE[t.trade]} · ${STATUS[t.status]} · ${since(t.openedAt)}前` }),
          ),
        ),
      ),
    );
    if (!state.tickets.length) $('list').append(el('li', { class: 'empty', text: '没有符合条件的报修单' }));
  }

  async function select(id, scroll = true) {
    state.selected = id;
    const t = await Campus.api(`/api/tickets/${id}`);
    renderList();
    const d = $('detail');
    d.hidden = false;
    d.dataset.ticketId = t.id;
    d.dataset.status = t.status;
    $('d-title').textContent = `#${t.id} ${t.title} · ${t.deviceName}`;
    $('d-where').textContent = `${place(t.location)} · ${TRADE[t.trade]} · ${SEVERITY[t.severity][0]}`;
    $('d-summary').textContent = t.summary;
    const facts = [
      ['状态', STATUS[t.status]],
      ['发生', `${new Date(t.openedAt).toLocaleString('zh-CN')}（${since(t.openedAt)}前）`],
      ['次数', String(t.occurrences)],
      ['条件', t.clearedAt ? `已于 ${new Date(t.clearedAt).toLocaleString('zh-CN')} 消除，请现场确认` : '仍存在'],
      ['确认', t.acknowledgedBy ? `${t.acknowledgedBy} ${new Date(t.acknowledgedAt).toLocaleString('zh-CN')}` : '—'],
      ['办结', t.resolvedBy ? `${t.resolvedBy} ${new Date(t.resolvedAt).toLocaleString('zh-CN')}` : '—'],
    ];
    $('d-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
    $('d-audit').replaceChildren(
      ...t.audit.map((a) =>
        el(
          'li',
          {},
          el('time', { text: new Date(a.at).toLocaleString('zh-CN') }),
          ` ${a.actor} · ${ACTION_LABEL[a.action] || a.action}${a.note ? `：${a.note}` : ''}`,
        ),
      ),
    );
    renderActions(t);
    renderEvidence(t);
    if (scroll && window.innerWidth < 900) d.scrollIntoView({ behavior: 'smooth' });
  }

  function mayAct(t) {
    const v = state.viewer;
    return v && (v.kind === 'service' || (v.kind === 'staff' && v.trades.includes(t.trade)));
  }

  function renderActions(t) {
    const buttons = $('d-actions').querySelector('.buttons');
    const allowed = mayAct(t) ? ALLOWED[t.status] || [] : [];
    buttons.replaceChildren(
      ...allowed.map((a) =>
        el('button', { type: 'button', class: a === 'resolve' ? 'primary' : '', dataset: { action: a }, text: ACTIONS[a], onclick: () => act(t.id, a) }),
      ),
    );
    $('d-actions').hidden = !allowed.length;
    $('d-error').textContent = '';
  }

  async function act(id, action) {
    const note = $('d-actions').note.value.trim();
    if (action === 'resolve' && !note) {
      $('d-error').textContent = '办结需要填写处理说明';
      return;
    }
    try {
      await Campus.api(`/api/tickets/${id}/${action}`, { method: 'POST', body: { note: note || undefined } });
      $('d-actions').note.value = '';
      await load();
    } catch (err) {
      $('d-error').textContent = err.message;
    }
  }

  function renderEvidence(t) {
    const box = $('d-chart').parentElement;
    box.hidden = t.evidence.length === 0; // e.g. a meter's own alarm flag carries no series
    const data = t.evidence.map((e) => ({ x: e.ts, y: e.value }));
    const unit = t.evidence[0]?.unit ?? '';
    if (state.chart) state.chart.destroy();
    state.chart = new Chart($('d-chart'), {
      type: 'line',
      data: { datasets: [{ label: `证据 ${unit}`, data, borderColor: '#c62828', backgroundColor: '#c62828', pointRadius: 3 }] },
      options: {
        animation: false,
        parsing: false,
        maintainAspectRatio: false,
        scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(v).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }) } } },
      },
    });
  }

  async function start() {
    state.viewer = await Campus.session();
    $('logout').addEventListener('click', () => Campus.logout());
    $('filters').addEventListener('change', () => load());
    const wanted = Number(new URLSearchParams(location.search).get('id'));
    await load();
    if (wanted) await select(wanted);
    Campus.live({
      resync: load,
      ticket: (t) => {
        // keep the list live without losing the staff member's place
        const i = state.tickets.findIndex((x) => x.id === t.id);
        if (i >= 0) state.tickets[i] = t;
        else state.tickets.unshift(t);
        renderList();
        if (state.selected === t.id) select(t.id, false);
      },
    });
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => start().catch((e) => (document.body.dataset.error = e.message)));
})();
