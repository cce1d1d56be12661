/**
 * Runs the detectors: per device and detector a state, fed with observations (readings plus what
 * the register says), and a clock tick for silence. Thresholds come from the detector's defaults,
 * then the campus file's detection.defaults, the device's profile, and the device's own
 * thresholds. Pure of I/O: the service persists snapshots and turns findings into tickets.
 */
import type { Reading, WaterMeterValues } from '@campus/contract';
import type { Campus, DeviceConfig, SchoolCalendar } from '@campus/site';
import type { Detector, DetectorContext, Observation } from './detector.ts';
import type { Finding } from '@campus/repairs';
import { OfflineWatch, type Presence } from './detectors/offline.ts';
import { initRegister, stepRegister, type RegisterState } from './detectors/register.ts';
import { DETECTORS, OPTIONAL_PARAMS } from './registry.ts';
import { REGISTER_FAULT_DEFAULTS, REGISTER_FAULT_KEY, registerLimits } from './detectors/register-fault.ts';

interface DeviceSlot {
  device: DeviceConfig;
  siteId: string;
  calendar: SchoolCalendar;
  register: RegisterState;
  /** device time of the newest reading judged: older ones are stored but not re-judged */
  lastTs: number | null;
  detectors: { detector: Detector<any>; ctx: DetectorContext; state: unknown }[];
}

export interface EngineSnapshot {
  version: 1;
  devices: Record<string, { register: RegisterState; lastTs: number | null; states: Record<string, unknown> }>;
  presence: Record<string, Presence>;
}

/** The cumulative register a reading carries (water m³, electricity kWh) and the register's maximum. */
function registerOf(device: DeviceConfig, reading: Reading): { raw: number; max: number } | undefined {
  if (device.kind === 'water_meter') return { raw: (reading.values as WaterMeterValues).totalM3, max: device.registerMaxM3 };
  const kWh = (reading.values as { totalKWh?: number }).totalKWh;
  if ((device.kind === 'electric_meter' || device.kind === 'transformer') && kWh !== undefined) return { raw: kWh, max: device.registerMaxKWh };
  return undefined;
}

export class DetectionEngine {
  private readonly slots = new Map<string, DeviceSlot>();
  readonly offline: OfflineWatch;

  constructor(
    campuses: readonly Campus[],
    private readonly detectors: readonly Detector<any>[] = DETECTORS,
  ) {
    const problems: string[] = [];
    for (const campus of campuses) {
      const known = new Map(detectors.map((d) => [d.key, new Set([...Object.keys(d.defaults), ...(OPTIONAL_PARAMS[d.key] ?? [])])]));
      const check = (set: Record<string, Record<string, number>>, at: string) => {
        for (const [key, params] of Object.entries(set)) {
          const allowed = known.get(key);
          if (!allowed) problems.push(`${at}.${key}: no detector "${key}" (known: ${[...known.keys()].join(', ')})`);
          else
            for (const name of Object.keys(params))
              if (!allowed.has(name)) problems.push(`${at}.${key}.${name}: not a threshold of ${key} (${[...allowed].join(', ')})`);
        }
      };
      check(campus.detection.defaults, 'detection.defaults');
      for (const [name, set] of Object.entries(campus.detection.profiles)) check(set, `detection.profiles.${name}`);
      campus.devices.forEach((d, i) => d.thresholds && check(d.thresholds, `devices[${i}].thresholds`));

      for (const device of campus.devices) this.slot(campus, device, detectors);
    }
    if (problems.length)
      throw Object.assign(new Error(`detection thresholds in the campus file:\n${problems.map((p) => `  - ${p}`).join('\n')}`), {
        code: 'CAMPUS_ERR_CONFIG',
        problems,
      });
    this.offline = new OfflineWatch(campuses);
  }

