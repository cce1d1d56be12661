/**
 * One MQTT message in, one outcome out: a reading, a status change, or a rejection with its reason.
 *   const steps = [decode, validate]  -> then the batch is stored, and only then acknowledged.
 * The process never throws on a payload: anything unexpected becomes a rejection.
 */
import { DEFAULT_TELEMETRY_LIMITS, validateTelemetry, type Reading, type TelemetryLimits } from '@campus/contract';
import type { Adapter, AdapterResult } from './adapters/adapter.ts';
import { native } from './adapters/native.ts';
import type { DeviceRegistry } from './registry.ts';
import type { StatusChange } from './store/store.ts';

/** Every payload family ingest understands; the first whose topic matches decodes. */
export const ADAPTERS: readonly Adapter[] = [native];

export type Outcome = { type: 'reading'; reading: Reading } | { type: 'status'; status: StatusChange } | { type: 'rejected'; reason: string };

export interface PipelineContext {
  registry: DeviceRegistry;
  limits: TelemetryLimits;
}

export function decode(topic: string, payload: Buffer, ctx: PipelineContext): AdapterResult {
  const adapter = ADAPTERS.find((a) => a.matches(topic));
  if (!adapter) return { type: 'rejected', reason: `no adapter for topic ${topic.slice(0, 100)}` };
  return adapter.decode(topic, payload, ctx);
}

export function validate(decoded: AdapterResult, now: number, ctx: PipelineContext): Outcome {
  if (decoded.type === 'rejected') return decoded;
  const device = ctx.registry.get(decoded.deviceId);
  if (!device) return { type: 'rejected', reason: `unknown device "${decoded.deviceId}" (not in the campus file)` };
  if (device.siteId !== decoded.siteId)
    return { type: 'rejected', reason: `device "${decoded.deviceId}" belongs to site "${device.siteId}", not "${decoded.siteId}"` };
  if (decoded.type === 'status') return { type: 'status', status: { deviceId: decoded.deviceId, status: decoded.status, at: now } };
  const checked = validateTelemetry(device.config.kind, decoded.body, now, ctx.limits);
  if (!checked.ok) return { type: 'rejected', reason: checked.reason };
  return {
    type: 'reading',
    reading: { siteId: device.siteId, deviceId: decoded.deviceId, kind: device.config.kind, receivedAt: now, ...checked.value },
  };
}

export function processMessage(topic: string, payload: Buffer, now: number, ctx: PipelineContext): Outcome {
  try {
    return validate(decode(topic, payload, ctx), now, ctx);
  } catch (err) {
    return { type: 'rejected', reason: `internal error while decoding: ${(err as Error).message}` };
  }
}

export function pipelineContext(registry: DeviceRegistry, limits: TelemetryLimits = DEFAULT_TELEMETRY_LIMITS): PipelineContext {
  return { registry, limits };
}
