/**
 * The store's view of the campus files: device tags, each register's digits and limits (the
 * register.fault thresholds with the site's overrides: detection.defaults, the device's profile, its
 * own), and local days by each site's calendar (live: adopted devices included).
 */
import { deviceRegisterLimits, registerMaxOf } from '@campus/contract';
import type { Campus } from '@campus/site';
import type { StoreContext } from './records.ts';

export function storeContext(campuses: readonly Campus[]): StoreContext {
  const find = (deviceId: string) => {
    for (const campus of campuses) {
      const d = campus.device(deviceId);
      if (d) return { campus, d };
    }
    return undefined;
  };
  const calendar = (deviceId: string) => (find(deviceId)?.campus ?? campuses[0])?.calendar;
  return {
    device(id) {
      const found = find(id);
      if (!found) return undefined;
      const { campus, d } = found;
      return {
        siteId: campus.site.id,
        kind: d.kind,
        building: d.location.building,
        registerMax: registerMaxOf(d),
        registerLimits: deviceRegisterLimits(d, campus.detection),
        ...(d.class ? { classId: d.class } : {}),
      };
    },
    localDate(id, ts) {
      const cal = calendar(id);
      return cal ? cal.local(ts).date : new Date(ts).toISOString().slice(0, 10);
    },
    dayStart(id, ts) {
      const cal = calendar(id);
      return cal ? cal.startOfDay(cal.local(ts).date) : ts - (ts % 86_400_000);
    },
  };
}
