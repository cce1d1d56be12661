/** The texts of the wall page(s), in both languages (area.ts). */
import { areaText } from './area.ts';

export const wallText = areaText({
  'zh-CN': {
    /** the rows that do not fit, counted: "另有 12 张：紧急 2 · 重要 10；水工 5 · 电工 7" */
    'wall.rest': '另有 {n} 张：{counts}',
    'wall.rest.overdue': '其中 {n} 张已超时',
    'wall.unassigned': '未派工',
    'wall.overdue': '超时 {d}',
    'wall.reports': '{n} 人报修',
    'wall.request': '报修：{kind}',
    'wall.stale': '数据已过时 {m} 分钟',
    'wall.offline': '连接中断，正在重连…',
    'wall.offline.since': '（显示的是 {time} 的数据）',
    'wall.chime.blocked': '提示音：浏览器未允许（点击开启）',
  },
  en: {
    'wall.rest': '{n} more: {counts}',
    'wall.rest.overdue': '{n} of them overdue',
    'wall.unassigned': 'Unassigned',
    'wall.overdue': 'Overdue {d}',
    'wall.reports': '{n} reports',
    'wall.request': 'Reported: {kind}',
    'wall.stale': 'data {m} min old',
    'wall.offline': 'Connection lost, reconnecting…',
    'wall.offline.since': ' (showing data from {time})',
    'wall.chime.blocked': 'Chime: blocked by the browser (click to turn on)',
  },
});
