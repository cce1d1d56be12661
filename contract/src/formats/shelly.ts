/**
 * Shelly Gen2+ devices (Pro 3EM, Plus 1PM, Plus Plug S, PM Mini):
 *   {prefix}/status/em:0       full status of a component ({"a_current":4.029,"a_voltage":236.1,...})
 *   {prefix}/events/rpc        {"method":"NotifyStatus","params":{"ts":1710776265.12,"em:0":{"a_current":4.51}}}
 *                              partial updates: only what changed, merged over the last known state
 *   {prefix}/online            true | false (retained)
 * A Pro 3EM (em:0, energy in emdata:0, Wh) feeds a transformer: per-phase currents and voltages.
 * switch:N / pm1:N (apower W, aenergy.total Wh) feed an electricity meter. Phase values come out
 * as flat fields (currentA_a ...) so partial updates merge per phase. The prefix is the device's
 * own name and its login: it owns {prefix}/#, under any first level that is nobody else's.
 */
import { parseJsonObject } from '../json.ts';
import { defineExternalFormat, type ExternalPart } from './descriptor.ts';
import { defined, FieldReader, jsonMessage, round } from './reader.ts';

const INGEST = ['+/events/rpc', '+/status/+', '+/online'];
/** The components the campus file may name (the ones that carry readings). */
const COMPONENT = /^(em|switch|pm1|em1):\d$/;

/** One component's status as native fields, under the component that owns the values; undefined for components that carry no reading. */
function component(name: string, value: unknown, f: FieldReader): ExternalPart | undefined {
  const [type, index] = name.split(':');
  if (index === undefined || !/^\d$/.test(index)) return undefined;
  if (!['em', 'emdata', 'em1', 'em1data', 'switch', 'pm1'].includes(type!)) return undefined;
  const status = f.obj(value, name);
  if (!status) return undefined;
  const at = (key: string) => `${name}.${key}`;
  switch (type) {
    case 'em':
      return {
        component: `em:${index}`,
        fields: defined({
          currentA_a: f.num(status.a_current, at('a_current')),
          currentA_b: f.num(status.b_current, at('b_current')),
          currentA_c: f.num(status.c_current, at('c_current')),
          voltageV_a: f.num(status.a_voltage, at('a_voltage')),
          voltageV_b: f.num(status.b_voltage, at('b_voltage')),
          voltageV_c: f.num(status.c_voltage, at('c_voltage')),
          powerKW: f.kilo(status.total_act_power, at('total_act_power')),
        }),
      };
    case 'emdata':
      return { component: `em:${index}`, fields: defined({ totalKWh: f.kilo(status.total_act, at('total_act')) }) };
    case 'em1':
      return { component: `em1:${index}`, fields: defined({ powerKW: f.kilo(status.act_power, at('act_power')) }) };
    case 'em1data':
      return { component: `em1:${index}`, fields: defined({ totalKWh: f.kilo(status.total_act_energy, at('total_act_energy')) }) };
    default:
      return {
        component: `${type}:${index}`,
        fields: defined({ powerKW: f.kilo(status.apower, at('apower')), totalKWh: f.kilo(f.obj(status.aenergy, at('aenergy'))?.total, at('aenergy.total')) }),
      };
  }
}

