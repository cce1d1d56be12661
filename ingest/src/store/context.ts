/** The store's view of the campus files: device tags, and local days by each site's calendar. */
import type { Campus } from '@campus/site';
import type { StoreContext } from './store.ts';

export function storeContext(campuses: readonly Campus[]): StoreContext {
  const devices = new Map<string, { campus: Campus; tags: NonNullable<ReturnType<StoreContext['device']>> }>();
  for (const campus of campuses) {
    for (const d of campus.devices) {
      devices.set(d.id, { campus, tags: { siteId: campus.site.id, kind: d.kind, building: d.location.building, ...(d.class ? { classId: d.class } : {}) } });
    }
  }
  const calendar = (deviceId: string) => (devices.get(deviceId) ?? devices.values().next().value)?.campus.calendar;
  return {
    device: (id) => devices.get(id)?.tags,
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