  /** Feeds one stored reading; returns what the detectors found. Readings should come in time order per device. */
  private slot(campus: Campus, device: DeviceConfig, detectors: readonly Detector<any>[]): void {
    const profile = device.profile ? campus.detection.profiles[device.profile] : undefined;
    this.slots.set(device.id, {
      device,
      siteId: campus.site.id,
      calendar: campus.calendar,
      register: initRegister(),
      lastTs: null,
      detectors: detectors
        .filter((d) => d.kinds.includes(device.kind) && (d.appliesTo?.(device) ?? true))
        .map((detector) => ({
          detector,
          state: detector.init(),
          ctx: {
            device,
            siteId: campus.site.id,
            calendar: campus.calendar,
            params: Object.freeze({
              ...detector.defaults,
              ...campus.detection.defaults[detector.key],
              ...profile?.[detector.key],
              ...device.thresholds?.[detector.key],
            }),
          },
        })),
    });
  }

  /** A device added to the ledger while running: judged from its first reading on. */
  addDevice(campus: Campus, device: DeviceConfig): void {
    if (this.slots.has(device.id)) return;
    this.slot(campus, device, this.detectors);
    this.offline.add(device, campus.site.id);
  }

  onReading(reading: Reading): Finding[] {
    const slot = this.slots.get(reading.deviceId);
    if (!slot) return [];
    this.offline.heard(reading.deviceId, reading.receivedAt);
    if (slot.lastTs !== null && reading.ts <= slot.lastTs) return [];
    slot.lastTs = reading.ts;
    const obs: Observation = { reading };
    const register = registerOf(slot.device, reading);
    if (register) {
      const limits = registerLimits(slot.device, slot.detectors.find((d) => d.detector.key === REGISTER_FAULT_KEY)?.ctx.params ?? REGISTER_FAULT_DEFAULTS);
      const step = stepRegister(slot.register, register.raw, reading.ts, register.max, limits);
      slot.register = step.state;
      obs.register = { event: step.event, fault: step.fault, registerMax: register.max, maxPerHour: limits?.maxPerHour ?? Number.POSITIVE_INFINITY };
      // a faulty reading gives the flow detectors nothing: it is neither use nor a quiet moment
      if (slot.device.kind === 'water_meter' && !step.fault) {
        obs.volumeM3 = step.state.volume;
        if (step.intervalMs) {
          obs.intervalMs = step.intervalMs;
          obs.flowM3h = (step.delta / step.intervalMs) * 3600_000;
        }
      }
    }
    const findings: Finding[] = [];
    for (const entry of slot.detectors) {
      try {
        const result = entry.detector.onReading(entry.state, obs, entry.ctx);
        entry.state = result.state;
        findings.push(...result.findings);
      } catch (err) {
        // a detector bug must not stop the others or ingest; it is reported once per reading
        findings.push({
          condition: 'detector.error',
          subjectId: reading.deviceId,
          active: true,
          at: reading.ts,
          severity: 'info',
          trade: 'office',
          category: 'notice',
          title: '检测程序错误',
          summary: `${entry.detector.key}: ${(err as Error).message}`,
        });
      }
    }
    return findings;
  }

  status(deviceId: string, status: 'online' | 'offline', at: number): void {
    this.offline.announced(deviceId, status, at);
  }

  tick(now: number): Finding[] {
    return this.offline.tick(now);
  }

  snapshot(): EngineSnapshot {
    const devices: EngineSnapshot['devices'] = {};
    for (const [id, slot] of this.slots) {
      devices[id] = { register: slot.register, lastTs: slot.lastTs, states: Object.fromEntries(slot.detectors.map((d) => [d.detector.key, d.state])) };
    }
    return { version: 1, devices, presence: this.offline.snapshot() };
  }

  restore(snapshot: EngineSnapshot): void {
    if (snapshot?.version !== 1) return;
    for (const [id, saved] of Object.entries(snapshot.devices ?? {})) {
      const slot = this.slots.get(id);
      if (!slot) continue;
      slot.register = { ...initRegister(), ...saved.register };
      slot.lastTs = saved.lastTs ?? null;
      for (const d of slot.detectors)
        if (saved.states?.[d.detector.key] !== undefined) d.state = { ...(d.detector.init() as object), ...(saved.states[d.detector.key] as object) };
    }
    this.offline.restore(snapshot.presence ?? {});
  }
}
