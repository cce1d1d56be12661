/**
 * What a payload family is, in one descriptor: its name and labels, the topics it owns, how its
 * messages are routed and decoded, and, for an off-the-shelf family, its broker login, the topics
 * that login may use, what ingest subscribes to, its rule in the campus file and how the simulator
 * speaks it. Everything else (the formats list, the broker's ACL, the campus file's check, ingest's
 * routing and subscriptions, the simulator) is derived from the list in index.ts.
 *
 * Decoding is pure: a topic and the payload's bytes in, the parts ingest maps out.
 */
import type { DeviceKind } from '../kinds.ts';
import type { TelemetryLimits } from '../telemetry.ts';

/** A family's identity: a name without MQTT wildcards or separators that would escape its topics. */
export const EXTERNAL_ID_PATTERN = /^[^\s/#+$\u0000-\u001f]{1,64}$/;

/** A label in each language the pages speak. */
export interface FormatLabel {
  'zh-CN': string;
  en: string;
}

export interface DecodeContext {
  limits: TelemetryLimits;
  /**
   * The login ids of this family that the campus files name (externalLogin): for Zigbee2MQTT the
   * bridges' base topics, which are where its messages are. Empty when nothing is configured.
   */
  logins?: readonly string[];
}

/** Values of one part of an external message (a channel, a component), in native field names. */
export interface ExternalPart {
  channel?: number;
  component?: string;
  fields: Record<string, unknown>;
}

/** An off-the-shelf message decoded: whose it is (its own identity) and what it says. */
export interface FormatMessage<F extends string = string> {
  type: 'external';
  format: F;
  /** the identity the campus file maps (for Zigbee2MQTT: the friendly name) */
  id: string;
  /** Zigbee2MQTT: the bridge's base topic */
  bridge?: string;
  /** device time, epoch ms, when the message carries one with a zone */
  ts?: number;
  /** device time in the site's local time without a zone (Tasmota's "Time") */
  localTime?: string;
  parts: ExternalPart[];
  /** an availability message instead of values */
  status?: 'online' | 'offline';
}

export type DecodeResult<F extends string = string> =
  | { type: 'telemetry'; siteId: string; deviceId: string; body: Record<string, unknown> }
  | { type: 'status'; siteId: string; deviceId: string; status: 'online' | 'offline' }
  | FormatMessage<F>
  /** understood, and deliberately not a reading (a Tasmota STATE, a bridge log): counted, not kept */
  | { type: 'ignored'; reason: string }
  | { type: 'rejected'; reason: string };

/** What the campus file says of an external source (the fields a family may use). */
export interface SourceConfig<F extends string = string> {
  format: F;
  /** Tasmota topic, Shelly prefix, Zigbee2MQTT friendly name, wM-Bus meter id */
  id: string;
  /** Tasmota: 1-based energy channel of a multi-channel device */
  channel?: number;
  /** Shelly: the component, e.g. "em:0" (Pro 3EM), "switch:0" (Plus 1PM / Plug S) */
  component?: string;
  /** Zigbee2MQTT: the bridge's base topic (default zigbee2mqtt) */
  bridge?: string;
}

/** A source the campus file may not hold: the field to blame and why. */
export interface SourceIssue {
  field: 'id' | 'bridge' | 'channel' | 'component';
  message: string;
}

/** The rules a family's source check builds on (external.ts: the same for every family). */
export interface SourceRules {
  /** why `id` may not be a broker login of this family, or undefined */
  loginProblem(id: string): string | undefined;
}

/** One simulated reading, as the simulator hands it to a family's encoder. */
export interface EncodeInput<F extends string = string> {
  source: SourceConfig<F>;
  siteId: string;
  deviceId: string;
  kind: DeviceKind;
  /** device time, epoch ms */
  ts: number;
  /** the site's offset from UTC at `ts`, ms (for formats that send local time) */
  utcOffsetMs: number;
  values: Record<string, unknown>;
}

export interface WireMessage {
  topic: string;
  payload: string;
}

/** A retained availability topic a device announces itself on (its last will and its hello). */
export interface Availability {
  topic: string;
  online: string;
  offline: string;
}

/** Every family, native included: name, labels, the topics it owns, routing and decoding. */
export interface FormatDescriptor<F extends string = string> {
  readonly name: F;
  /** the product's own name, the same in every language (messages, the CLI) */
  readonly product: string;
  /** what staff read on the pages */
  readonly label: FormatLabel;
  /**
   * First topic levels this family owns, each with who owns it: no other family's login may be
   * named so (a Shelly prefix "tele" could publish as every Tasmota plug).
   */
  readonly roots: Readonly<Record<string, string>>;
  /**
   * Routed after every family that is not: its topics are recognised by their shape under any
   * first level (a Shelly prefix is the device's own name), so a family that owns its first
   * level (a known Zigbee2MQTT bridge) is asked first.
   */
  readonly anyRoot?: boolean;
  /** Is this message one of this family's? `logins`: as in DecodeContext. */
  matches(topic: string, logins: readonly string[]): boolean;
  decode(topic: string, payload: Buffer, ctx: DecodeContext): DecodeResult<F>;
}

/** An off-the-shelf family: everything the broker, the campus file, ingest and the simulator need. */
export interface ExternalFormatDescriptor<F extends string = string> extends FormatDescriptor<F> {
  readonly external: true;
  /**
   * The broker login a source reports through when nobody issued one by hand: `id` is the
   * identity the ACL confines it to (a Tasmota topic, a Zigbee2MQTT bridge, a wmbusmeters gateway).
   */
  login(source: SourceConfig<F>, siteId: string): { username: string; id: string };
  /**
   * The login of a source that names none, when it is one of this family's own roots (Zigbee2MQTT's
   * default base topic `zigbee2mqtt`): the one reserved root a login of this family may be.
   */
  readonly defaultLogin?: string;
  /** Why this source may not be in the campus file, or undefined. */
  sourceProblem(source: SourceConfig<F>, rules: SourceRules): SourceIssue | undefined;
  /**
   * The part of the identity other than `id` that tells two devices apart (Zigbee2MQTT: the
   * bridge, default or named); '' when `id` alone does.
   */
  scope?(source: { bridge?: string }): string;
  /** The topics a login `id` of this family may publish to (MQTT filters). */
  publishFilters(id: string): string[];
  /** The topics a login `id` may subscribe to (its own command topics). */
  subscribeFilters(id: string): string[];
  /** Does a retained publish of login `id` keep its flag? (availability yes, readings never: a replay would look new) */
  keepsRetain(topic: string, id: string): boolean;
  /** What ingest subscribes to for every device of the family; `logins` as in DecodeContext. */
  ingestFilters(logins: readonly string[]): string[];
  /** What ingest subscribes to for one source when it reads only some sites. */
  sourceTopics(source: SourceConfig<F>, siteId: string): string[];
  /** The simulator's retained availability for a login, if the product has one. */
  availability?(loginId: string): Availability | undefined;
  /** One simulated reading as the product would publish it. */
  encode?(input: EncodeInput<F>): WireMessage[];
}

/** Declares a family, keeping its name a literal type (`'tasmota'`, not `string`). */
export function defineFormat<const F extends string>(d: FormatDescriptor<F>): FormatDescriptor<F> {
  return Object.freeze(d);
}

export function defineExternalFormat<const F extends string>(d: Omit<ExternalFormatDescriptor<F>, 'external'>): ExternalFormatDescriptor<F> {
  return Object.freeze({ ...d, external: true as const });
}

/** Does an MQTT topic match a filter (+ one level, # the rest)? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