export const shelly = defineExternalFormat({
  name: 'shelly',
  product: 'Shelly Gen2+',
  label: { 'zh-CN': 'Shelly Gen2+（三相电能表、计量开关）', en: 'Shelly Gen2+ (3-phase energy meters, metering switches)' },
  roots: {},
  anyRoot: true,
  matches: (topic) => /\/(events\/rpc|status\/[a-z0-9]+:\d+|online)$/.test(topic),
  login: (source) => ({ username: source.id, id: source.id }),
  sourceProblem(source, rules) {
    const problem = rules.loginProblem(source.id);
    if (problem) return { field: 'id', message: problem };
    if (source.component !== undefined && !COMPONENT.test(source.component))
      return { field: 'component', message: 'must be a Shelly component such as "em:0" or "switch:0"' };
    return undefined;
  },
  publishFilters: (id) => [`${id}/#`],
  subscribeFilters: (id) => [`${id}/#`],
  keepsRetain: (topic, id) => topic === `${id}/online`,
  ingestFilters: () => INGEST,
  sourceTopics: (source) => INGEST.map((f) => f.replace('+', source.id)),
  availability: (id) => ({ topic: `${id}/online`, online: 'true', offline: 'false' }),

  decode(topic, payload, ctx) {
    if (topic.endsWith('/online')) {
      const id = topic.slice(0, -'/online'.length);
      const text = payload.toString('utf8').trim();
      if (text !== 'true' && text !== 'false') return { type: 'rejected', reason: `Shelly online must be true or false, got "${text.slice(0, 20)}"` };
      return { type: 'external', format: 'shelly', id, parts: [], status: text === 'true' ? 'online' : 'offline' };
    }
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const f = new FieldReader('Shelly');
    const status = /^(.+)\/status\/([a-z0-9]+:\d+)$/.exec(topic);
    if (status) {
      const part = component(status[2]!, body.value, f);
      const wrong = f.rejection();
      if (wrong) return wrong;
      if (!part) return { type: 'ignored', reason: `Shelly component ${status[2]} carries no reading` };
      return { type: 'external', format: 'shelly', id: status[1]!, parts: [part] };
    }
    const id = topic.slice(0, -'/events/rpc'.length);
    const method = f.text(body.value.method, 'method');
    const wrongMethod = f.rejection();
    if (wrongMethod) return wrongMethod;
    if (method !== 'NotifyStatus' && method !== 'NotifyFullStatus')
      return { type: 'ignored', reason: `Shelly ${(method ?? 'RPC without a method').slice(0, 40)} is not a status` };
    const params = f.obj(body.value.params, 'params');
    if (!params) return f.rejection() ?? { type: 'rejected', reason: 'Shelly NotifyStatus without params' };
    const parts: ExternalPart[] = [];
    for (const [name, value] of Object.entries(params)) {
      const part = component(name, value, f);
      if (part && Object.keys(part.fields).length) parts.push(part);
    }
    const ts = f.num(params.ts, 'params.ts');
    const wrong = f.rejection();
    if (wrong) return wrong;
    if (!parts.length) return { type: 'ignored', reason: 'this Shelly notification carries no metered values' };
    return { type: 'external', format: 'shelly', id, parts, ...(ts ? { ts: Math.round(ts * 1000) } : {}) };
  },

  encode({ source, kind, values: v }) {
    const name = source.component ?? (kind === 'transformer' ? 'em:0' : 'switch:0');
    const [type, index] = name.split(':');
    if (type === 'em') {
      const [a, b, c] = (v.currentA as number[] | undefined) ?? [0, 0, 0];
      const [va, vb, vc] = (v.voltageV as number[] | undefined) ?? [230, 230, 230];
      const out = [
        jsonMessage(`${source.id}/status/em:${index}`, {
          id: Number(index),
          a_current: a,
          a_voltage: va,
          b_current: b,
          b_voltage: vb,
          c_current: c,
          c_voltage: vc,
          total_current: round(a! + b! + c!),
          total_act_power: round(Number(v.powerKW ?? 0) * 1000, 1),
        }),
      ];
      if (v.totalKWh !== undefined)
        out.push(jsonMessage(`${source.id}/status/emdata:${index}`, { id: Number(index), total_act: round(Number(v.totalKWh) * 1000, 2) }));
      return out;
    }
    return [
      jsonMessage(`${source.id}/status/${name}`, {
        id: Number(index),
        output: true,
        apower: round(Number(v.powerKW ?? 0) * 1000, 1),
        aenergy: { total: round(Number(v.totalKWh) * 1000, 3) },
      }),
    ];
  },
});
