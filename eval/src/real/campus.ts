/**
 * The small campuses the real series are replayed on: a school calendar and only the devices a
 * set needs, each described as the campus file describes its devices (site/demo/dongnan.yaml).
 */
import { parseCampus, type Campus } from '@campus/site';

export interface RealCampusOptions {
  terms: { name: string; start: string; end: string }[];
  holidays?: { name: string; start: string; end: string }[];
  /** YAML flow mappings, one per device */
  devices: string[];
}

export function realCampus(opts: RealCampusOptions): Campus {
  const list = (items: { name: string; start: string; end: string }[]) =>
    items.map((i) => `    - { name: ${i.name}, start: ${i.start}, end: ${i.end} }`).join('\n');
  return parseCampus(
    `
site: { id: real-data, name: 真实数据评估, timezone: Asia/Shanghai }
calendar:
  terms:
${list(opts.terms)}
${opts.holidays?.length ? `  holidays:\n${list(opts.holidays)}` : ''}
  timetable:
    weekdays: [1, 2, 3, 4, 5]
    periods:
      - { name: 第1节, start: "08:00", end: "08:45" }
      - { name: 第8节, start: "16:55", end: "17:40" }
      - { name: 晚自习2, start: "20:30", end: "21:30", kind: self_study }
buildings:
  - { id: dorm, name: 学生公寓, floors: 6 }
  - { id: utility, name: 后勤楼（配电房、水泵房）, floors: 1 }
  - { id: canteen, name: 食堂, floors: 2 }
devices:
${opts.devices.map((d) => `  - ${d}`).join('\n')}
`,
    '(real-data campus)',
  );
}
