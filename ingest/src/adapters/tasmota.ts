/**
 * Tasmota (energy-monitoring plugs and DIN-rail meters):
 *   tele/{topic}/SENSOR  {"Time":"2024-03-18T15:37:45","ENERGY":{"Total":52.713,"Power":36,...}}
 *   tele/{topic}/LWT     Online | Offline (retained)
 * `Time` is the device's local time without a zone (read in the site's zone). `Total` is kWh,
 * `Power` W. A multi-channel device sends arrays, one element a channel (`Total` per channel
 * needs SetOption129 1; otherwise only the first channel gets the register). Other tele/ topics
 * (STATE, INFO) are not readings.
 */
import { parseJsonObject } from '@campus/contract';
import { defined, kilo, num, type AdapterResult, type DecodeContext, type ExternalPart } from './adapter.ts';

export const tasmota = {
  name: 'tasmota',
  matches: (topic: string) => topic.startsWith('tele/'),
  decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
    const [, id, leaf, ...rest] = topic.split('/');
    if (!id || !leaf || rest.length) return { type: 'rejected', reason: 'a Tasmota topic is tele/{topic}/SENSOR or tele/{topic}/LWT' };
    if (leaf === 'LWT') {
      const text = payload.toString('utf8').trim();
      if (text !== 'Online' && text !== 'Offline') return { type: 'rejected', reason: `Tasmota LWT must be Online or Offline, got "${text.slice(0, 20)}"` };
      return { type: 'external', format: 'tasmota', id, parts: [], status: text === 'Online' ? 'online' : 'offline' };
    }
    if (leaf !== 'SENSOR') return { type: 'ignored', reason: `Tasmota ${leaf} is not a reading` };
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const energy = body.value.ENERGY;
    if (energy === null || typeof energy !== 'object' || Array.isArray(energy)) return { type: 'ignored', reason: 'this Tasmota SENSOR message has no ENERGY' };
    const e = energy as Record<string, unknown>;
    const channels = Math.max(1, ...[e.Power, e.Total].map((v) => (Array.isArray(v) ? v.length : 1)));
    const at = (v: unknown, i: number) => (Array.isArray(v) ? v[i] : i === 0 ? v : undefined);
    const parts: ExternalPart[] = [];
    for (let i = 0; i < Math.min(channels, 8); i++) {
      parts.push({ channel: i + 1, fields: defined({ totalKWh: num(at(e.Total, i)), powerKW: kilo(at(e.Power, i)) }) });
    }
    const time = typeof body.value.Time === 'string' ? body.value.Time : undefined;
    return { type: 'external', format: 'tasmota', id, parts, ...(time ? { localTime: time } : {}) };
  },
};
