/**
 * The native wire format: campus/{siteId}/{deviceId}/telemetry with a JSON object, and
 * campus/{siteId}/{deviceId}/status with "online" / "offline" (topics.ts). Its devices' broker
 * logins are per ledger device (the broker's ACL), not per family.
 */
import { parseJsonObject } from '../json.ts';
import { parseStatus } from '../telemetry.ts';
import { parseDeviceTopic, TOPIC_ROOT } from '../topics.ts';
import { defineFormat } from './descriptor.ts';

export const native = defineFormat({
  name: 'native',
  product: 'native',
  label: { 'zh-CN': '本系统协议', en: 'native' },
  roots: { [TOPIC_ROOT]: `the native devices (${TOPIC_ROOT}/...)` },
  matches: (topic) => topic.startsWith(`${TOPIC_ROOT}/`),
  decode(topic, payload, ctx) {
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
});
