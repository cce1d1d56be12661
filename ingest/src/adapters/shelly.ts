/**
 * Shelly Gen2+ devices (Pro 3EM, Plus 1PM, Plus Plug S, PM Mini):
 *   {prefix}/status/em:0       full status of a component ({"a_current":4.029,"a_voltage":236.1,...})
 *   {prefix}/events/rpc        {"method":"NotifyStatus","params":{"ts":1710776265.12,"em:0":{"a_current":4.51}}}
 *                              partial updates: only what changed, merged over the last known state
 *   {prefix}/online            true | false (retained)
 * A Pro 3EM (em:0, energy in emdata:0, Wh) feeds a transformer: per-phase currents and voltages.
 * switch:N / pm1:N (apower W, aenergy.total Wh) feed an electricity meter. Phase values come out
 * as flat fields (currentA_a ...) so partial updates merge per phase.
 */
import { parseJsonObject } from '@campus/contract';
import { defined, kilo, num, type AdapterResult, type DecodeContext, type ExternalPart } from './adapter.ts';

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** One component's status as native fields, under the component that owns the values. */
function component(name: string, status: Record<string, unknown>): ExternalPart | undefined {
  const [type, index] = name.split(':');
  if (index === undefined || !/^\d$/.test(index)) return undefined;
  switch (type) {
    case 'em':
      return {
        component: `em:${index}`,
        fields: defined({
          currentA_a: num(status.a_current),
          currentA_b: num(status.b_current),
          currentA_c: num(status.c_current),
          voltageV_a: num(status.a_voltage),
          voltageV_b: num(status.b_voltage),
          voltageV_c: num(status.c_voltage),
          powerKW: kilo(status.total_act_power),
        }),
      };
    case 'emdata':
      return { component: `em:${index}`, fields: defined({ totalKWh: kilo(status.total_act) }) };
    case 'em1':
      return { component: `em1:${index}`, fields: defined({ powerKW: kilo(status.act_power) }) };
    case 'em1data':
      return { component: `em1:${index}`, fields: defined({ totalKWh: kilo(status.total_act_energy) }) };
    case 'switch':
    case 'pm1':
      return { component: `${type}:${index}`, fields: defined({ powerKW: kilo(status.apower), totalKWh: kilo(obj(status.aenergy)?.total) }) };
    default:
      return undefined;
  }
}

export const shelly = {
  name: 'shelly',
  matches: (topic: string) => /\/(events\/rpc|status\/[a-z0-9]+:\d+|online)$/.test(topic),
  decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
    if (topic.endsWith('/online')) {
      const id = topic.slice(0, -'/online'.length);
      const text = payload.toString('utf8').trim();
      if (text !== 'true' && text !== 'false') return { type: 'rejected', reason: `Shelly online must be true or false, got "${text.slice(0, 20)}"` };
      return { type: 'external', format: 'shelly', id, parts: [], status: text === 'true' ? 'online' : 'offline' };
    }
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const status = /^(.+)\/status\/([a-z0-9]+:\d+)$/.exec(topic);
    if (status) {
      const part = component(status[2]!, body.value);
      if (!part) return { type: 'ignored', reason: `Shelly component ${status[2]} carries no reading` };
      return { type: 'external', format: 'shelly', id: status[1]!, parts: [part] };
    }
    const id = topic.slice(0, -'/events/rpc'.length);
    const method = body.value.method;
    if (method !== 'NotifyStatus' && method !== 'NotifyFullStatus') return { type: 'ignored', reason: `Shelly ${String(method).slice(0, 40)} is not a status` };
    const params = obj(body.value.params);
    if (!params) return { type: 'rejected', reason: 'Shelly NotifyStatus without params' };
    const parts: ExternalPart[] = [];
    for (const [name, value] of Object.entries(params)) {
      const s = obj(value);
      const part = s && component(name, s);
      if (part && Object.keys(part.fields).length) parts.push(part);
    }
    if (!parts.length) return { type: 'ignored', reason: 'this Shelly notification carries no metered values' };
    const ts = num(params.ts);
    return { type: 'external', format: 'shelly', id, parts, ...(ts ? { ts: Math.round(ts * 1000) } : {}) };
  },
};
