/**
 * The campus file (校产台账): one YAML file per site. This schema is the single definition of
 * what the file may hold; every problem is reported with its path ("devices[3].ratedKVA: ...").
 */
import { z } from 'zod';
import { EXTERNAL_FORMATS, EXTERNAL_ID_PATTERN, externalScope, externalSourceIssue, ID_PATTERN, impossibleDate } from '@campus/contract';
import { notificationsSchema } from './notifications.ts';

const id = z.string().regex(ID_PATTERN, { error: 'must be letters, digits, "_", "-" or "." (no "/", "+", "#"), at most 64 characters' });
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
  .superRefine((text, ctx) => {
    // "2026-02-30" would otherwise become 2 March wherever the calendar reads it
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    const impossible = /^\d{4}-\d{2}-\d{2}$/.test(text) ? impossibleDate(y, m, d) : undefined;
    if (impossible) ctx.addIssue({ code: 'custom', message: `${text} is not a date: it ${impossible}` });
  });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time HH:MM' });
const positive = z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' });
const name = z.string().min(1, { error: 'must not be empty' }).max(100);

export const USAGES = ['classroom', 'dormitory', 'canteen', 'laboratory', 'office', 'campus'] as const;
export type Usage = (typeof USAGES)[number];

const dateRange = z.strictObject({ name, start: date, end: date });

const period = z.strictObject({
  name,
  start: clock,
  end: clock,
  /** lesson: class in session; self_study: 早读 / 晚自习 (the room is used, lighter load) */
  kind: z.enum(['lesson', 'self_study']).default('lesson'),
});

const calendar = z.strictObject({
  terms: z.array(dateRange).min(1, { error: 'needs at least one term' }),
  holidays: z.array(dateRange).default([]),
  /** weekend dates that are school days (调休) */
  makeupDays: z.array(date).default([]),
  /** exam weeks: school days, but excluded from the energy competition by default */
  examWeeks: z.array(dateRange).default([]),
  timetable: z.strictObject({
    /** ISO weekdays with lessons, 1 = Monday */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    periods: z.array(period).min(1, { error: 'needs at least one period' }),
  }),
});

const location = z.strictObject({
  building: id,
  floor: z.number().int().min(-5).max(200).optional(),
  room: id.optional(),
});

/** An off-the-shelf device (or one of its channels) that reports as this ledger device. */
const externalSource = z
  .strictObject({
    format: z.enum(EXTERNAL_FORMATS, { error: `must be one of ${EXTERNAL_FORMATS.join(', ')}` }),
    id: z.string().regex(EXTERNAL_ID_PATTERN, { error: 'must be the device\'s own name: no spaces, "/", "+", "#", at most 64 characters' }),
    channel: z.number().int().min(1).max(8).optional(),
    /** the family's rule says which components it has (externalSourceIssue) */
    component: z.string().max(64).optional(),
    /** Zigbee2MQTT: the bridge's base topic (default zigbee2mqtt) */
    bridge: id.optional(),
  })
  .superRefine((source, ctx) => {
    // the family's rule (its descriptor): an id that reaches our own or another family's topics (a Shelly prefix "campus", a bridge "tele") is refused here, at the CLI and in the broker's ACL
    const issue = EXTERNAL_ID_PATTERN.test(source.id) ? externalSourceIssue(source) : undefined;
    if (issue) ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
  });

const deviceBase = {
  id,
  name,
  location,
  /** the class that owns this meter (competition), if any */
  class: id.optional(),
  /** seconds between readings; offline after 3x this */
  reportingIntervalS: positive.max(86_400).default(60),
  /** the transformer (or gateway) this device hangs off: for common-cause outages and the simulator */
  feeder: id.optional(),
  /** what the metered space is used for: sets the expected daily pattern (a class's meter is a classroom) */
  usage: z.enum(USAGES, { error: `must be one of ${USAGES.join(', ')}` }).optional(),
  /** the gateway (RS-485 / M-Bus / LoRa bridge) it reports through: for common-cause outages */
  gateway: id.optional(),
  /** a named set of detector thresholds from `detection.profiles` */
  profile: id.optional(),
  /** detector thresholds for this device: { "<detector>": { "<parameter>": number } } */
  thresholds: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  /** an off-the-shelf device reporting as this one (Tasmota, Shelly, Zigbee2MQTT, wmbusmeters); several for e.g. a fridge's thermometer and door contact */
  external: z.union([externalSource, z.array(externalSource).min(1).max(4)]).optional(),
};

const waterMeter = z.strictObject({
  ...deviceBase,
  kind: z.literal('water_meter'),
  /** digits of the register before it rolls over (e.g. 8 digits of m³ -> 99,999,999) */
  registerMaxM3: positive.default(99_999_999),
  /** rated flow of the pipe, for burst detection */
  ratedFlowM3h: positive.optional(),
});

/** the largest value the kWh register can show (8 digits): beyond it a reading is no reading */
const registerMaxKWh = positive.default(99_999_999);

const electricMeter = z.strictObject({
  ...deviceBase,
  kind: z.literal('electric_meter'),
  ratedKW: positive.optional(),
  registerMaxKWh,
});

