/**
 * Off-the-shelf devices speak their own MQTT dialects (SPEC.md "Wire contract"). Each format has
 * the topics its devices publish under (what their broker login may publish, and nothing else),
 * the topics they subscribe to for commands (granted within their own space), and the filters
 * ingest subscribes to. An external identity is the device's own name in its format: a Tasmota
 * topic, a Shelly topic prefix, a Zigbee2MQTT base topic (the bridge), a wmbusmeters gateway.
 */
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
