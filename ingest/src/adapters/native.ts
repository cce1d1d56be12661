/**
 * The native wire format (SPEC.md): campus/{siteId}/{deviceId}/telemetry with a JSON object,
 * and campus/{siteId}/{deviceId}/status with "online" / "offline".
 */
import { parseDeviceTopic, parseJsonObject, parseStatus } from '@campus/contract';
import type { AdapterResult, DecodeContext } from './adapter.ts';

export const native = {
  name: 'native',
  matches: (topic: string) => topic.startsWith('campus/'),
  decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult {
    const parsed = parseDeviceTopic(topic);
    if (!parsed) return { type: 'rejected', reason: `not a device topic (expected campus/{site}/{device}/telemetry or /status)` };
    if (parsed.channel === 'status') {
      const status = parseStatus(payload);
      if (!status.ok) return { type: 'rejected', reason: status.reason };
      return { type: 'status', siteId: parsed.siteId, deviceId: parsed.deviceId, status: status.value };
    }
    const body = parseJsonObject(payload, ctx.limits.maxBytes);
    if (!body.ok) return { type: 'rejected', reason: body.reason };
    return { type: 'telemetry', siteId: parsed.siteId, deviceId: parsed.deviceId, body: body.value };
  },
};
