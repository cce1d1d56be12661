/**
 * The simulated devices speaking off-the-shelf formats: a ledger device with `external` in the
 * campus file is published the way that product would publish it, through the login that product
 * would use. Both come from the family's descriptor in the contract (formats/: `login`,
 * `availability`, `encode`). Native is the default.
 */
import { externalFormat, externalLogin, type WireMessage } from '@campus/contract';
import type { DeviceConfig, ExternalSourceConfig, SchoolCalendar } from '@campus/site';
import type { SimReading } from './campus-sim.ts';

export type { WireMessage } from '@campus/contract';

export interface FormatLogin {
  username: string;
  clientId: string;
  /** retained availability: the last will and the hello */
  availability?: { topic: string; online: string; offline: string };
}

const family = (source: ExternalSourceConfig) => {
  const d = externalFormat(source.format);
  if (!d) throw new Error(`the simulator has no format "${source.format}"`);
  return d;
};

export function formatLogin(source: ExternalSourceConfig, siteId: string): FormatLogin {
  const { username, id } = externalLogin(source, siteId);
  return { username, clientId: username, availability: family(source).availability?.(id) };
}

/** One simulated reading in the device's own format (one or more messages); none for a family that has no encoder. */
export function encode(source: ExternalSourceConfig, device: DeviceConfig, r: SimReading, calendar: SchoolCalendar, siteId: string): WireMessage[] {
  return (
    family(source).encode?.({
      source,
      siteId,
      deviceId: device.id,
      kind: device.kind,
      ts: r.ts,
      utcOffsetMs: calendar.offsetAt(r.ts),
      values: r.values as Record<string, unknown>,
    }) ?? []
  );
}
