/**
 * wmbusmeters (a gateway decoding wireless M-Bus water meters), publishing each telegram as JSON
 * on wmbusmeters/{gateway}/{meter name}:
 *   {"meter":"iperl","id":"33225544","total_m3":123.529,"max_flow_m3h":0,"status":"OK","timestamp":"2024-03-18T15:37:45Z"}
 * The meter's `id` is the identity. `status` (or `current_status` of older drivers) holds flags:
 * LEAK, BURST, DRY, ... ("OK" or "" for none). `timestamp` is UTC.
 */
import { parseJsonObject } from '@campus/contract';
import { defined, num, type AdapterResult, type DecodeContext } from './adapter.ts';

export const wmbus = {
  name: 'wmbus',
  matches: (topic: string) => topic.startsWith('wmbusmeters/'),
  decode(_topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    const v = body.value;
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : undefined;
    if (!id) return { type: 'rejected', reason: 'a wmbusmeters telegram needs the meter "id"' };
    const flags = typeof v.status === 'string' ? v.status : typeof v.current_status === 'string' ? v.current_status : undefined;
    const flow = num(v.flow_m3h) ?? num(v.current_flow_m3h);
    const fields = defined({
      totalM3: num(v.total_m3),
      flowM3h: flow,
      status: flags === undefined ? undefined : flags.trim() || 'OK',
      batteryPct: num(v.battery_pct),
    });
    const ts = typeof v.timestamp === 'string' ? Date.parse(v.timestamp) : undefined;
    return { type: 'external', format: 'wmbus', id, parts: [{ fields }], ...(ts && Number.isFinite(ts) ? { ts } : {}) };
  },
};
