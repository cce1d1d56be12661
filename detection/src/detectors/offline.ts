/**
 * Devices that fell silent: no message for 3 x the reporting interval, or a retained "offline".
 * When most devices behind one gateway (or one transformer) fall silent together, that is one
 * ticket for the common cause listing them, not one per device (EEMUA 191: a flood hides the
 * one alarm that matters). Individual tickets wait `graceMin` longer than the group rule, so a
 * group outage is seen as one before devices are reported one by one.
 */
import { KIND_LABELS_ZH } from '@campus/contract';
import type { Campus, DeviceConfig } from '@campus/site';
import { clear, type Finding } from '@campus/repairs';
import { duration, MIN, TRADE_OF_KIND } from '../helpers.ts';

export interface Presence {
  /** last message (receive time) */
  heardAt: number | null;
  announcedOffline: boolean;
}

export const OFFLINE_DEFAULTS = { intervals: 3, graceMin: 2, groupMin: 3, groupShare: 0.5 } as const;

export class OfflineWatch {
  readonly presence = new Map<string, Presence>();
  private readonly raisedDevices = new Set<string>();
  private readonly raisedGroups = new Map<string, string[]>();
  private readonly devices: { device: DeviceConfig; siteId: string }[];
  private readonly groups: { id: string; name: string; kind: 'gateway' | 'feeder'; members: DeviceConfig[] }[] = [];

  constructor(campuses: readonly Campus[]) {
    this.devices = campuses.flatMap((c) => c.devices.map((device) => ({ device, siteId: c.site.id })));
    for (const c of campuses) {
      for (const g of c.gateways) this.groups.push({ id: g.id, name: g.name, kind: 'gateway', members: c.devices.filter((d) => d.gateway === g.id) });
      for (const t of c.devices.filter((d) => d.kind === 'transformer')) {
        this.groups.push({ id: t.id, name: t.name, kind: 'feeder', members: c.devices.filter((d) => d.feeder === t.id) });
      }
    }
  }

  /** a device added to the ledger while running (joins its gateway's / feeder's group) */
  add(device: DeviceConfig, siteId: string): void {
    this.devices.push({ device, siteId });
    for (const g of this.groups) if (device.gateway === g.id || device.feeder === g.id) g.members.push(device);
  }

  heard(deviceId: string, at: number): void {
    this.presence.set(deviceId, { heardAt: Math.max(at, this.presence.get(deviceId)?.heardAt ?? 0), announcedOffline: false });
  }

  announced(deviceId: string, status: 'online' | 'offline', at: number): void {
    const p = this.presence.get(deviceId) ?? { heardAt: null, announcedOffline: false };
    this.presence.set(deviceId, { heardAt: status === 'online' ? Math.max(at, p.heardAt ?? 0) : p.heardAt, announcedOffline: status === 'offline' });
  }

  /** How long a device has been silent at `now` (0 when it is fine; null if never heard of). */
  private silentFor(d: DeviceConfig, now: number): number | null {
    const p = this.presence.get(d.id);
    if (!p || p.heardAt === null) return null;
    const overdue = now - p.heardAt - OFFLINE_DEFAULTS.intervals * d.reportingIntervalS * 1000;
    if (p.announcedOffline) return Math.max(overdue, now - p.heardAt, 1);
    return overdue > 0 ? now - p.heardAt : 0;
  }

  tick(now: number): Finding[] {
    const findings: Finding[] = [];
    const silent = new Map<string, number>();
    for (const { device } of this.devices) {
      const s = this.silentFor(device, now);
      if (s) silent.set(device.id, s);
    }
    // common causes first: a gateway, then a transformer
    const covered = new Set<string>();
    for (const g of this.groups) {
      const known = g.members.filter((d) => this.presence.get(d.id)?.heardAt != null);
      const down = known.filter((d) => silent.has(d.id) && !covered.has(d.id));
      const isOutage = down.length >= OFFLINE_DEFAULTS.groupMin && down.length >= known.length * OFFLINE_DEFAULTS.groupShare;
      if (isOutage) {
        for (const d of down) covered.add(d.id);
        this.raisedGroups.set(
          g.id,
          down.map((d) => d.id),
        );
        const longest = Math.max(...down.map((d) => silent.get(d.id)!));
        findings.push({
          condition: g.kind === 'gateway' ? 'gateway.outage' : 'feeder.outage',
          subjectId: g.id,
          active: true,
          at: now,
          severity: 'major',
          trade: 'electrician',
          category: 'repair',
          title: g.kind === 'gateway' ? '采集网关故障（多台设备同时离线）' : '供电回路停电（多台设备同时离线）',
          summary: `${g.name} 下 ${down.length}/${known.length} 台设备同时离线已 ${duration(longest)}：请先检查${g.kind === 'gateway' ? '网关供电与通信' : '该变压器及其出线开关'}`,
          details: { devices: down.map((d) => d.id), names: down.map((d) => d.name) },
        });
      } else if (this.raisedGroups.has(g.id) && down.length === 0) {
        this.raisedGroups.delete(g.id);
        findings.push(clear(g.kind === 'gateway' ? 'gateway.outage' : 'feeder.outage', g.id, now, `${g.name} 下设备已恢复在线`));
      } else if (this.raisedGroups.has(g.id)) {
        for (const d of down) covered.add(d.id);
      }
    }
    for (const { device } of this.devices) {
      const s = silent.get(device.id);
      if (s && !covered.has(device.id) && s >= OFFLINE_DEFAULTS.intervals * device.reportingIntervalS * 1000 + OFFLINE_DEFAULTS.graceMin * MIN) {
        this.raisedDevices.add(device.id);
        const vital = device.kind === 'fridge' || device.kind === 'transformer';
        findings.push({
          condition: 'device.offline',
          subjectId: device.id,
          active: true,
          at: now,
          severity: vital ? 'major' : 'minor',
          trade: TRADE_OF_KIND[device.kind],
          category: 'repair',
          title: `${KIND_LABELS_ZH[device.kind]}离线`,
          summary: `${device.name} 已 ${duration(s)} 没有数据${vital ? '：期间无法监测，请尽快检查供电和通信' : ''}`,
        });
      } else if (!s && this.raisedDevices.has(device.id)) {
        this.raisedDevices.delete(device.id);
        findings.push(clear('device.offline', device.id, now, `${device.name} 已恢复上报`));
      }
    }
    return findings;
  }

  snapshot(): Record<string, Presence> {
    return Object.fromEntries(this.presence);
  }

  restore(state: Record<string, Presence>): void {
    for (const [id, p] of Object.entries(state)) this.presence.set(id, p);
  }
}
