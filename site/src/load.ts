/**
 * Loads a campus file: YAML -> schema -> cross-references -> a frozen Campus.
 * Every problem is collected and reported together, by path, so one edit fixes them all.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ZIGBEE2MQTT_DEFAULT_BRIDGE } from '@campus/contract';
import { campusSchema, externalKey, externalSources, type CampusFile, type DeviceConfig } from './schema.ts';
import { SchoolCalendar } from './calendar.ts';
import { notificationProblems } from './notifications.ts';

export class CampusConfigError extends Error {
  readonly code = 'CAMPUS_ERR_CONFIG';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`campus file ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'CampusConfigError';
  }
}

export interface Campus {
  readonly file: string;
  readonly site: CampusFile['site'];
  readonly calendar: SchoolCalendar;
  readonly buildings: CampusFile['buildings'];
  readonly rooms: CampusFile['rooms'];
  readonly classes: CampusFile['classes'];
  /** the ledger's devices; grows when a device is added while running (adoption) */
  readonly devices: readonly DeviceConfig[];
  readonly gateways: CampusFile['gateways'];
  readonly detection: CampusFile['detection'];
  readonly notifications: CampusFile['notifications'];
  readonly tariffs: CampusFile['tariffs'];
  device(id: string): DeviceConfig | undefined;
  /**
   * Adds a device that a re-read of the campus file validated (see ledger-watch.ts): the parts
   * that listen (ingest's registry, the detectors, the ticket locations) take it up at once.
   */
  addDevice(device: DeviceConfig): void;
  onDeviceAdded(listener: (device: DeviceConfig) => void): () => void;
}

