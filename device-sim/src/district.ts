/**
 * A school district for load runs: N small schools shaped like the demo campus (same calendar and
 * time zone, teaching buildings, a science building, dormitories, a canteen, a utility building),
 * each with exactly M devices: mostly one electricity meter per class (the competition's meters),
 * about 15 % water meters (the campus main, the canteen, dormitory floors, teaching-floor toilets),
 * building meters, one or two transformers sized for their load, and the canteen's fridges.
 * Site ids are d001, d002, ...; device ids start with the site id, so they are unique across the
 * district (the broker's simulated logins look devices up by id alone).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildCampus, DEMO_CAMPUS_FILE, type Campus } from '@campus/site';
import { hashString, unit } from './random.ts';

export interface DistrictOptions {
  sites: number;
  devicesPerSite: number;
  /** varies class sizes; the same seed gives the same district */
  seed?: number;
  /** every device's declared reporting interval (offline after 3x); default 30 s */
  reportingIntervalS?: number;
}

/** The fewest devices a site can have: a transformer, two fridges, two water meters, one classroom meter. */
export const MIN_DEVICES_PER_SITE = 6;

const PLACES = [
  '东城',
  '西城',
  '南湖',
  '北山',
  '城关',
  '实验',
  '育才',
  '新华',
  '光明',
  '红星',
  '文昌',
  '青山',
  '滨江',
  '长安',
  '建设',
  '振华',
  '明德',
  '启智',
  '崇文',
  '向阳',
];

const TRANSFORMER_SIZES_KVA = [80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150];
/** peak kW of a load before the transformer (profiles.ts: demand x the largest scale, habit and noise) */
const PEAK_KW = { classroom: 4.3, laboratory: 22, dormitory: 39, canteen: 58 } as const;
/** peak m³/h of a water meter (profiles.ts, same margins) */
const PEAK_M3H = { dormitory: 4.7, classroom: 3.4, canteen: 4, campus: 3.4 } as const;
const ROOMS_PER_FLOOR = 8;
const TEACHING_FLOORS = 5;
const DORM_FLOORS = 6;

export function districtSiteId(index: number, sites: number): string {
  return `d${String(index + 1).padStart(Math.max(3, String(sites).length), '0')}`;
}

/** The calendar of the demo campus: one district, one school year. */
let demoCalendar: unknown;
function calendar(): unknown {
  demoCalendar ??= (parse(readFileSync(DEMO_CAMPUS_FILE, 'utf8')) as { calendar: unknown }).calendar;
  return structuredClone(demoCalendar);
}

function transformerKVA(loadKW: number): number {
  // the peak at about 60 % of the rating: no overload or near-capacity tickets from a healthy school
  const needed = (loadKW * 1.1) / 0.92 / 0.6;
  return TRANSFORMER_SIZES_KVA.find((s) => s * 0.96 >= needed) ?? Math.ceil(needed / 500) * 500;
}