const transformer = z.strictObject({
  ...deviceBase,
  kind: z.literal('transformer'),
  ratedKVA: positive,
  /** line-to-line voltage of the low-voltage side */
  voltageLLV: positive.default(400),
  /** the monitor's energy register (totalKWh), when it has one */
  registerMaxKWh,
});

const fridge = z.strictObject({
  ...deviceBase,
  kind: z.literal('fridge'),
  fridgeClass: z.enum(['chiller', 'freezer', 'sample'], { error: 'must be chiller, freezer or sample' }),
  setpointC: z.number().min(-60).max(30).optional(),
});

export const deviceSchema = z.discriminatedUnion('kind', [waterMeter, electricMeter, transformer, fridge], {
  error: 'kind must be one of water_meter, electric_meter, transformer, fridge',
});

const thresholdSet = z.record(z.string(), z.record(z.string(), z.number()));

/** "08:00-11:00"; a range may cross midnight ("23:00-07:00"); "24:00" ends a day */
const CLOCK_RANGE = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const clockRange = z.string().regex(CLOCK_RANGE, {
  error: 'must be a time range HH:MM-HH:MM, e.g. "08:00-11:00" (may cross midnight: "23:00-07:00")',
});
/** a time-of-use price band (峰 / 谷): its price and its hours of the day */
const priceBand = z.strictObject({ yuanPerKWh: positive, hours: z.array(clockRange).min(1, { error: 'needs at least one time range' }) });

/** Minutes of the day [start, end) a clock range covers, split at midnight. */
export function clockRangeMinutes(range: string): [number, number][] {
  const [a, b] = range.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))) as [number, number];
  if (a < b) return [[a, b]];
  const spans: [number, number][] = [[a, 1440]];
  if (b > 0) spans.push([0, b]);
  return spans;
}

/**
 * Prices (元). `electricityYuanPerKWh` is the flat price (平段): every hour when no peak / valley
 * band is set, else the hours neither band names (峰谷分时电价). Bands must not overlap.
 */
const tariffs = z
  .strictObject({ electricityYuanPerKWh: positive.default(0.6), waterYuanPerM3: positive.default(4), peak: priceBand.optional(), valley: priceBand.optional() })
  .superRefine((t, ctx) => {
    // malformed ranges are reported by their own check
    const peak = (t.peak?.hours ?? []).filter((r) => CLOCK_RANGE.test(r)).flatMap(clockRangeMinutes);
    t.valley?.hours.forEach((range, i) => {
      if (!CLOCK_RANGE.test(range)) return;
      const hit = clockRangeMinutes(range).some(([a, b]) => peak.some(([c, d]) => a < d && c < b));
      if (hit) ctx.addIssue({ code: 'custom', path: ['valley', 'hours', i], message: `"${range}" overlaps the peak hours (${t.peak!.hours.join(', ')})` });
    });
  });

export const campusSchema = z.strictObject({
  site: z.strictObject({
    id,
    name,
    timezone: z.string().default('Asia/Shanghai'),
  }),
  calendar,
  buildings: z.array(z.strictObject({ id, name, floors: z.number().int().min(1).max(200).default(1) })).min(1),
  rooms: z.array(z.strictObject({ id, name, building: id, floor: z.number().int().min(-5).max(200).optional() })).default([]),
  classes: z
    .array(
      z.strictObject({ id, name, grade: z.number().int().min(1).max(12), students: z.number().int().positive({ error: 'must be > 0' }), room: id.optional() }),
    )
    .default([]),
  devices: z.array(deviceSchema).min(1, { error: 'needs at least one device' }),
  gateways: z.array(z.strictObject({ id, name, location })).default([]),
  /** detector thresholds for the whole site, and named profiles devices can refer to */
  detection: z
    .strictObject({ defaults: thresholdSet.default({}), profiles: z.record(z.string(), thresholdSet).default({}) })
    .default({ defaults: {}, profiles: {} }),
  /** prices: the money saved by the competition (flat price) and the term report's costs (time-of-use when peak / valley are set) */
  tariffs: tariffs.default({ electricityYuanPerKWh: 0.6, waterYuanPerM3: 4 }),
  /** escalation, and the channels ticket events go to (notifications.ts) */
  notifications: notificationsSchema,
});

export type CampusFile = z.infer<typeof campusSchema>;
export type DeviceConfig = z.infer<typeof deviceSchema>;
export type ExternalSourceConfig = z.infer<typeof externalSource>;

/** A device's external sources as a list (the file may give one or several). */
export function externalSources(device: DeviceConfig): ExternalSourceConfig[] {
  return device.external === undefined ? [] : Array.isArray(device.external) ? device.external : [device.external];
}

/** The key of an external identity (and channel / component) in lookups. */
export function externalKey(s: { format: string; id: string; channel?: number; component?: string; bridge?: string }): string {
  return [s.format, externalScope(s), s.id, s.channel ?? '', s.component ?? ''].join('|');
}
export type WaterMeterConfig = z.infer<typeof waterMeter>;
export type ElectricMeterConfig = z.infer<typeof electricMeter>;
export type TransformerConfig = z.infer<typeof transformer>;
export type FridgeConfig = z.infer<typeof fridge>;
export type CalendarConfig = z.infer<typeof calendar>;
export type PeriodConfig = z.infer<typeof period>;
export type TariffsConfig = z.infer<typeof tariffs>;
