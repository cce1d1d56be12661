// Shared by every page: who is looking (staff session or display token), API calls, the live
// socket with its connection indicator and resync, and DOM building that only ever sets text.
(function () {
  const params = new URLSearchParams(location.search);
  // a screen opened with ?token=... keeps it for reloads (and drops it from the visible address)
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem('campus.display', fromUrl);
    params.delete('token');
    history.replaceState(null, '', location.pathname + (params.toString() ? `?${params}` : ''));
  }
  const display = sessionStorage.getItem('campus.display');
  let csrf = null;

  /** Off to the login page; what was waiting never resolves, as the page is going away. */
  function toLogin() {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    return new Promise(() => {});
  }

  async function api(path, { method = 'GET', body } = {}) {
    const headers = { accept: 'application/json' };
    if (display) headers.authorization = `Display ${display}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401 && !display && location.pathname !== '/login') return toLogin();
    if (!res.ok) throw Object.assign(new Error(data.message || `HTTP ${res.status}`), { status: res.status });
    return data;
  }

  /** Who is looking; sends an anonymous visitor to the login page. */
  async function session() {
    const s = await api('/api/session');
    if (!s.viewer) return toLogin();
    csrf = s.csrfToken || null;
    const who = document.getElementById('who');
    if (who) who.textContent = s.viewer.kind === 'staff' ? `${s.viewer.name}（${s.viewer.roleLabel}）` : s.viewer.kind === 'display' ? s.viewer.name : '';
    return s.viewer;
  }

  /** The live socket; `handlers.resync` runs after every reconnection (network drop, server restart). */
  function live(handlers) {
    const conn = document.getElementById('connection');
    const socket = io({ transports: ['websocket', 'polling'], auth: display ? { display } : {} });
    let connectedBefore = false;
    const show = (up) => {
      if (!conn) return;
      conn.className = `conn ${up ? 'conn-up' : 'conn-down'}`;
      conn.textContent = up ? t('conn.up', '实时连接') : t('conn.down', '连接中断，重连中');
      document.body.dataset.connected = up ? 'true' : 'false';
    };
    socket.on('connect', () => {
      show(true);
      if (connectedBefore && handlers.resync) handlers.resync().catch((e) => console.error(e));
      connectedBefore = true;
    });
    socket.on('disconnect', () => show(false));
    socket.on('connect_error', () => show(false));
    for (const [event, fn] of Object.entries(handlers)) if (event !== 'resync') socket.on(event, fn);
    return socket;
  }

  /** el('li', { class: 'x', text: name }, child, ...): text is always text, never HTML. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  /** "3小时12分" since an ISO time. */
  function since(iso, now = Date.now()) {
    const m = Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
    if (m < 60) return `${m}分钟`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h}小时${m % 60 ? `${m % 60}分` : ''}` : `${Math.floor(h / 24)}天${h % 24}小时`;
  }

  const SEVERITY = { critical: ['紧急', 3], major: ['重要', 2], minor: ['一般', 1], info: ['提示', 0] };
  const TRADE = { plumber: '水工', electrician: '电工', canteen: '食堂', office: '总务处' };
  const STATUS = { open: '待处理', acknowledged: '已确认', in_progress: '维修中', resolved: '已解决', reopened: '重新打开' };
  const place = (loc) => [loc.buildingName, loc.floor !== null && loc.floor !== undefined ? `${loc.floor}层` : null, loc.roomName].filter(Boolean).join(' · ');

  async function logout() {
    await api('/api/logout', { method: 'POST' }).catch(() => {});
    location.href = '/login';
  }

  /** Worst-phase load of a transformer in % of rated current (docs/developing/domain-rules.md), or undefined. */
  function worstPhaseLoad(device, values = device.last) {
    const rated = device.ratings.ratedCurrentA;
    if (!values || !Array.isArray(values.currentA) || !rated) return undefined;
    return (Math.max(...values.currentA) / rated) * 100;
  }

  /** Whether a fridge's temperature is outside its food-safety limits. */
  function fridgeOutOfRange(device, temp = device.last?.tempC) {
    const lim = device.ratings.limitsC || {};
    return typeof temp === 'number' && (temp > lim.max || (lim.min !== undefined && temp < lim.min));
  }

  window.Campus = { api, session, live, el, since, place, logout, worstPhaseLoad, fridgeOutOfRange, SEVERITY, TRADE, STATUS, display: Boolean(display) };
})();
