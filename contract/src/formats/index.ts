/**
 * Every payload family, one descriptor file each (descriptor.ts says what a descriptor holds).
 * Adding a family is its file and one line in this list: the formats the campus file accepts,
 * their labels, the broker's ACL for their logins, ingest's routing and subscriptions and the
 * simulator all derive from it (external.ts). The order is the order they are listed in; routing
 * asks the families that own their first topic level before the one that does not (Shelly).
 */
import type { ExternalFormatDescriptor, FormatMessage } from './descriptor.ts';
import { native } from './native.ts';
import { shelly } from './shelly.ts';
import { tasmota } from './tasmota.ts';
import { wmbus } from './wmbus.ts';
import { zigbee2mqtt } from './zigbee2mqtt.ts';

export const FORMATS = [native, tasmota, shelly, zigbee2mqtt, wmbus] as const;

type ExternalNameOf<T> = T extends ExternalFormatDescriptor<infer F> ? F : never;
/** The off-the-shelf families' names: the campus file's `format`. */
export type ExternalFormat = ExternalNameOf<(typeof FORMATS)[number]>;
/** An off-the-shelf message decoded, of any family. */
export type ExternalMessage = FormatMessage<ExternalFormat>;

export * from './descriptor.ts';
export { FieldReader, defined } from './reader.ts';
export { ZIGBEE2MQTT_DEFAULT_BRIDGE } from './zigbee2mqtt.ts';
