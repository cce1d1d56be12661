/**
 * Zigbee2MQTT (one bridge, many Zigbee sensors), base topic `zigbee2mqtt` unless the campus file
 * names another bridge:
 *   zigbee2mqtt/{friendly_name}                 {"temperature":3.86,"battery":97,...}  (the device's whole state)
 *   zigbee2mqtt/{friendly_name}/availability    {"state":"online"} (or the legacy "online")
 * `temperature` (°C) is a fridge's tempC; `contact` true means CLOSED, so doorOpen = !contact;
 * `water_leak` true sets the LEAK flag of the water meter it is mapped to; `battery` (%) is batteryPct. bridge/ topics and
 * commands (/set, /get) are not readings. `last_seen` (ISO with its zone, or epoch ms), when
 * enabled, is the time. A mapped field of the wrong type is refused (adapter.ts FieldReader).
 */
import { parseJsonObject } from '@campus/contract';
import { defined, FieldReader, type AdapterResult, type DecodeContext } from './adapter.ts';

export const ZIGBEE2MQTT_BASE = 'zigbee2mqtt';

export function zigbee2mqttAdapter(bases: readonly string[]) {
  const all = [...new Set([ZIGBEE2MQTT_BASE, ...bases])];
  return {
    name: 'zigbee2mqtt',
    matches: (topic: string) => all.some((b) => topic.startsWith(`${b}/`)),
    decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
      const bridge = all.find((b) => topic.startsWith(`${b}/`))!;
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
  };
}
