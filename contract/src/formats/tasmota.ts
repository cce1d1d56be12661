/**
 * Tasmota (energy-monitoring plugs and DIN-rail meters):
 *   tele/{topic}/SENSOR  {"Time":"2024-03-18T15:37:45","ENERGY":{"Total":52.713,"Power":36,...}}
 *   tele/{topic}/LWT     Online | Offline (retained)
 * `Time` is the device's local time without a zone (read in the site's zone), or with one when
 * SetOption52 is on; anything else is refused, like a wrong value. `Total` is kWh,
 * `Power` W. A multi-channel device sends arrays, one element a channel (`Total` per channel
 * needs SetOption129 1; otherwise only the first channel gets the register). Other tele/ topics
 * (STATE, INFO) are not readings. The device logs in as its topic; it publishes under tele/ and
 * stat/ and takes commands on cmnd/.
 */
import { parseJsonObject } from '../json.ts';
import { defineExternalFormat, type ExternalPart } from './descriptor.ts';
import { defined, FieldReader, jsonMessage, round } from './reader.ts';

/** Tasmota's own time format: local time without a zone (the default), or with one (SetOption52). */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const INGEST = ['tele/+/SENSOR', 'tele/+/LWT'];

export const tasmota = defineExternalFormat({
  name: 'tasmota',
  product: 'Tasmota',
  label: { 'zh-CN': 'Tasmota（计量插座、导轨电表）', en: 'Tasmota (energy plugs, DIN-rail meters)' },
  roots: { tele: 'Tasmota (tele/...)', stat: 'Tasmota (stat/...)', cmnd: 'Tasmota commands (cmnd/...)' },
  matches: (topic) => topic.startsWith('tele/'),
  login: (source) => ({ username: source.id, id: source.id }),
  sourceProblem(source, rules) {
    const problem = rules.loginProblem(source.id);
    return problem ? { field: 'id', message: problem } : undefined;
  },
  publishFilters: (id) => [`tele/${id}/#`, `stat/${id}/#`],
  subscribeFilters: (id) => [`cmnd/${id}/#`],
  keepsRetain: (topic, id) => topic === `tele/${id}/LWT`,
  ingestFilters: () => INGEST,
  sourceTopics: (source) => INGEST.map((f) => f.replace('+', source.id)),
  availability: (id) => ({ topic: `tele/${id}/LWT`, online: 'Online', offline: 'Offline' }),

  decode(topic, payload, ctx) {
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

  encode({ source, ts, utcOffsetMs, values: v }) {
    // a channel's values at its place in the arrays; the other channels' places stay empty
    const ch = (source.channel ?? 1) - 1;
    const at = (x: unknown) => (source.channel ? Array.from({ length: ch + 1 }, (_, i) => (i === ch ? x : null)) : x);
    const local = new Date(ts + utcOffsetMs).toISOString().slice(0, 19);
    return [jsonMessage(`tele/${source.id}/SENSOR`, { Time: local, ENERGY: { Total: at(v.totalKWh), Power: at(round(Number(v.powerKW ?? 0) * 1000, 1)) } })];
  },
});
