// Page text in Chinese (default) and English (?lang=en, remembered across pages; ?lang=zh goes
// back). English replaces known UI phrases in text nodes and placeholders, also in what pages
// render later; data from the campus file (device, room and class names) stays as written.
(function () {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'en' || asked === 'zh') localStorage.setItem('campus.lang', asked);
  const lang = localStorage.getItem('campus.lang') === 'en' ? 'en' : 'zh';

  const PHRASES = {
    设施监测总览: 'Facilities overview',
    总览: 'Overview',
    值班大屏: 'Wall screen',
    报修单: 'Tickets',
    设备台账: 'Devices',
    节能评比: 'Energy contest',
    学期报告: 'Term report',
    '连接中…': 'Connecting…',
    实时连接: 'Live',
    '连接中断，重连中': 'Disconnected, retrying',
    退出: 'Log out',
    总用电功率: 'Total power',
    各变压器有功功率之和: 'Sum of transformer active power',
    总水表流量: 'Main water flow',
    设备在线: 'Devices online',
    '变压器负载（最大相电流 / 额定电流）': 'Transformer load (worst phase / rated current)',
    食堂冷柜温度: 'Canteen fridge temperatures',
    '变压器负载率 %（24 小时）': 'Transformer load % (24 h)',
    '总水表流量 m³/h（24 小时）': 'Main water flow m³/h (24 h)',
    '冷柜温度 °C（24 小时）': 'Fridge temperatures °C (24 h)',
    '各楼用电功率 kW（24 小时）': 'Building power kW (24 h)',
    '校园设施监测 · 员工登录': 'Campus facilities · staff login',
    用户名: 'User name',
    密码: 'Password',
    登录: 'Log in',
    用户名或密码错误: 'Wrong user name or password',
    待处理报修: 'Open repair tickets',
    '变压器负载（最大相）': 'Transformer load (worst phase)',
    食堂冷柜: 'Canteen fridges',
    '✓ 当前没有待处理的报修': '✓ No open repair tickets',
    '提示音：关（点击开启）': 'Chime: off (click to turn on)',
    '提示音：开': 'Chime: on',
    状态: 'Status',
    工种: 'Trade',
    级别: 'Severity',
    未办结: 'Not resolved',
    全部: 'All',
    水工: 'Plumber',
    电工: 'Electrician',
    食堂: 'Canteen',
    总务处: 'Office',
    紧急: 'Critical',
    重要: 'Major',
    一般: 'Minor',
    提示: 'Info',
    待处理: 'Open',
    已确认: 'Acknowledged',
    维修中: 'In progress',
    已解决: 'Resolved',
    重新打开: 'Reopen',
    确认接单: 'Acknowledge',
    开始维修: 'Start work',
    办结: 'Resolve',
    处理记录: 'History',
    '处理说明（办结时必填）': 'Note (required to resolve)',
    办结需要填写处理说明: 'A note is required to resolve',
    发生: 'Opened',
    次数: 'Occurrences',
    条件: 'Condition',
    确认: 'Acknowledged',
    仍存在: 'Still present',
    没有符合条件的报修单: 'No matching tickets',
    楼宇: 'Building',
    类型: 'Kind',
    编号: 'ID',
    名称: 'Name',
    位置: 'Location',
    班级: 'Class',
    最近读数: 'Last reading',
    最后上报: 'Last seen',
    在线: 'online',
    离线: 'offline',
    未知: 'unknown',
    从未: 'never',
    水表: 'Water meter',
    电表: 'Electricity meter',
    变压器: 'Transformer',
    冷柜: 'Fridge',
    资源: 'Resource',
    用电: 'Electricity',
    用水: 'Water',
    周期: 'Period',
    本周: 'This week',
    本月: 'This month',
    本学期: 'This term',
    自定义: 'Custom',
    从: 'From',
    到: 'To',
    '打印 / 张贴': 'Print',
    已设立的评比: 'Saved contests',
    设立为评比: 'Save as contest',
    名次: 'Rank',
    基线平均: 'Baseline avg',
    评比期平均: 'Contest avg',
    节约率: 'Saving',
    节约金额: 'Money saved',
    人数: 'Students',
    人均: 'Per student',
    '节约率排名（与评比前两周上课日相比）': 'Ranking by saving (against the two school weeks before)',
    '人均用量排名（每生每上课日）': 'Use per student per school day',
    每日用量: 'Daily use',
    基线日均: 'Baseline daily average',
    无数据: 'no data',
    限值: 'limit',
  };
  const PATTERNS = [
    [/(\d+)小时(\d+)分(钟)?/g, '$1 h $2 min'],
    [/(\d+)小时/g, '$1 h'],
    [/(\d+)分钟/g, '$1 min'],
    [/(\d+)天/g, '$1 d '],
    [/^已 /, 'open '],
    [/前$/, ' ago'],
    [/(\d+)层/g, 'floor $1'],
    [/先进班级：/, 'Best classes: '],
    [/共节约 ([\d.]+) 元/, 'saved ¥$1 in all'],
    [/ 元$/, ' ¥'],
  ];

  function translate(text) {
    const trimmed = text.trim();
    if (PHRASES[trimmed]) return text.replace(trimmed, PHRASES[trimmed]);
    // whole phrases only: words inside names from the campus file stay as written
    let out = text;
    for (const [re, to] of PATTERNS) out = out.replace(re, to);
    return out;
  }

  function walk(root) {
    const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n; n = texts.nextNode()) {
      if (n.parentElement?.closest('[data-no-translate], script, style')) continue;
      const next = translate(n.nodeValue);
      if (next !== n.nodeValue) n.nodeValue = next;
    }
    if (root.querySelectorAll) for (const el of root.querySelectorAll('[placeholder]')) el.placeholder = translate(el.placeholder);
  }

  window.lang = lang;
  window.t = (key, fallback) => (lang === 'en' ? (PHRASES[fallback] ?? fallback ?? key) : (fallback ?? key));
  document.addEventListener('DOMContentLoaded', () => {
    const link = document.getElementById('lang') ?? Object.assign(document.createElement('a'), { id: 'lang' });
    link.textContent = lang === 'en' ? '中文' : 'English';
    link.href = `?lang=${lang === 'en' ? 'zh' : 'en'}`;
    if (!link.isConnected) document.querySelector('header .right, header')?.append(link);
    if (lang !== 'en') return;
    document.documentElement.lang = 'en';
    document.title = translate(document.title);
    walk(document.body);
    new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === 'characterData') {
          const next = translate(c.target.nodeValue);
          if (next !== c.target.nodeValue) c.target.nodeValue = next;
        }
        for (const n of c.addedNodes) n.nodeType === 3 ? (n.nodeValue = translate(n.nodeValue)) : n.nodeType === 1 && walk(n);
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
})();