/** "devices", 3, "ratedKVA" -> "devices[3].ratedKVA" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

function crossReferences(file: CampusFile): string[] {
  const problems: string[] = [];
  const duplicates = (items: { id: string }[], at: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const first = seen.get(item.id);
      if (first !== undefined) problems.push(`${at}[${i}].id: "${item.id}" is already used by ${at}[${first}]`);
      else seen.set(item.id, i);
    });
  };
  duplicates(file.buildings, 'buildings');
  duplicates(file.rooms, 'rooms');
  duplicates(file.classes, 'classes');
  duplicates(file.devices, 'devices');

  const buildings = new Map(file.buildings.map((b) => [b.id, b]));
  const rooms = new Map(file.rooms.map((r) => [r.id, r]));
  const classes = new Set(file.classes.map((c) => c.id));
  const devices = new Map(file.devices.map((d) => [d.id, d]));
  const gateways = new Set((file.gateways ?? []).map((g) => g.id));

  file.rooms.forEach((r, i) => {
    if (!buildings.has(r.building)) problems.push(`rooms[${i}].building: no building "${r.building}"`);
  });
  file.classes.forEach((c, i) => {
    if (c.room && !rooms.has(c.room)) problems.push(`classes[${i}].room: no room "${c.room}"`);
  });
  const sources = file.devices.flatMap((d, i) =>
    externalSources(d).map((src, k) => ({
      src,
      device: `devices[${i}] (${d.id})`,
      at: Array.isArray(d.external) ? `devices[${i}].external[${k}]` : `devices[${i}].external`,
    })),
  );
  // one ledger device per external identity (and channel / component)
  const externals = new Map<string, string>();
  for (const { src, device, at } of sources) {
    const key = externalKey(src);
    const first = externals.get(key);
    if (first) problems.push(`${at}: ${src.format} "${src.id}" already reports as ${first}`);
    else externals.set(key, device);
  }
  // a Shelly prefix and a Zigbee2MQTT base topic both own {id}/#: one name cannot be both
  const bridges = new Set(sources.flatMap(({ src }) => (src.format === 'zigbee2mqtt' ? [src.bridge ?? ZIGBEE2MQTT_DEFAULT_BRIDGE] : [])));
  for (const { src, at } of sources)
    if (src.format === 'shelly' && bridges.has(src.id))
      problems.push(`${at}.id: "${src.id}" is also a Zigbee2MQTT bridge in this file: a Shelly prefix and a bridge's base topic would share ${src.id}/#`);
  file.devices.forEach((d, i) => {
    const at = `devices[${i}]`;
    const building = buildings.get(d.location.building);
    if (!building) problems.push(`${at}.location.building: no building "${d.location.building}"`);
    else if (d.location.floor !== undefined && d.location.floor > building.floors) {
      problems.push(`${at}.location.floor: building "${building.id}" has ${building.floors} floors`);
    }
    if (d.location.room) {
      const room = rooms.get(d.location.room);
      if (!room) problems.push(`${at}.location.room: no room "${d.location.room}"`);
      else if (room.building !== d.location.building) problems.push(`${at}.location.room: room "${room.id}" is in building "${room.building}"`);
    }
    if (d.class && !classes.has(d.class)) problems.push(`${at}.class: no class "${d.class}"`);
    if (d.gateway && !gateways.has(d.gateway)) problems.push(`${at}.gateway: no gateway "${d.gateway}" (list it under gateways)`);
    if (d.profile && !Object.hasOwn(file.detection?.profiles ?? {}, d.profile))
      problems.push(`${at}.profile: no profile "${d.profile}" under detection.profiles`);
    if (d.feeder) {
      const feeder = devices.get(d.feeder);
      if (!feeder) problems.push(`${at}.feeder: no device "${d.feeder}"`);
      else if (feeder.kind !== 'transformer') problems.push(`${at}.feeder: "${d.feeder}" is a ${feeder.kind}, not a transformer`);
      else if (feeder.id === d.id) problems.push(`${at}.feeder: a device cannot feed itself`);
    }
  });
  const cal = file.calendar;
  const ranges: [string, { start: string; end: string }[]][] = [
    ['calendar.terms', cal.terms],
    ['calendar.holidays', cal.holidays],
    ['calendar.examWeeks', cal.examWeeks],
  ];
  for (const [at, list] of ranges) {
    list.forEach((r, i) => {
      if (r.end < r.start) problems.push(`${at}[${i}].end: ${r.end} is before start ${r.start}`);
    });
  }
  cal.timetable.periods.forEach((p, i) => {
    if (p.end <= p.start) problems.push(`calendar.timetable.periods[${i}].end: ${p.end} is not after start ${p.start}`);
  });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: file.site.timezone });
  } catch {
    problems.push(`site.timezone: "${file.site.timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  problems.push(...notificationProblems(file.notifications ?? {}));
  return problems;
}

/** Cross-references of a document that failed the schema: best effort, on whatever is well-formed. */
function crossReferencesOfRaw(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object') return [];
  const doc = raw as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(doc[key]) ? (doc[key] as unknown[]).filter((x) => x && typeof x === 'object') : []);
  const devices = list('devices').map((d) => {
    const dev = d as Record<string, unknown>;
    return { ...dev, location: dev.location && typeof dev.location === 'object' ? dev.location : {} };
  });
  const cal = (doc.calendar && typeof doc.calendar === 'object' ? doc.calendar : {}) as Record<string, unknown>;
  const arr = (v: unknown) => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
  const tt = (cal.timetable && typeof cal.timetable === 'object' ? cal.timetable : {}) as Record<string, unknown>;
  try {
    return crossReferences({
      site: { timezone: 'UTC', ...(doc.site as object) },
      calendar: {
        terms: arr(cal.terms),
        holidays: arr(cal.holidays),
        examWeeks: arr(cal.examWeeks),
        makeupDays: [],
        timetable: { weekdays: [], periods: arr(tt.periods) },
      },
      buildings: list('buildings'),
      rooms: list('rooms'),
      classes: list('classes'),
      devices,
      gateways: list('gateways'),
      detection: doc.detection && typeof doc.detection === 'object' ? doc.detection : {},
    } as unknown as CampusFile);
  } catch {
    return [];
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validates an already-parsed campus document. Throws CampusConfigError listing every problem. */
export function buildCampus(raw: unknown, file = '(inline)'): Campus {
  const parsed = campusSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    // list broken references too, so that one round of edits fixes everything
    const reported = new Set(problems.map((p) => p.split(': ')[0]));
    for (const p of crossReferencesOfRaw(raw)) if (!reported.has(p.split(': ')[0])) problems.push(p);
    throw new CampusConfigError(file, problems);
  }
  const data = parsed.data;
  const problems = crossReferences(data);
  if (problems.length) throw new CampusConfigError(file, problems);

  deepFreeze(data);
  const devices = [...data.devices];
  const byId = new Map(devices.map((d) => [d.id, d]));
  const listeners = new Set<(device: DeviceConfig) => void>();
  return Object.freeze({
    file,
    site: data.site,
    calendar: new SchoolCalendar(data.calendar, data.site.timezone),
    buildings: data.buildings,
    rooms: data.rooms,
    classes: data.classes,
    get devices(): readonly DeviceConfig[] {
      return devices;
    },
    gateways: data.gateways,
    detection: data.detection,
    notifications: data.notifications,
    tariffs: data.tariffs,
    device: (id: string) => byId.get(id),
    addDevice(device: DeviceConfig) {
      if (byId.has(device.id)) return;
      deepFreeze(device);
      devices.push(device);
      byId.set(device.id, device);
      for (const listener of listeners) listener(device);
    },
    onDeviceAdded(listener: (device: DeviceConfig) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  });
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function parseCampus(text: string, file = '(inline)'): Campus {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new CampusConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  return buildCampus(doc.toJS(), file);
}

export function loadCampus(file: string): Campus {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CampusConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseCampus(text, file);
}
