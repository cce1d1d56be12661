/**
 * The devices ingest accepts: every device of every loaded campus file, by id, and by the
 * external identity (Tasmota topic, Shelly prefix, Zigbee2MQTT name, wM-Bus id) it reports as.
 * Devices added to a campus file while running (adoption) join through `add`.
 */
import { externalIngestFilters, externalIngestTopics, externalLogin, externalScope } from '@campus/contract';
import { externalSources, type Campus, type DeviceConfig, type ExternalSourceConfig } from '@campus/site';

export interface RegisteredDevice {
  siteId: string;
  config: DeviceConfig;
}

export interface ExternalMapping extends RegisteredDevice {
  source: ExternalSourceConfig;
}

/** The identity part of an external key: format, scope (a Zigbee2MQTT bridge), id. */
export const identityKey = (format: string, id: string, bridge?: string): string => `${format}|${externalScope({ format, bridge })}|${id}`;

export class DeviceRegistry {
  private readonly byId = new Map<string, RegisteredDevice>();
  private readonly byIdentity = new Map<string, ExternalMapping[]>();
  /** per format, the broker login ids its configured sources report through */
  private readonly loginIds = new Map<string, string[]>();

  constructor(readonly campuses: readonly Campus[]) {
    for (const campus of campuses) for (const config of campus.devices) this.add(campus.site.id, config);
  }

  add(siteId: string, config: DeviceConfig): void {
    this.byId.set(config.id, { siteId, config });
    for (const source of externalSources(config)) {
      const key = identityKey(source.format, source.id, source.bridge);
      this.byIdentity.set(key, [...(this.byIdentity.get(key) ?? []).filter((m) => m.config.id !== config.id), { siteId, config, source }]);
      const login = externalLogin(source, siteId).id;
      const known = this.loginIds.get(source.format) ?? [];
      if (!known.includes(login)) this.loginIds.set(source.format, [...known, login]);
    }
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.byId.get(deviceId);
  }

  /** the ledger devices an external identity reports as (one per channel / component) */
  external(format: string, id: string, bridge?: string): ExternalMapping[] {
    return this.byIdentity.get(identityKey(format, id, bridge)) ?? [];
  }

  /** the broker login ids of a format's configured sources (where a family's topics depend on them: a Zigbee2MQTT bridge) */
  logins(format: string): readonly string[] {
    return this.loginIds.get(format) ?? [];
  }

  /** what ingest subscribes to for every off-the-shelf family (an ingest service that reads every site) */
  externalFilters(): string[] {
    return externalIngestFilters((format) => this.logins(format));
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
