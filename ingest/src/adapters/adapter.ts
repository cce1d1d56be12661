/**
 * What an adapter does: turn one MQTT message of its payload family into the native shape
 * (a telemetry body for a device, or a status), or say why it cannot.
 */
import type { TelemetryLimits } from '@campus/contract';

export interface DecodeContext {
  limits: TelemetryLimits;
}

export type AdapterResult =
  | { type: 'telemetry'; siteId: string; deviceId: string; body: Record<string, unknown> }
  | { type: 'status'; siteId: string; deviceId: string; status: 'online' | 'offline' }
  | { type: 'rejected'; reason: string };

export interface Adapter {
  readonly name: string;
  matches(topic: string): boolean;
  decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult;
}
