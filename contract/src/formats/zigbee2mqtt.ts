/**
 * Zigbee2MQTT (one bridge, many Zigbee sensors), base topic `zigbee2mqtt` unless the campus file
 * names another bridge:
 *   zigbee2mqtt/{friendly_name}                 {"temperature":3.86,"battery":97,...}  (the device's whole state)
 *   zigbee2mqtt/{friendly_name}/availability    {"state":"online"} (or the legacy "online")
 * `temperature` (°C) is a fridge's tempC; `contact` true means CLOSED, so doorOpen = !contact;
 * `water_leak` true sets the LEAK flag of the water meter it is mapped to; `battery` (%) is batteryPct. bridge/ topics and
 * commands (/set, /get) are not readings. `last_seen` (ISO with its zone, or epoch ms), when
 * enabled, is the time. A mapped field of the wrong type is refused (reader.ts FieldReader).
 * The bridge logs in as its base topic and owns it: every device of the bridge is under it, so a
 * friendly name is unique per bridge.
 */
import { parseJsonObject } from '../json.ts';
import { defineExternalFormat, EXTERNAL_ID_PATTERN } from './descriptor.ts';
import { defined, FieldReader, jsonMessage } from './reader.ts';

/** Zigbee2MQTT's default base topic (a bridge login of this name is the ordinary one). */
export const ZIGBEE2MQTT_DEFAULT_BRIDGE = 'zigbee2mqtt';

/** Zigbee2MQTT's own topics under its base topic: a friendly name of this name would be read as the bridge. */
const OWN_LEVELS: readonly string[] = ['bridge'];

const bridgeOf = (source: { bridge?: string }): string => source.bridge ?? ZIGBEE2MQTT_DEFAULT_BRIDGE;
/** The default bridge and those the campus files name. */
const bridges = (logins: readonly string[] = []): string[] => [...new Set([ZIGBEE2MQTT_DEFAULT_BRIDGE, ...logins])];

export const zigbee2mqtt = defineExternalFormat({
  name: 'zigbee2mqtt',
  product: 'Zigbee2MQTT',
  label: { 'zh-CN': 'Zigbee2MQTT（温度、门磁、漏水传感器）', en: 'Zigbee2MQTT (temperature, door and leak sensors)' },
  roots: { [ZIGBEE2MQTT_DEFAULT_BRIDGE]: `the Zigbee2MQTT bridge (${ZIGBEE2MQTT_DEFAULT_BRIDGE}/...)` },
  defaultLogin: ZIGBEE2MQTT_DEFAULT_BRIDGE,
  matches: (topic, logins) => bridges(logins).some((b) => topic.startsWith(`${b}/`)),
  login: (source) => ({ username: bridgeOf(source), id: bridgeOf(source) }),
  scope: bridgeOf,
  sourceProblem(source, rules) {
    if (source.bridge !== undefined) {
      const bridge = rules.loginProblem(source.bridge);
      if (bridge) return { field: 'bridge', message: `bridge ${bridge}` };
    }
    if (!EXTERNAL_ID_PATTERN.test(source.id))
      return { field: 'id', message: `"${source.id.slice(0, 64)}" must be one topic level: no spaces, "/", "+", "#" or "$" (rename it in Zigbee2MQTT)` };
    if (OWN_LEVELS.includes(source.id))
      return { field: 'id', message: `"${source.id}" is Zigbee2MQTT's own topic (${bridgeOf(source)}/bridge/...): rename the device in Zigbee2MQTT` };
    return undefined;
  },
  // the bridge publishes every Zigbee device under its base topic, and takes their commands there
  publishFilters: (id) => [`${id}/#`],
  subscribeFilters: (id) => [`${id}/#`],
  keepsRetain: (topic, id) => topic.startsWith(`${id}/`) && topic.endsWith('/availability'),
  ingestFilters: (logins) => bridges(logins).map((b) => `${b}/#`),
  sourceTopics: (source) => [`${bridgeOf(source)}/${source.id}`, `${bridgeOf(source)}/${source.id}/#`],
  // the bridge's own state is not a device's
  availability: () => undefined,

  decode(topic, payload, ctx) {
    const bridge = bridges(ctx.logins).find((b) => topic.startsWith(`${b}/`));
    if (bridge === undefined) return { type: 'rejected', reason: `not under a Zigbee2MQTT bridge: ${topic.slice(0, 100)}` };
    const rest = topic.slice(bridge.length + 1);
    if (rest === 'bridge' || rest.startsWith('bridge/')) return { type: 'ignored', reason: 'Zigbee2MQTT bridge message' };
    if (/\/(set|get)(\/.*)?$/.test(rest)) return { type: 'ignored', reason: 'a Zigbee2MQTT command, not a state' };
    if (rest.endsWith('/availability')) {
      const id = rest.slice(0, -'/availability'.length);
      const text = payload.toString('utf8').trim();
      let state = text;
      if (text.startsWith('{')) {
        const body = parseJsonObject(payload, ctx.limits.maxBytes);
        if (!body.ok) return { type: 'rejected', reason: body.reason };
        state = typeof body.value.state === 'string' ? body.value.state : '';
      }
      if (state !== 'online' && state !== 'offline')
        return { type: 'rejected', reason: `Zigbee2MQTT availability must be online or offline, got "${text.slice(0, 30)}"` };
      return { type: 'external', format: 'zigbee2mqtt', bridge, id, parts: [], status: state };
    }
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const v = body.value;
    const f = new FieldReader('Zigbee2MQTT');
    const contact = f.bool(v.contact, 'contact');
    const leak = f.bool(v.water_leak, 'water_leak');
    const fields = defined({
      tempC: f.num(v.temperature, 'temperature'),
      doorOpen: contact === undefined ? undefined : !contact,
      status: leak === undefined ? undefined : leak ? ['LEAK'] : [],
      batteryPct: f.num(v.battery, 'battery'),
    });
    const ts = f.time(v.last_seen, 'last_seen');
    const wrong = f.rejection();
    if (wrong) return wrong;
    if (!Object.keys(fields).length) return { type: 'ignored', reason: 'this Zigbee2MQTT state has no temperature, contact or water_leak' };
    return { type: 'external', format: 'zigbee2mqtt', bridge, id: rest, parts: [{ fields }], ...(ts !== undefined ? { ts } : {}) };
  },

  encode({ source, kind, values: v }) {
    const body: Record<string, unknown> = { battery: 97, linkquality: 120 };
    if (v.tempC !== undefined) body.temperature = v.tempC;
    if (v.doorOpen !== undefined) body.contact = !v.doorOpen;
    if (kind === 'water_meter') body.water_leak = Array.isArray(v.status) ? v.status.includes('LEAK') : v.status === 'LEAK';
    return [jsonMessage(`${bridgeOf(source)}/${source.id}`, body)];
  },
});
