/** The devices ingest accepts: every device of every loaded campus file, by id. */
import type { Campus, DeviceConfig } from '@campus/site';

export interface RegisteredDevice {
  siteId: string;
  config: DeviceConfig;
}

export class DeviceRegistry {
  private readonly byId = new Map<string, RegisteredDevice>();

  constructor(readonly campuses: readonly Campus[]) {
    for (const campus of campuses) {
      for (const config of campus.devices) this.byId.set(config.id, { siteId: campus.site.id, config });
    }
  }

  get(deviceId: string): RegisteredDevice | undefined {
    return this.byId.get(deviceId);
  }

  get siteIds(): string[] {
    return this.campuses.map((c) => c.site.id);
  }
}
