/**
 * Tasmota (energy-monitoring plugs and DIN-rail meters):
 *   tele/{topic}/SENSOR  {"Time":"2024-03-18T15:37:45","ENERGY":{"Total":52.713,"Power":36,...}}
 *   tele/{topic}/LWT     Online | Offline (retained)
 * `Time` is the device's local time without a zone (read in the site's zone), or with one when
 * SetOption52 is on; anything else is refused, like a wrong value. `Total` is kWh,
 * `Power` W. A multi-channel device sends arrays, one element a channel (`Total` per channel
 * needs SetOption129 1; otherwise only the first channel gets the register). Other tele/ topics
 * (STATE, INFO) are not readings.
 */
import { parseJsonObject } from '@campus/contract';
import { defined, FieldReader, type AdapterResult, type DecodeContext, type ExternalPart } from './adapter.ts';

/** Tasmota's own time format: local time without a zone (the default), or with one (SetOption52). */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

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
    const f = new FieldReader('Tasmota');
    const e = f.obj(body.value.ENERGY, 'ENERGY');
    if (!e) return f.rejection() ?? { type: 'ignored', reason: 'this Tasmota SENSOR message has no ENERGY' };
    const channels = Math.max(1, ...[e.Power, e.Total].map((v) => (Array.isArray(v) ? v.length : 1)));
    const at = (v: unknown, i: number) => (Array.isArray(v) ? v[i] : i === 0 ? v : undefined);
    const name = (key: string, i: number) => (Array.isArray(e[key]) ? `ENERGY.${key}[${i}]` : `ENERGY.${key}`);
    const parts: ExternalPart[] = [];
    for (let i = 0; i < Math.min(channels, 8); i++) {
      parts.push({ channel: i + 1, fields: defined({ totalKWh: f.num(at(e.Total, i), name('Total', i)), powerKW: f.kilo(at(e.Power, i), name('Power', i)) }) });
    }
    const time = f.text(body.value.Time, 'Time');
    const local = time !== undefined && LOCAL_TIME.test(time);
    const localTime = local ? f.localTime(time, 'Time') : undefined;
    const ts = time === undefined || local ? undefined : f.time(time, 'Time');
    const wrong = f.rejection();
    if (wrong) return wrong;
    return { type: 'external', format: 'tasmota', id, parts, ...(ts !== undefined ? { ts } : localTime ? { localTime } : {}) };
  },
};
