/**
 * wmbusmeters (a gateway decoding wireless M-Bus water meters), publishing each telegram as JSON
 * on wmbusmeters/{gateway}/{meter name}:
 *   {"meter":"iperl","id":"33225544","total_m3":123.529,"max_flow_m3h":0,"status":"OK","timestamp":"2024-03-18T15:37:45Z"}
 * The meter's `id` is the identity. `status` (or `current_status` of older drivers) holds flags:
 * LEAK, BURST, DRY, ... ("OK" or "" for none). `timestamp` is UTC (ISO 8601 with its Z); one
 * that is no such time is refused, not replaced by the time of arrival. A site's gateway logs in
 * as `wmbus-{siteId}` and publishes under wmbusmeters/{login}/; it takes no commands.
 */
import { parseJsonObject } from '../json.ts';
import { defineExternalFormat, EXTERNAL_ID_PATTERN } from './descriptor.ts';
import { defined, FieldReader, jsonMessage } from './reader.ts';

const ROOT = 'wmbusmeters';
const gatewayOf = (siteId: string): string => `wmbus-${siteId}`;

export const wmbus = defineExternalFormat({
  name: 'wmbus',
  product: 'wmbusmeters',
  label: { 'zh-CN': 'wmbusmeters（无线 M-Bus 水表）', en: 'wmbusmeters (wireless M-Bus water meters)' },
  roots: { [ROOT]: `wmbusmeters (${ROOT}/...)` },
  matches: (topic) => topic.startsWith(`${ROOT}/`),
  login: (_source, siteId) => ({ username: gatewayOf(siteId), id: gatewayOf(siteId) }),
  sourceProblem: (source) =>
    EXTERNAL_ID_PATTERN.test(source.id)
      ? undefined
      : { field: 'id', message: `"${source.id.slice(0, 64)}" must be the meter's id: no spaces, "/", "+", "#" or "$"` },
  publishFilters: (id) => [`${ROOT}/${id}/#`, `${ROOT}/${id}`],
  subscribeFilters: () => [],
  keepsRetain: () => false,
  ingestFilters: () => [`${ROOT}/#`],
  sourceTopics: (_source, siteId) => [`${ROOT}/${gatewayOf(siteId)}`, `${ROOT}/${gatewayOf(siteId)}/#`],

  decode(_topic, payload, ctx) {
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const v = body.value;
    const id = typeof v.id === 'string' || (typeof v.id === 'number' && Number.isSafeInteger(v.id)) ? String(v.id) : undefined;
    if (!id) return { type: 'rejected', reason: 'a wmbusmeters telegram needs the meter "id"' };
    const f = new FieldReader('wmbusmeters');
    const flags = f.text(v.status, 'status') ?? f.text(v.current_status, 'current_status');
    const fields = defined({
      totalM3: f.num(v.total_m3, 'total_m3'),
      flowM3h: f.num(v.flow_m3h, 'flow_m3h') ?? f.num(v.current_flow_m3h, 'current_flow_m3h'),
      status: flags === undefined ? undefined : flags.trim() || 'OK',
      batteryPct: f.num(v.battery_pct, 'battery_pct'),
    });
    const ts = f.time(v.timestamp, 'timestamp');
    const wrong = f.rejection();
    if (wrong) return wrong;
    return { type: 'external', format: 'wmbus', id, parts: [{ fields }], ...(ts !== undefined ? { ts } : {}) };
  },

  encode({ source, siteId, deviceId, ts, values: v }) {
    const flags = Array.isArray(v.status) ? v.status.join(' ') : typeof v.status === 'string' ? v.status : '';
    return [
      jsonMessage(`${ROOT}/${gatewayOf(siteId)}/${deviceId}`, {
        _: 'telegram',
        media: 'water',
        meter: 'iperl',
        name: deviceId,
        id: source.id,
        total_m3: v.totalM3,
        max_flow_m3h: v.flowM3h ?? 0,
        status: flags || 'OK',
        timestamp: new Date(ts).toISOString(),
      }),
    ];
  },
});
