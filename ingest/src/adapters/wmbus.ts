/**
 * wmbusmeters (a gateway decoding wireless M-Bus water meters), publishing each telegram as JSON
 * on wmbusmeters/{gateway}/{meter name}:
 *   {"meter":"iperl","id":"33225544","total_m3":123.529,"max_flow_m3h":0,"status":"OK","timestamp":"2024-03-18T15:37:45Z"}
 * The meter's `id` is the identity. `status` (or `current_status` of older drivers) holds flags:
 * LEAK, BURST, DRY, ... ("OK" or "" for none). `timestamp` is UTC (ISO 8601 with its Z); one
 * that is no such time is refused, not replaced by the time of arrival.
 */
import { parseJsonObject } from '@campus/contract';
import { defined, FieldReader, type AdapterResult, type DecodeContext } from './adapter.ts';

export const wmbus = {
  name: 'wmbus',
  matches: (topic: string) => topic.startsWith('wmbusmeters/'),
  decode(_topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
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
};
