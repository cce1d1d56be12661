/**
 * What people read for the contract's values, in each language the pages speak: device kinds,
 * ledger statuses, fridge classes, ticket severities, trades and statuses, chart fields, and the
 * English titles of tickets. The Chinese names are the ones kinds.ts and tickets.ts already give
 * the server (notifications, the report); English sits beside them here, typed by the same unions
 * so that a new kind or status without an English name fails the type check. Node-free: the
 * browser bundle imports this file (through ./browser.ts).
 */
import { FRIDGE_CLASSES, KIND_LABELS_ZH, type DeviceKind, type FridgeClass } from './kinds.ts';
import { SERIES_FIELDS } from './series.ts';
import {
  REPORT_KIND_LABELS_ZH,
  SEVERITY_LABELS_ZH,
  STATUS_LABELS_ZH,
  TRADE_LABELS_ZH,
  type EvidencePoint,
  type ReportKind,
  type Severity,
  type Ticket,
  type TicketStatus,
  type Trade,
} from './tickets.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One name per value per language. */
export type Labels<K extends string> = Readonly<Record<Language, Readonly<Record<K, string>>>>;

export const KIND_LABELS: Labels<DeviceKind> = Object.freeze({
  'zh-CN': KIND_LABELS_ZH,
  en: { water_meter: 'Water meter', electric_meter: 'Electricity meter', transformer: 'Transformer', fridge: 'Fridge' },
});

