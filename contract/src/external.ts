/**
 * Off-the-shelf devices speak their own MQTT dialects (the README's "Wire contract"). What each
 * family is lives in its descriptor (formats/); this module derives from the one list of them
 * (formats/index.ts) what the rest of the system asks: the formats the campus file accepts and
 * their labels, the rule for a login's id, the topics a login may publish and subscribe to, what
 * ingest subscribes to, which family a message is. Nothing here names a family.
 */
import { FORMATS, type ExternalFormat } from './formats/index.ts';
import {
  EXTERNAL_ID_PATTERN,
  type ExternalFormatDescriptor,
  type FormatDescriptor,
  type FormatLabel,
  type SourceConfig,
  type SourceIssue,
} from './formats/descriptor.ts';
import { INGEST_OPS_ROOT } from './topics.ts';

const isExternal = (d: FormatDescriptor): d is ExternalFormatDescriptor => 'external' in d && d.external === true;
const EXTERNAL: readonly ExternalFormatDescriptor[] = (FORMATS as readonly FormatDescriptor[]).filter(isExternal);
const BY_NAME: ReadonlyMap<string, ExternalFormatDescriptor> = new Map(EXTERNAL.map((d) => [d.name, d]));

export const EXTERNAL_FORMATS: readonly ExternalFormat[] = Object.freeze(EXTERNAL.map((d) => d.name as ExternalFormat));

/** The descriptor of an off-the-shelf family (undefined for a name no family has). */
export function externalFormat(name: string): ExternalFormatDescriptor | undefined {
  return BY_NAME.get(name);
}
const descriptor = (name: string): ExternalFormatDescriptor => {
  const d = BY_NAME.get(name);
  if (!d) throw new Error(`no off-the-shelf format "${name}" (one of ${EXTERNAL_FORMATS.join(', ')})`);
  return d;
};

/** The product's name (messages, the CLI). */
export const EXTERNAL_FORMAT_LABELS: Readonly<Record<ExternalFormat, string>> = Object.freeze(
  Object.fromEntries(EXTERNAL.map((d) => [d.name, d.product])) as Record<ExternalFormat, string>,
);
/** What the pages show, per language. */
export const EXTERNAL_FORMAT_PAGE_LABELS: Readonly<Record<ExternalFormat, FormatLabel>> = Object.freeze(
  Object.fromEntries(EXTERNAL.map((d) => [d.name, d.label])) as Record<ExternalFormat, FormatLabel>,
);

/** What the campus file says of a device's source: the identity, and which part of its payload. */
export type ExternalSource = SourceConfig<ExternalFormat>;

/**
 * First topic levels that are ours or a family's, with who owns them: every family's roots
 * (`campus/` of the native devices, Tasmota's `tele/`, `stat/`, `cmnd/`, ...) and `campus-ops/`
 * (ingest workers' leases). A Shelly prefix and a Zigbee2MQTT base topic *are* a login's first
 * topic level (it may publish `{id}/#`), so such an id would let one plug publish as every native
 * device (`shelly --id campus`: a fake burst opened a critical ticket), as every Tasmota plug
 * (`tele`) or command them all (`cmnd`).
 */
const ROOT_OWNERS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign({ [INGEST_OPS_ROOT.split('/')[0]!]: `ingest's workers (${INGEST_OPS_ROOT}/...)` }, ...FORMATS.map((d) => d.roots)) as Record<string, string>,
);
export const RESERVED_TOPIC_ROOTS: readonly string[] = Object.freeze(Object.keys(ROOT_OWNERS));

/**
 * Why an off-the-shelf login id may not be issued (or, already issued, may not publish), or
 * undefined. The id is the broker username and, by format, a first topic level (Shelly prefix,
 * Zigbee2MQTT base topic) or the level under the format's root (Tasmota topic, wmbusmeters gateway):
 * no wildcards or "/" (a level is meant), no topic root of ours or another family's (compared
 * case-insensitively, to keep look-alikes out as well), nothing under the system's own `svc-`
 * usernames. The one exception is a family's default login (the ordinary Zigbee2MQTT bridge,
 * whose base topic is `zigbee2mqtt`). The same rule for every format, so that no id is safe in
 * one and dangerous in another.
 */
