/**
 * What an adapter does: turn one MQTT message of its payload family into the native shape, or
 * say why it cannot. Native messages name their ledger device in the topic; off-the-shelf ones
 * name their own identity (a Tasmota topic, a Shelly prefix, a Zigbee2MQTT friendly name, a
 * wM-Bus meter id), which `external.ts` maps to ledger devices through the campus file.
 */
import type { ExternalFormat, TelemetryLimits } from '@campus/contract';

export interface DecodeContext {
  limits: TelemetryLimits;
}

/** Values of one part of an external message (a channel, a component), in native field names. */
export interface ExternalPart {
  channel?: number;
  component?: string;
  fields: Record<string, unknown>;
}

export interface ExternalMessage {
  type: 'external';
  format: ExternalFormat;
  /** the identity the campus file maps (for Zigbee2MQTT: the friendly name) */
  id: string;
  /** Zigbee2MQTT: the bridge's base topic */
  bridge?: string;
  /** device time, epoch ms, when the message carries one with a zone */
  ts?: number;
  /** device time in the site's local time without a zone (Tasmota's "Time") */
  localTime?: string;
  parts: ExternalPart[];
  /** an availability message instead of values */
  status?: 'online' | 'offline';
}

export type AdapterResult =
  | { type: 'telemetry'; siteId: string; deviceId: string; body: Record<string, unknown> }
  | { type: 'status'; siteId: string; deviceId: string; status: 'online' | 'offline' }
  | ExternalMessage
  /** understood, and deliberately not a reading (a Tasmota STATE, a bridge log): counted, not kept */
  | { type: 'ignored'; reason: string }
  | { type: 'rejected'; reason: string };

export interface Adapter {
  readonly name: string;
  matches(topic: string): boolean;
  decode(topic: string, payload: Buffer, ctx: DecodeContext): AdapterResult;
}

/** A JSON object payload, or the reason it is not one. */
export { parseJsonObject } from '@campus/contract';

/** A finite number, or undefined. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** W -> kW, Wh -> kWh, keeping undefined. */
export const kilo = (v: unknown): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : n / 1000;
};

/** Drops undefined fields. */
export function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