/** One site's campus document (what a campus file holds), ready for buildCampus or YAML. */
export function districtCampusDocument(index: number, opts: DistrictOptions): Record<string, unknown> {
  const D = opts.devicesPerSite;
  if (!Number.isInteger(D) || D < MIN_DEVICES_PER_SITE) throw new RangeError(`devicesPerSite must be an integer >= ${MIN_DEVICES_PER_SITE}, not ${D}`);
  const site = districtSiteId(index, opts.sites);
  const seed = opts.seed ?? 1;
  const stream = hashString(`district/${seed}/${site}`);
  const interval = opts.reportingIntervalS ?? 30;
  const id = (local: string) => `${site}-${local}`;

  // the device mix
  const transformers = D >= 40 ? 2 : 1;
  const fridges = Math.min(10, Math.max(2, Math.round(D * 0.03)));
  const water = Math.max(2, Math.round(D * 0.15));
  const dormFloorMeters = Math.ceil((water - 2) / 2);
  const toiletMeters = water - 2 - dormFloorMeters;
  const dormBuildings = Math.max(1, Math.ceil(dormFloorMeters / DORM_FLOORS));
  const buildingMeters = D >= 20 ? 2 + dormBuildings : 0;
  const classroomMeters = D - transformers - fridges - water - buildingMeters;
  const teachingBuildings = Math.max(1, Math.ceil(classroomMeters / (ROOMS_PER_FLOOR * (TEACHING_FLOORS - 1))), Math.ceil(toiletMeters / TEACHING_FLOORS));

  const buildings: Record<string, unknown>[] = [];
  for (let b = 1; b <= teachingBuildings; b++) buildings.push({ id: `teaching-${b}`, name: `${b}号教学楼`, floors: TEACHING_FLOORS });
  buildings.push({ id: 'science', name: '科技楼', floors: 4 });
  for (let b = 1; b <= dormBuildings; b++) buildings.push({ id: `dorm-${b}`, name: `${b}号学生公寓`, floors: DORM_FLOORS });
  buildings.push({ id: 'canteen', name: '食堂', floors: 2 }, { id: 'utility', name: '后勤楼（配电房、水泵房）', floors: 1 });

  const rooms: Record<string, unknown>[] = [
    { id: 'S-LABS', name: '科技楼实验室', building: 'science', floor: 1 },
    { id: 'C-KITCHEN', name: '后厨', building: 'canteen', floor: 1 },
    { id: 'C-COLD', name: '冷藏间', building: 'canteen', floor: 1 },
    { id: 'C-SAMPLE', name: '留样间', building: 'canteen', floor: 1 },
    { id: 'U-POWER', name: '配电房', building: 'utility', floor: 1 },
    { id: 'U-PUMP', name: '水泵房', building: 'utility', floor: 1 },
  ];

  // classes over the grades of a secondary school (a big school runs more grades: 十二年一贯制)
  const grades = Math.min(12, Math.max(3, Math.ceil(classroomMeters / 16)));
  const perGrade = Math.ceil(classroomMeters / grades);
  const classes: Record<string, unknown>[] = [];
  const devices: Record<string, unknown>[] = [];
  const trMain = id('tr-1');
  const trOther = transformers > 1 ? id('tr-2') : trMain;
  let classroomKW = 0;
  let otherKW = 0;
  for (let i = 0; i < classroomMeters; i++) {
    const grade = Math.floor(i / perGrade) + 1;
    const n = (i % perGrade) + 1;
    const building = Math.floor(i / (ROOMS_PER_FLOOR * (TEACHING_FLOORS - 1))) + 1;
    const floor = (Math.floor(i / ROOMS_PER_FLOOR) % (TEACHING_FLOORS - 1)) + 2; // classrooms from the 2nd floor up
    const room = `T${building}-${floor}${String((i % ROOMS_PER_FLOOR) + 1).padStart(2, '0')}`;
    const classId = `g${grade}c${n}`;
    const name = `${grade}年级(${n})班`;
    rooms.push({ id: room, name: `${name}教室`, building: `teaching-${building}`, floor });
    classes.push({ id: classId, name, grade, students: 38 + Math.floor(unit(stream, 1, i) * 15), room });
    devices.push({
      id: id(`em-${classId}`),
      kind: 'electric_meter',
      name: `${name}电表`,
      location: { building: `teaching-${building}`, floor, room },
      class: classId,
      feeder: trMain,
      gateway: `gw-teaching-${building}`,
      reportingIntervalS: interval,
    });
    classroomKW += PEAK_KW.classroom;
  }
  if (buildingMeters) {
    const meter = (local: string, name: string, usage: 'laboratory' | 'dormitory' | 'canteen', location: Record<string, unknown>) => {
      devices.push({ id: id(local), kind: 'electric_meter', name, usage, location, feeder: trOther, reportingIntervalS: interval });
      otherKW += PEAK_KW[usage];
    };
    meter('em-sci', '科技楼总电表', 'laboratory', { building: 'science', floor: 1, room: 'S-LABS' });
    for (let b = 1; b <= dormBuildings; b++) meter(`em-dorm-${b}`, `${b}号学生公寓总电表`, 'dormitory', { building: `dorm-${b}`, floor: 1 });
    meter('em-canteen', '食堂总电表', 'canteen', { building: 'canteen', floor: 1, room: 'C-KITCHEN' });
  }

  // water: the main meter sees every other one
  const waterDevices: Record<string, unknown>[] = [
    {
      id: id('wm-canteen'),
      kind: 'water_meter',
      name: '食堂水表',
      usage: 'canteen',
      location: { building: 'canteen', floor: 1, room: 'C-KITCHEN' },
      ratedFlowM3h: 10,
    },
  ];
  let downstreamPeak = PEAK_M3H.canteen + PEAK_M3H.campus;
  for (let i = 0; i < dormFloorMeters; i++) {
    const b = Math.floor(i / DORM_FLOORS) + 1;
    const floor = (i % DORM_FLOORS) + 1;
    waterDevices.push({
      id: id(`wm-dorm-${b}-${floor}`),
      kind: 'water_meter',
      name: `${b}号学生公寓${floor}层水表`,
      usage: 'dormitory',
      gateway: `gw-dorm-${b}`,
      location: { building: `dorm-${b}`, floor },
      ratedFlowM3h: 6,
    });
    downstreamPeak += PEAK_M3H.dormitory;
  }
  for (let i = 0; i < toiletMeters; i++) {
    const b = (i % teachingBuildings) + 1;
    const floor = Math.floor(i / teachingBuildings) + 1;
    waterDevices.push({
      id: id(`wm-t${b}-${floor}`),
      kind: 'water_meter',
      name: `${b}号教学楼${floor}层卫生间水表`,
      usage: 'classroom',
      location: { building: `teaching-${b}`, floor },
      ratedFlowM3h: 6,
    });
    downstreamPeak += PEAK_M3H.classroom;
  }
  devices.push({
    id: id('wm-main'),
    kind: 'water_meter',
    name: '校园总水表',
    usage: 'campus',
    location: { building: 'utility', floor: 1, room: 'U-PUMP' },
    ratedFlowM3h: Math.max(40, Math.ceil((downstreamPeak * 1.5) / 10) * 10),
    reportingIntervalS: interval,
  });
  for (const w of waterDevices) devices.push({ ...w, reportingIntervalS: interval });

  // fridges: one sample cabinet (留样柜), the rest chillers and freezers
  for (let i = 0; i < fridges; i++) {
    const fridgeClass = i === 2 ? 'sample' : i % 2 === 0 ? 'chiller' : 'freezer';
    const n = i + 1;
    devices.push({
      id: id(`fr-${fridgeClass}-${n}`),
      kind: 'fridge',
      name: fridgeClass === 'sample' ? '留样柜' : `${fridgeClass === 'chiller' ? '冷藏柜' : '冷冻柜'}${n}`,
      location: { building: 'canteen', floor: 1, room: fridgeClass === 'sample' ? 'C-SAMPLE' : 'C-COLD' },
      fridgeClass,
      setpointC: fridgeClass === 'freezer' ? -18 - (i % 3) : 3 + (i % 2),
      feeder: trOther,
      reportingIntervalS: interval,
    });
  }

  // transformers, sized for what they feed
  const trDevices: Record<string, unknown>[] = [];
  const tr = (trId: string, kw: number, name: string) =>
    trDevices.push({
      id: trId,
      kind: 'transformer',
      name: `${name} ${transformerKVA(kw)}kVA`,
      location: { building: 'utility', floor: 1, room: 'U-POWER' },
      ratedKVA: transformerKVA(kw),
      voltageLLV: 400,
      reportingIntervalS: Math.min(interval, 10),
    });
  if (transformers > 1) {
    tr(trMain, classroomKW, '1号变压器（教学楼）');
    tr(trOther, otherKW, '2号变压器（科技楼、公寓、食堂）');
  } else tr(trMain, classroomKW + otherKW, '1号主变压器');

  const gateways: Record<string, unknown>[] = [];
  for (let b = 1; b <= teachingBuildings; b++)
    gateways.push({ id: `gw-teaching-${b}`, name: `${b}号教学楼电表采集网关（RS-485）`, location: { building: `teaching-${b}`, floor: 1 } });
  for (let b = 1; b <= Math.ceil(dormFloorMeters / DORM_FLOORS); b++)
    gateways.push({ id: `gw-dorm-${b}`, name: `${b}号学生公寓水表采集网关（M-Bus）`, location: { building: `dorm-${b}`, floor: 1 } });

  const place = PLACES[index % PLACES.length]!;
  const round = Math.floor(index / PLACES.length);
  return {
    site: { id: site, name: `${place}${round ? `第${round + 1}` : ''}中学`, timezone: 'Asia/Shanghai' },
    calendar: calendar(),
    buildings,
    rooms,
    classes,
    gateways,
    tariffs: { electricityYuanPerKWh: 0.62, waterYuanPerM3: 4.1 },
    notifications: { escalateAfterMin: 10 },
    devices: [...trDevices, ...devices],
  };
}

/** The district as validated campuses (buildCampus: the same checks as a campus file). */
export function districtCampuses(opts: DistrictOptions): Campus[] {
  if (!Number.isInteger(opts.sites) || opts.sites < 1) throw new RangeError(`sites must be an integer >= 1, not ${opts.sites}`);
  const out: Campus[] = [];
  for (let i = 0; i < opts.sites; i++) {
    const doc = districtCampusDocument(i, opts);
    out.push(buildCampus(doc, `(district site ${(doc.site as { id: string }).id})`));
  }
  return out;
}

/** Writes the district as campus files, `<dir>/d001.yaml` ...; returns their paths. */
export function writeDistrict(dir: string, opts: DistrictOptions): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < opts.sites; i++) {
    const doc = districtCampusDocument(i, opts);
    const file = join(dir, `${(doc.site as { id: string }).id}.yaml`);
    buildCampus(doc, file); // never write an invalid file
    writeFileSync(
      file,
      `# generated by device-sim/src/district.ts (load mode): ${opts.sites} sites x ${opts.devicesPerSite} devices, seed ${opts.seed ?? 1}\n${stringify(doc, { lineWidth: 160, flowCollectionPadding: true })}`,
    );
    files.push(file);
  }
  return files;
}