export function externalLoginProblem(format: ExternalFormat, id: string): string | undefined {
  if (!EXTERNAL_ID_PATTERN.test(id)) return `"${id.slice(0, 64)}" must be one topic level of at most 64 characters: no spaces, "/", "+", "#" or "$"`;
  const lower = id.toLowerCase();
  if (id === externalFormat(format)?.defaultLogin) return undefined;
  if (RESERVED_TOPIC_ROOTS.includes(lower))
    return `"${id}" is a topic root of ${ROOT_OWNERS[lower]}: a ${EXTERNAL_FORMAT_LABELS[format]} login of that name could publish there; use the device's own name (e.g. its serial)`;
  if (lower.startsWith('svc-')) return `"${id}" is reserved: logins starting with svc- are the system's own services`;
  return undefined;
}

/** Why an external source of the campus file may not be mapped: the field to blame and why; undefined when it may. */
export function externalSourceIssue(source: ExternalSource): SourceIssue | undefined {
  const d = externalFormat(source.format);
  if (!d) return { field: 'id', message: `no off-the-shelf format "${String(source.format).slice(0, 40)}"` };
  return d.sourceProblem(source, { loginProblem: (id) => externalLoginProblem(source.format, id) });
}

/**
 * Why an external source of the campus file may not be mapped, or undefined: each family's rule
 * (a Tasmota topic or a Shelly prefix is a login id, and so is a Zigbee2MQTT bridge; a friendly
 * name is a level under its bridge; a wmbusmeters id is the meter's id in its telegrams).
 */
export function externalSourceProblem(source: ExternalSource): string | undefined {
  return externalSourceIssue(source)?.message;
}

/** The part of an identity besides its id that tells two devices apart (a Zigbee2MQTT bridge), '' when none. */
export function externalScope(source: { format: string; bridge?: string }): string {
  return externalFormat(source.format)?.scope?.(source) ?? '';
}

/** The topics a broker login of this format may publish to (MQTT filters); none for a format no family has (a login written by hand). */
export function externalPublishFilters(format: ExternalFormat, id: string): string[] {
  return externalFormat(format)?.publishFilters(id) ?? [];
}

/** The topics a login of this format may subscribe to (its own command topics). */
export function externalSubscribeFilters(format: ExternalFormat, id: string): string[] {
  return externalFormat(format)?.subscribeFilters(id) ?? [];
}

/** Whether a retained publish of this login keeps its flag: availability topics yes, readings never (a replay would look new). */
export function externalKeepsRetain(format: ExternalFormat, id: string, topic: string): boolean {
  return externalFormat(format)?.keepsRetain(topic, id) ?? false;
}

/**
 * What ingest subscribes to for the off-the-shelf families (next to campus/{site}/#); `logins`:
 * per format, the login ids the campus files name (where a family's topics depend on them, as a
 * Zigbee2MQTT bridge's base topic does).
 */
export function externalIngestFilters(logins: (format: ExternalFormat) => readonly string[] = () => []): string[] {
  return [...new Set(EXTERNAL.flatMap((d) => d.ingestFilters(logins(d.name as ExternalFormat))))];
}

/** Is every topic a filter can match inside one of `allowed`? (for a login's SUBSCRIBE) */
export function filterWithin(filter: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => {
    if (a.endsWith('/#')) {
      const base = a.slice(0, -2);
      return filter === base || (filter.startsWith(`${base}/`) && !filter.slice(0, base.length).includes('+'));
    }
    return a === filter;
  });
}

/**
 * The broker login an external source reports through when nobody issued one by hand (the
 * simulator's): a Tasmota or Shelly device logs in as its own topic / prefix, a Zigbee2MQTT
 * bridge as its base topic, a wmbusmeters gateway as `wmbus-{siteId}`. `id` is the identity
 * the topic ACL confines it to.
 */
export function externalLogin(source: ExternalSource, siteId: string): { username: string; id: string } {
  return descriptor(source.format).login(source, siteId);
}

/**
 * What ingest subscribes to for one configured source when it reads only some sites (several ingest
 * services on one broker, each owning its sites): the source's own topics instead of the formats'
 * wildcards, so one site's service never receives another site's devices.
 */
export function externalIngestTopics(source: ExternalSource, siteId: string): string[] {
  return descriptor(source.format).sourceTopics(source, siteId);
}

/** Families in the order a message is offered to them: those that own their first topic level, then the rest. */
const ROUTING: readonly FormatDescriptor[] = [...FORMATS.filter((d) => !d.anyRoot), ...FORMATS.filter((d) => d.anyRoot)];

/** The family a message is, native included; `logins` as for externalIngestFilters. */
export function formatOfTopic(topic: string, logins: (format: string) => readonly string[] = () => []): FormatDescriptor | undefined {
  return ROUTING.find((d) => d.matches(topic, logins(d.name)));
}
