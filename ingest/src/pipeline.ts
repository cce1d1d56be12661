/**
 * One MQTT message in, its outcomes out: readings, status changes, a pending (not yet adopted)
 * off-the-shelf device, an ignored message, or a rejection with its reason.
 *   const steps = [decode, validate (native) | map (external)]  -> then the batch is stored, and only then acknowledged.
 * The process never throws on a payload: anything unexpected becomes a rejection.
 */
import { DEFAULT_TELEMETRY_LIMITS, formatOfTopic, validateTelemetry, type DecodeResult, type ExternalFormat, type TelemetryLimits } from '@campus/contract';
import { ExternalMapper } from './external.ts';
import type { Outcome } from './outcome.ts';
import type { DeviceRegistry } from './registry.ts';
import { beyondRegister } from './register-range.ts';

/** A message decoded by its family (the contract's formats/: one descriptor a family). */
export type AdapterResult = DecodeResult<ExternalFormat>;

export type { Outcome };

export interface PipelineContext {
  registry: DeviceRegistry;
  limits: TelemetryLimits;
  external: ExternalMapper;
}

/** The family whose topic it is decodes it (the contract's formatOfTopic), knowing the logins the campus files name. */
export function decode(topic: string, payload: Buffer, ctx: PipelineContext): AdapterResult {
  const logins = (format: string) => ctx.registry.logins(format);
  const format = formatOfTopic(topic, logins);
  if (!format) return { type: 'rejected', reason: `no adapter for topic ${topic.slice(0, 100)}` };
  return format.decode(topic, payload, { limits: ctx.limits, logins: logins(format.name) }) as AdapterResult;
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
  return { registry, limits, external: new ExternalMapper(registry) };
}
