/**
 * The devices ingest accepts: every device of every loaded campus file, by id, and by the
 * external identity (Tasmota topic, Shelly prefix, Zigbee2MQTT name, wM-Bus id) it reports as.
 * Devices added to a campus file while running (adoption) join through `add`.
 */
import { externalIngestTopics } from '@campus/contract';
import { externalSources, type Campus, type DeviceConfig, type ExternalSourceConfig } from '@campus/site';

export interface RegisteredDevice {
  siteId: string;
  config: DeviceConfig;
}

export interface ExternalMapping extends RegisteredDevice {
  source: ExternalSourceConfig;
}

/** The identity part of an external key: format, bridge (Zigbee2MQTT), id. */
export const identityKey = (format: string, id: string, bridge?: string): string =>
  `${format}|${format === 'zigbee2mqtt' ? (bridge ?? 'zigbee2mqtt') : ''}|${id}`;

export class DeviceRegistry {
  private readonly byId = new Map<string, RegisteredDevice>();
  private readonly byIdentity = new Map<string, ExternalMapping[]>();

  constructor(readonly campuses: readonly Campus[]) {
    for (const campus of campuses) for (const config of campus.devices) this.add(campus.site.id, config);
  }

  add(siteId: string, config: DeviceConfig): void {
    this.byId.set(config.id, { siteId, config });
    for (const source of externalSources(config)) {
      const key = identityKey(source.format, source.id, source.bridge);
      this.byIdentity.set(key, [...(this.byIdentity.get(key) ?? []).filter((m) => m.config.id !== config.id), { siteId, config, source }]);
    }
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.byId.get(deviceId);
  }

  /** the ledger devices an external identity reports as (one per channel / component) */
  external(format: string, id: string, bridge?: string): ExternalMapping[] {
    return this.byIdentity.get(identityKey(format, id, bridge)) ?? [];
  }

  /** Zigbee2MQTT base topics named in the campus files */
  get zigbeeBridges(): string[] {
    return [...new Set([...this.byIdentity.values()].flat().flatMap((m) => (m.source.format === 'zigbee2mqtt' && m.source.bridge ? [m.source.bridge] : [])))];
  }

  /** the exact topics of every configured off-the-shelf device (for an ingest service that owns only these sites) */
  externalTopics(): string[] {
    const topics = [...this.byIdentity.values()].flat().flatMap((m) => externalIngestTopics(m.source, m.siteId));
    return [...new Set(topics)];
  }

  get siteIds(): string[] {
    return this.campuses.map((c) => c.site.id);
  }

  campusOf(siteId: string): Campus | undefined {
    return this.campuses.find((c) => c.site.id === siteId);
  }
}