/** A device in the ledger: heard from lately, silent (or announced offline), or never heard. */
export const LEDGER_STATUSES = ['online', 'offline', 'unknown'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export const LEDGER_STATUS_LABELS: Labels<LedgerStatus> = Object.freeze({
  'zh-CN': { online: '在线', offline: '离线', unknown: '未知' },
  en: { online: 'online', offline: 'offline', unknown: 'unknown' },
});

export const FRIDGE_CLASS_LABELS: Labels<FridgeClass> = Object.freeze({
  'zh-CN': { chiller: '冷藏柜', freezer: '冷冻柜', sample: '留样柜' },
  en: { chiller: 'Chiller', freezer: 'Freezer', sample: 'Sample fridge' },
});

export const SEVERITY_LABELS: Labels<Severity> = Object.freeze({
  'zh-CN': SEVERITY_LABELS_ZH,
  en: { critical: 'Critical', major: 'Major', minor: 'Minor', info: 'Info' },
});

export const TRADE_LABELS: Labels<Trade> = Object.freeze({
  'zh-CN': TRADE_LABELS_ZH,
  en: { plumber: 'Plumber', electrician: 'Electrician', carpenter: 'Carpenter', it: 'AV and IT', canteen: 'Canteen', office: 'Facilities office' },
});

export const REPORT_KIND_LABELS: Labels<ReportKind> = Object.freeze({
  'zh-CN': REPORT_KIND_LABELS_ZH,
  en: { water: 'Water', electricity: 'Electricity', doors_windows: 'Doors and windows', furniture: 'Desks and chairs', multimedia: 'Multimedia', other: 'Other' },
});

export const TICKET_STATUS_LABELS: Labels<TicketStatus> = Object.freeze({
  'zh-CN': STATUS_LABELS_ZH,
  en: { open: 'Open', acknowledged: 'Acknowledged', in_progress: 'In progress', resolved: 'Resolved', reopened: 'Reopened' },
});

/** A chart field is named per kind: a transformer's powerKW is its active power, a meter's its power. */
type SeriesKey = `${DeviceKind}.${string}`;
const SERIES_LABELS_EN: Readonly<Record<SeriesKey, string>> = Object.freeze({
  'water_meter.flowM3h': 'Flow',
  'water_meter.totalM3': 'Total water',
  'electric_meter.powerKW': 'Power',
  'electric_meter.totalKWh': 'Total energy',
  'transformer.worstPhaseA': 'Worst-phase current',
  'transformer.powerKW': 'Active power',
  'transformer.oilTempC': 'Top oil temperature',
  'transformer.currentA.a': 'Phase A current',
  'transformer.currentA.b': 'Phase B current',
  'transformer.currentA.c': 'Phase C current',
  'transformer.totalKWh': 'Total energy',
  'fridge.tempC': 'Temperature',
  'fridge.setpointC': 'Setpoint',
});

/** The name of a chart field (SERIES_FIELDS) in a language; the field's own name if it has none. */
export function seriesLabel(language: Language, kind: DeviceKind, field: string): string {
  const spec = SERIES_FIELDS[kind].find((f) => f.name === field);
  if (language === 'zh-CN') return spec?.labelZh ?? field;
  return SERIES_LABELS_EN[`${kind}.${field}`] ?? spec?.labelZh ?? field;
}

/**
 * Ticket titles by what raised them. The detectors write the Chinese title on the ticket (it is
 * what the API, the notifications and the report show); a page in English names the ticket by its
 * condition, and by what the Chinese title also depends on: the device kind (offline, a register
 * fault), the fridge class, the severity (a critical overload), the meter's own flag.
 */
export const TICKET_TITLES_EN = Object.freeze({
  'water.night_flow': 'Night flow too high (suspected leak)',
  'water.continuous_flow': 'Water running without a stop (suspected leak or tap left on)',
  'water.burst': 'Flow surge (suspected burst pipe)',
  'water.out_of_hours': 'Unusual water use on a day off',
  'water.meter_alarm.burst': 'Meter alarm: burst',
  'water.meter_alarm.leak': 'Meter alarm: leak',
  'water.register_stuck': 'Water meter reading stuck',
  'register.fault.water_meter': 'Water meter reading jumped',
  'register.fault.electric_meter': 'Electricity meter reading jumped',
  'transformer.overload': 'Transformer overload',
  'transformer.overload.critical': 'Transformer severely overloaded',
  'transformer.imbalance': 'Transformer phase imbalance',
  'transformer.oil_temp': 'Transformer oil too hot',
  'transformer.sensor_fault': 'Transformer readings implausible',
  'transformer.near_capacity': 'Transformer near capacity (planning notice)',
  'fridge.excursion.chiller': 'Chiller temperature out of range',
  'fridge.excursion.freezer': 'Freezer temperature out of range',
  'fridge.excursion.sample': 'Sample fridge temperature out of range',
  'fridge.excursion': 'Fridge temperature out of range',
  'fridge.door_open': 'Fridge door left open',
  'fridge.cumulative': 'Fridge too warm too long today',
  'fridge.sensor_fault': 'Temperature sensor fault',
  'electricity.after_hours': 'Power on in an empty classroom (lights off when you leave)',
  'device.battery_low': 'Sensor battery low',
  'device.offline.water_meter': 'Water meter offline',
  'device.offline.electric_meter': 'Electricity meter offline',
  'device.offline.transformer': 'Transformer offline',
  'device.offline.fridge': 'Fridge offline',
  'device.offline': 'Device offline',
  'gateway.outage': 'Gateway down (several devices offline at once)',
  'feeder.outage': 'Power cut on a feeder (several devices offline at once)',
  'detector.error': 'Detection program error',
  'storage.down': 'Reading database cannot be written',
});
export type TicketTitleKey = keyof typeof TICKET_TITLES_EN;

/** What the ticket's device is, where the page knows it (the ledger). */
export interface TitleDevice {
  kind: DeviceKind;
  fridgeClass?: FridgeClass | undefined;
}

/** The title key of a ticket, or undefined for a condition this contract does not name. */
export function ticketTitleKey(
  t: Pick<Ticket, 'condition' | 'severity' | 'details'> & { evidence?: readonly EvidencePoint[] },
  device?: TitleDevice,
): TicketTitleKey | undefined {
  const keys = TICKET_TITLES_EN as Readonly<Record<string, string>>;
  const variant = titleVariant(t, device);
  const key = variant ? `${t.condition}.${variant}` : t.condition;
  return key in keys ? (key as TicketTitleKey) : t.condition in keys ? (t.condition as TicketTitleKey) : undefined;
}

function titleVariant(
  t: Pick<Ticket, 'condition' | 'severity' | 'details'> & { evidence?: readonly EvidencePoint[] },
  device?: TitleDevice,
): string | undefined {
  switch (t.condition) {
    case 'water.meter_alarm':
      return Array.isArray(t.details.flags) && t.details.flags.includes('BURST') ? 'burst' : 'leak';
    case 'register.fault':
      // the evidence's unit tells the register even where the ledger is not at hand
      return device?.kind ?? (t.evidence?.[0]?.unit === 'm³' ? 'water_meter' : 'electric_meter');
    case 'transformer.overload':
      return t.severity === 'critical' ? 'critical' : undefined;
    case 'fridge.excursion':
      return device?.fridgeClass && (FRIDGE_CLASSES as readonly string[]).includes(device.fridgeClass) ? device.fridgeClass : undefined;
    case 'device.offline':
      return device?.kind;
    default:
      return undefined;
  }
}

/** A ticket's title in a language: the detector's own (Chinese) title, or the English one by key. */
export function ticketTitle(
  language: Language,
  t: Pick<Ticket, 'condition' | 'severity' | 'details' | 'title'> & { evidence?: readonly EvidencePoint[] },
  device?: TitleDevice,
): string {
  if (language === 'zh-CN') return t.title;
  const key = ticketTitleKey(t, device);
  return key ? TICKET_TITLES_EN[key] : t.title;
}
