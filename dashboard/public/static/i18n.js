// Page text in Chinese (default) and English (?lang=en). Elements carry data-i18n="key".
(function () {
  const en = {
    'overview.title': 'Facilities overview',
    'nav.overview': 'Overview',
    'conn.connecting': 'Connecting…',
    'conn.up': 'Live',
    'conn.down': 'Disconnected, retrying',
    'tile.power': 'Total power',
    'tile.power.sub': 'Sum of transformer active power',
    'tile.water': 'Main water flow',
    'tile.online': 'Devices online',
    'tile.transformers': 'Transformer load (worst phase / rated current)',
    'tile.fridges': 'Canteen fridge temperatures',
    'chart.load': 'Transformer load % (24 h)',
    'chart.water': 'Main water flow m³/h (24 h)',
    'chart.fridges': 'Fridge temperatures °C (24 h)',
    'chart.buildings': 'Building power kW (24 h)',
    limit: 'limit',
    offline: 'offline',
    'no data': 'no data',
    'login.title': 'Campus facilities · staff login',
    'login.username': 'User name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'nav.wall': 'Wall screen',
    'nav.tickets': 'Tickets',
    'nav.devices': 'Devices',
  };
  const zh = { 'conn.up': '实时连接', 'conn.down': '连接中断，重连中', limit: '限值', offline: '离线', 'no data': '无数据' };
  const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh';
  window.t = (key, fallback) => (lang === 'en' ? en[key] : zh[key]) ?? fallback ?? key;
  window.lang = lang;
  document.addEventListener('DOMContentLoaded', () => {
    if (lang !== 'en') return;
    document.documentElement.lang = 'en';
    for (const el of document.querySelectorAll('[data-i18n]')) {
      const text = en[el.dataset.i18n];
      if (text) el.textContent = text;
    }
    const link = document.getElementById('lang');
    if (link) {
      link.textContent = '中文';
      link.href = '?';
    }
  });
})();
