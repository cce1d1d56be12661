/**
 * The asset ledger as the API shows it: every device of the campus file, where it is, and what
 * we last heard from it. Status: `online` within 3 reporting intervals of the last message and
 * not announced offline; `offline` when silent longer or announced offline; `unknown` if never heard.
 */
import { FRIDGE_LIMITS_C, ratedCurrentA } from '@campus/contract';
import type { DeviceLast, StatusChange } from '@campus/store';
import type { Campus, DeviceConfig } from '@campus/site';

export type DeviceStatus = 'online' | 'offline' | 'unknown';

export interface LedgerEntry {
  id: string;
  siteId: string;
  kind: DeviceConfig['kind'];
  name: string;
  location: { building: string; buildingName: string; floor: number | null; room: string | null; roomName: string | null };
  class: { id: string; name: string; students: number } | null;
  reportingIntervalS: number;
  ratings: Record<string, unknown>;
  status: DeviceStatus;
  lastSeen: string | null;
  lastReadingAt: string | null;
  last: Record<string, unknown> | null;
}

export function deviceStatus(config: DeviceConfig, last: DeviceLast | undefined, announced: StatusChange | undefined, now: number): DeviceStatus {
  const lastHeard = Math.max(last?.receivedAt ?? 0, announced?.at ?? 0);
  if (!lastHeard) return 'unknown';
  if (announced?.status === 'offline' && announced.at >= (last?.receivedAt ?? 0)) return 'offline';
  return now - lastHeard <= 3 * config.reportingIntervalS * 1000 ? 'online' : 'offline';
}

const RATING_KEYS = ['ratedKVA', 'voltageLLV', 'fridgeClass', 'setpointC', 'ratedFlowM3h', 'registerMaxM3', 'ratedKW', 'feeder', 'usage'] as const;

export function ledger(campuses: readonly Campus[], lasts: DeviceLast[], statuses: StatusChange[], now: number): LedgerEntry[] {
  const lastById = new Map(lasts.map((l) => [l.deviceId, l]));
  const statusById = new Map(statuses.map((s) => [s.deviceId, s]));
  const out: LedgerEntry[] = [];
  for (const campus of campuses) {
    const buildings = new Map(campus.buildings.map((b) => [b.id, b]));
    const rooms = new Map(campus.rooms.map((r) => [r.id, r]));
    const classes = new Map(campus.classes.map((c) => [c.id, c]));
    for (const d of campus.devices) {
      const last = lastById.get(d.id);
      const klass = d.class ? classes.get(d.class) : undefined;
      const ratings: Record<string, unknown> = {};
      for (const key of RATING_KEYS) if (key in d) ratings[key] = (d as Record<string, unknown>)[key];
      if (d.kind === 'transformer') ratings.ratedCurrentA = Math.round(ratedCurrentA(d.ratedKVA, d.voltageLLV) * 10) / 10;
      if (d.kind === 'fridge') ratings.limitsC = FRIDGE_LIMITS_C[d.fridgeClass];
      out.push({
        id: d.id,
        siteId: campus.site.id,
        kind: d.kind,
        name: d.name,
        location: {
          building: d.location.building,
          buildingName: buildings.get(d.location.building)?.name ?? d.location.building,
          floor: d.location.floor ?? null,
          room: d.location.room ?? null,
          roomName: d.location.room ? (rooms.get(d.location.room)?.name ?? d.location.room) : null,
        },
        class: klass ? { id: klass.id, name: klass.name, students: klass.students } : null,
        reportingIntervalS: d.reportingIntervalS,
        ratings,
        status: deviceStatus(d, last, statusById.get(d.id), now),
        lastSeen: last ? new Date(last.receivedAt).toISOString() : null,
        lastReadingAt: last ? new Date(last.ts).toISOString() : null,
        last: last ? (last.values as unknown as Record<string, unknown>) : null,
      });
    }
  }
  return out;
}
