/**
 * One MQTT message in, its outcomes out: readings, status changes, a pending (not yet adopted)
 * off-the-shelf device, an ignored message, or a rejection with its reason.
 *   const steps = [decode, validate (native) | map (external)]  -> then the batch is stored, and only then acknowledged.
 * The process never throws on a payload: anything unexpected becomes a rejection.
 */
import { DEFAULT_TELEMETRY_LIMITS, validateTelemetry, type Reading, type TelemetryLimits } from '@campus/contract';
import type { Adapter, AdapterResult } from './adapters/adapter.ts';
import { native } from './adapters/native.ts';
import { shelly } from './adapters/shelly.ts';
import { tasmota } from './adapters/tasmota.ts';
import { wmbus } from './adapters/wmbus.ts';
import { zigbee2mqttAdapter } from './adapters/zigbee2mqtt.ts';
import { ExternalMapper } from './external.ts';
import type { PendingDevice } from '@campus/store';
import type { DeviceRegistry } from './registry.ts';
import { beyondRegister } from './register-range.ts';
import type { StatusChange } from '@campus/store';

/** Every payload family ingest understands, most specific first; the first whose topic matches decodes. */
export function adapters(registry: DeviceRegistry): readonly Adapter[] {
  return [native, tasmota, wmbus, zigbee2mqttAdapter(registry.zigbeeBridges), shelly];
}

export type Outcome =
  | { type: 'reading'; reading: Reading }
  | { type: 'status'; status: StatusChange }
  | { type: 'pending'; pending: PendingDevice }
  | { type: 'ignored'; reason: string }
  | { type: 'rejected'; reason: string };

export interface PipelineContext {
  registry: DeviceRegistry;
  limits: TelemetryLimits;
  adapters: readonly Adapter[];
  external: ExternalMapper;
}

export function decode(topic: string, payload: Buffer, ctx: PipelineContext): AdapterResult {
  const adapter = ctx.adapters.find((a) => a.matches(topic));
  if (!adapter) return { type: 'rejected', reason: `no adapter for topic ${topic.slice(0, 100)}` };
  return adapter.decode(topic, payload, ctx);
}

export function validate(decoded: AdapterResult, now: number, ctx: PipelineContext): Outcome {
  if (decoded.type === 'rejected' || decoded.type === 'ignored') return decoded;
  if (decoded.type === 'external') throw new Error('external messages are mapped, not validated directly');
  const device = ctx.registry.get(decoded.deviceId);
  if (!device) return { type: 'rejected', reason: `unknown device "${decoded.deviceId}" (not in the campus file)` };
  if (device.siteId !== decoded.siteId)
    return { type: 'rejected', reason: `device "${decoded.deviceId}" belongs to site "${device.siteId}", not "${decoded.siteId}"` };
  if (decoded.type === 'status') return { type: 'status', status: { deviceId: decoded.deviceId, status: decoded.status, at: now } };
  const checked = validateTelemetry(device.config.kind, decoded.body, now, ctx.limits);
  if (!checked.ok) return { type: 'rejected', reason: checked.reason };
  const overflow = beyondRegister(device.config, checked.value.values);
  if (overflow) return { type: 'rejected', reason: overflow };
  return {
    type: 'reading',
    reading: { siteId: device.siteId, deviceId: decoded.deviceId, kind: device.config.kind, receivedAt: now, ...checked.value },
  };
}

export function processMessage(topic: string, payload: Buffer, now: number, ctx: PipelineContext): Outcome[] {
  try {
    const decoded = decode(topic, payload, ctx);
    if (decoded.type === 'external') return ctx.external.map(decoded, topic, payload, now, ctx.limits);
    return [validate(decoded, now, ctx)];
  } catch (err) {
    return [{ type: 'rejected', reason: `internal error while decoding: ${(err as Error).message}` }];
  }
}

export function pipelineContext(registry: DeviceRegistry, limits: TelemetryLimits = DEFAULT_TELEMETRY_LIMITS): PipelineContext {
  return { registry, limits, adapters: adapters(registry), external: new ExternalMapper(registry) };
}
