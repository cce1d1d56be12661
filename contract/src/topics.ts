/**
 * MQTT topics of the native wire contract (docs/contract/mqtt.md):
 *   campus/{siteId}/{deviceId}/telemetry   QoS 1, JSON
 *   campus/{siteId}/{deviceId}/status      retained "online" / "offline" (last will)
 */

/** Site and device ids: safe in a topic level, a file name and a URL (no `+`, `#`, `/`). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

export const TOPIC_ROOT = 'campus';
export const DEVICE_CHANNELS = ['telemetry', 'status'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

export function telemetryTopic(siteId: string, deviceId: string): string {
  return `${TOPIC_ROOT}/${siteId}/${deviceId}/telemetry`;
}

export function statusTopic(siteId: string, deviceId: string): string {
  return `${TOPIC_ROOT}/${siteId}/${deviceId}/status`;
}

/** Every topic a device owns starts with this prefix. */
export function deviceTopicPrefix(siteId: string, deviceId: string): string {
  return `${TOPIC_ROOT}/${siteId}/${deviceId}/`;
}

/** The subscription that sees all native traffic of one site. */
export function siteSubscription(siteId: string): string {
  return `${TOPIC_ROOT}/${siteId}/#`;
}

export interface DeviceTopic {
  siteId: string;
  deviceId: string;
  channel: DeviceChannel;
}

/** Parses a native device topic; null for anything else. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return null;
  const [, siteId, deviceId, channel] = parts as [string, string, string, string];
  if (!isValidId(siteId) || !isValidId(deviceId)) return null;
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) return null;
  return { siteId, deviceId, channel: channel as DeviceChannel };
}

export const STATUS_VALUES = ['online', 'offline'] as const;
export type DeviceStatusValue = (typeof STATUS_VALUES)[number];

/**
 * Where ingest workers agree who reads which site (ingest/src/worker.ts), outside the devices'
 * `campus/` space:
 *   campus-ops/ingest/workers/{worker}   retained {"state":"online"|"offline","epoch":n} (offline is the will)
 *   campus-ops/ingest/sites/{siteId}     retained {"worker":..., "state":"reading"|"released"}
 */
export const INGEST_OPS_ROOT = 'campus-ops/ingest';
export const workerPresenceTopic = (worker: string): string => `${INGEST_OPS_ROOT}/workers/${worker}`;
export const siteLeaseTopic = (siteId: string): string => `${INGEST_OPS_ROOT}/sites/${siteId}`;
