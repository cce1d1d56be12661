/**
 * Off-the-shelf devices speak their own MQTT dialects (SPEC.md "Wire contract"). Each format has
 * the topics its devices publish under (what their broker login may publish, and nothing else),
 * the topics they subscribe to for commands (granted within their own space), and the filters
 * ingest subscribes to. An external identity is the device's own name in its format: a Tasmota
 * topic, a Shelly topic prefix, a Zigbee2MQTT base topic (the bridge), a wmbusmeters gateway.
 */
import { INGEST_OPS_ROOT, TOPIC_ROOT } from './topics.ts';
export const EXTERNAL_FORMATS = ['tasmota', 'shelly', 'zigbee2mqtt', 'wmbus'] as const;
export type ExternalFormat = (typeof EXTERNAL_FORMATS)[number];

export const EXTERNAL_FORMAT_LABELS: Readonly<Record<ExternalFormat, string>> = Object.freeze({
  tasmota: 'Tasmota',
  shelly: 'Shelly Gen2+',
  zigbee2mqtt: 'Zigbee2MQTT',
  wmbus: 'wmbusmeters',
});

/** What the campus file says of a device's source: the identity, and which part of its payload. */
export interface ExternalSource {
  format: ExternalFormat;
  /** Tasmota topic, Shelly prefix, Zigbee2MQTT friendly name, wM-Bus meter id */
  id: string;
  /** Tasmota: 1-based energy channel of a multi-channel device */
  channel?: number;
  /** Shelly: the component, e.g. "em:0" (Pro 3EM), "switch:0" (Plus 1PM / Plug S) */
  component?: string;
}

/** A format's identity: a name without MQTT wildcards or separators that would escape its topics. */
export const EXTERNAL_ID_PATTERN = /^[^\s/#+$\u0000-\u001f]{1,64}$/;

/** Zigbee2MQTT's default base topic (a bridge login of this name is the ordinary one). */
export const ZIGBEE2MQTT_DEFAULT_BRIDGE = 'zigbee2mqtt';

/**
 * First topic levels that are ours or another family's, with who owns them: `campus/` (native
 * devices), `campus-ops/` (ingest workers' leases), Tasmota's `tele/`, `stat/`, `cmnd/`,
 * Zigbee2MQTT's default base topic, `wmbusmeters/`. A Shelly prefix and a Zigbee2MQTT base topic
 * *are* a login's first topic level (it may publish `{id}/#`), so such an id would let one plug
 * publish as every native device (`shelly --id campus`: a fake burst opened a critical ticket), as
 * every Tasmota plug (`tele`) or command them all (`cmnd`).
 */
const ROOT_OWNERS: Readonly<Record<string, string>> = Object.freeze({
  [TOPIC_ROOT]: `the native devices (${TOPIC_ROOT}/...)`,
  [INGEST_OPS_ROOT.split('/')[0]!]: `ingest's workers (${INGEST_OPS_ROOT}/...)`,
  tele: 'Tasmota (tele/...)',
  stat: 'Tasmota (stat/...)',
  cmnd: 'Tasmota commands (cmnd/...)',
  [ZIGBEE2MQTT_DEFAULT_BRIDGE]: `the Zigbee2MQTT bridge (${ZIGBEE2MQTT_DEFAULT_BRIDGE}/...)`,
  wmbusmeters: 'wmbusmeters (wmbusmeters/...)',
});
export const RESERVED_TOPIC_ROOTS: readonly string[] = Object.freeze(Object.keys(ROOT_OWNERS));

/** Zigbee2MQTT's own topics under its base topic: a friendly name of this name would be read as the bridge. */
const ZIGBEE2MQTT_OWN_LEVELS: readonly string[] = ['bridge'];

/**
 * Why an off-the-shelf login id may not be issued (or, already issued, may not publish), or
 * undefined. The id is the broker username and, by format, a first topic level (Shelly prefix,
 * Zigbee2MQTT base topic) or the level under the format's root (Tasmota topic, wmbusmeters gateway):
 * no wildcards or "/" (a level is meant), no topic root of ours or another family's (compared
 * case-insensitively, to keep look-alikes out as well), nothing under the system's own `svc-`
 * usernames. The one exception is the ordinary Zigbee2MQTT bridge, whose base topic is `zigbee2mqtt`.
 * The same rule for every format, so that no id is safe in one and dangerous in another.
 */
export function externalLoginProblem(format: ExternalFormat, id: string): string | undefined {
  if (!EXTERNAL_ID_PATTERN.test(id)) return `"${id.slice(0, 64)}" must be one topic level of at most 64 characters: no spaces, "/", "+", "#" or "$"`;
  const lower = id.toLowerCase();
  if (format === 'zigbee2mqtt' && id === ZIGBEE2MQTT_DEFAULT_BRIDGE) return undefined;
  if (RESERVED_TOPIC_ROOTS.includes(lower))
    return `"${id}" is a topic root of ${ROOT_OWNERS[lower]}: a ${EXTERNAL_FORMAT_LABELS[format]} login of that name could publish there; use the device's own name (e.g. its serial)`;
  if (lower.startsWith('svc-')) return `"${id}" is reserved: logins starting with svc- are the system's own services`;
  return undefined;
}

/**
 * Why an external source of the campus file may not be mapped, or undefined. Tasmota topics and
 * Shelly prefixes are login ids (externalLoginProblem), and so is a Zigbee2MQTT bridge; a Zigbee2MQTT
 * friendly name is a level under its bridge (not "bridge", the bridge's own topics); a wmbusmeters
 * id is the meter's id in its telegrams.
 */
export function externalSourceProblem(source: { format: ExternalFormat; id: string; bridge?: string }): string | undefined {
  switch (source.format) {
    case 'tasmota':
    case 'shelly':
      return externalLoginProblem(source.format, source.id);
    case 'zigbee2mqtt':
      if (source.bridge !== undefined) {
        const bridge = externalLoginProblem('zigbee2mqtt', source.bridge);
        if (bridge) return `bridge ${bridge}`;
      }
      if (!EXTERNAL_ID_PATTERN.test(source.id))
        return `"${source.id.slice(0, 64)}" must be one topic level: no spaces, "/", "+", "#" or "$" (rename it in Zigbee2MQTT)`;
      if (ZIGBEE2MQTT_OWN_LEVELS.includes(source.id))
        return `"${source.id}" is Zigbee2MQTT's own topic (${source.bridge ?? ZIGBEE2MQTT_DEFAULT_BRIDGE}/bridge/...): rename the device in Zigbee2MQTT`;
      return undefined;
    case 'wmbus':
      return EXTERNAL_ID_PATTERN.test(source.id) ? undefined : `"${source.id.slice(0, 64)}" must be the meter's id: no spaces, "/", "+", "#" or "$"`;
  }
}

/** The topics a broker login of this format may publish to (MQTT filters). */
export function externalPublishFilters(format: ExternalFormat, id: string): string[] {
  switch (format) {
    case 'tasmota':
      return [`tele/${id}/#`, `stat/${id}/#`];
    case 'shelly':
      return [`${id}/#`];
    case 'zigbee2mqtt':
      // the bridge publishes every Zigbee device under its base topic
      return [`${id}/#`];
    case 'wmbus':
      return [`wmbusmeters/${id}/#`, `wmbusmeters/${id}`];
  }
}

/** The topics a login of this format may subscribe to (its own command topics). */
export function externalSubscribeFilters(format: ExternalFormat, id: string): string[] {
  switch (format) {
    case 'tasmota':
      return [`cmnd/${id}/#`];
    case 'shelly':
    case 'zigbee2mqtt':
      return [`${id}/#`];
    case 'wmbus':
      return [];
  }
}

/** What ingest subscribes to, per format (next to campus/{site}/#). */
export const EXTERNAL_INGEST_FILTERS: Readonly<Record<ExternalFormat, readonly string[]>> = Object.freeze({
  tasmota: ['tele/+/SENSOR', 'tele/+/LWT'],
  shelly: ['+/events/rpc', '+/status/+', '+/online'],
  zigbee2mqtt: ['zigbee2mqtt/#'],
  wmbus: ['wmbusmeters/#'],
});

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
export function externalLogin(source: { format: ExternalFormat; id: string; bridge?: string }, siteId: string): { username: string; id: string } {
  switch (source.format) {
    case 'tasmota':
    case 'shelly':
      return { username: source.id, id: source.id };
    case 'zigbee2mqtt':
      return { username: source.bridge ?? 'zigbee2mqtt', id: source.bridge ?? 'zigbee2mqtt' };
    case 'wmbus':
      return { username: `wmbus-${siteId}`, id: `wmbus-${siteId}` };
  }
}

/**
 * What ingest subscribes to for one configured source when it reads only some sites (several ingest
 * services on one broker, each owning its sites): the source's own topics instead of the formats'
 * wildcards, so one site's service never receives another site's devices.
 */
export function externalIngestTopics(source: { format: ExternalFormat; id: string; bridge?: string }, siteId: string): string[] {
  const login = externalLogin(source, siteId);
  switch (source.format) {
    case 'tasmota':
      return EXTERNAL_INGEST_FILTERS.tasmota.map((f) => f.replace('+', source.id));
    case 'shelly':
      return EXTERNAL_INGEST_FILTERS.shelly.map((f) => f.replace('+', source.id));
    case 'zigbee2mqtt':
      return [`${login.id}/${source.id}`, `${login.id}/${source.id}/#`];
    case 'wmbus':
      return [`wmbusmeters/${login.id}`, `wmbusmeters/${login.id}/#`];
  }
}
