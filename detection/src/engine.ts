/**
 * Runs the detectors: per device and detector a state, fed with observations (readings plus what
 * the register says), and a clock tick for silence. Thresholds come from the detector's defaults,
 * then the campus file's detection.defaults, the device's profile, and the device's own
 * thresholds. Each site's newest registers are kept for every device's detectors to read
 * (`ctx.site`: a main meter's water balance); they are not saved, the next readings refill them.
 * Pure of I/O: the service persists snapshots and turns findings into tickets.
 */
import type { DeviceKind, Reading, WaterMeterValues } from '@campus/contract';
import type { Campus, DeviceConfig, SchoolCalendar } from '@campus/site';
import { thresholdProblems, type Detector, type DetectorContext, type LatestRegister, type Observation, type ReadingOf, type Result, type SiteRegisters } from './detector.ts';
import type { Finding } from '@campus/repairs';
import { OfflineWatch, type Presence } from './detectors/offline.ts';
import { initRegister, stepRegister, type RegisterLimits, type RegisterState } from './detectors/register.ts';
import { DETECTORS } from './registry.ts';
import { registerFault, registerLimits } from './detectors/register-fault.ts';

interface DetectorEntry {
  detector: Detector<any, any, any>;
  ctx: DetectorContext<any>;
  state: unknown;
}

interface DeviceSlot {
  device: DeviceConfig;
  siteId: string;
  calendar: SchoolCalendar;
  register: RegisterState;
  /** how fast the register can move (register-fault's thresholds); undefined for a device without one */
  registerLimits: RegisterLimits | undefined;
  /** device time of the newest reading judged: older ones are stored but not re-judged */
  lastTs: number | null;
  detectors: DetectorEntry[];
}

export interface EngineSnapshot {
  version: 1;
  devices: Record<string, { register: RegisterState; lastTs: number | null; states: Record<string, unknown> }>;
  presence: Record<string, Presence>;
}

/**
 * A detector's thresholds for a device: its defaults, then detection.defaults, the device's profile,
 * the device's own; at each level what is set for the detector it inherits from comes first.
 */
function thresholdsFor<P>(detector: Pick<Detector<unknown, P>, 'key' | 'defaults' | 'inherits'>, campus: Campus, device: DeviceConfig): Readonly<P> {
  const profile = device.profile ? campus.detection.profiles[device.profile] : undefined;
  const levels = [campus.detection.defaults, profile, device.thresholds];
  const inherited = (set: Readonly<Record<string, number>> | undefined) =>
    Object.fromEntries(Object.entries(detector.inherits?.params ?? {}).flatMap(([mine, theirs]) => (set?.[theirs] === undefined ? [] : [[mine, set[theirs]]])));
  return Object.freeze(
    Object.assign({}, detector.defaults, ...levels.flatMap((level) => [inherited(detector.inherits && level?.[detector.inherits.from]), level?.[detector.key]])),
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A detector's state as saved (by this version or an older one): the fields its `init()` has are
 * taken from the saved state, then its `restore` makes them current. State it cannot read (not an
 * object, or `restore` throws) is dropped: that detector starts clean for the device.
 */
function restoreState(detector: Pick<Detector, 'init' | 'restore'>, saved: unknown): unknown {
  const fresh = detector.init();
  if (!isRecord(saved) || !isRecord(fresh)) return fresh;
  const merged: Record<string, unknown> = { ...fresh };
  for (const key of Object.keys(fresh)) if (saved[key] !== undefined) merged[key] = saved[key];
  try {
    return detector.restore ? detector.restore(merged, saved) : merged;
  } catch {
    return fresh;
  }
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
  /** the detectors that judge the clock too, with the device they watch */
  private readonly ticking: { deviceId: string; entry: DetectorEntry }[] = [];
  /** per site: its devices' newest registers, read by a detector that balances one meter against others */
  private readonly sites = new Map<string, SiteRegisters & { latest: Map<string, LatestRegister> }>();
  readonly offline: OfflineWatch;

  constructor(
    campuses: readonly Campus[],
    private readonly detectors: readonly Detector<any, any, any>[] = DETECTORS,
  ) {
    const problems: string[] = [];
    const known = new Map(detectors.map((d) => [d.key, d]));
    for (const campus of campuses) {
      const check = (set: Readonly<Record<string, Readonly<Record<string, unknown>>>>, at: string) => {
        for (const [key, params] of Object.entries(set)) {
          const detector = known.get(key);
          if (!detector) problems.push(`${at}.${key}: no detector "${key}" (known: ${[...known.keys()].join(', ')})`);
          else problems.push(...thresholdProblems(detector, params, `${at}.${key}`));
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
  private slot(campus: Campus, device: DeviceConfig, detectors: readonly Detector<any, any, any>[]): void {
    let site = this.sites.get(campus.site.id);
    if (!site) this.sites.set(campus.site.id, (site = { devices: campus.devices, latest: new Map() }));
    site.devices = campus.devices; // a device added while running comes with the campus that lists it
    const slot: DeviceSlot = {
      device,
      siteId: campus.site.id,
      calendar: campus.calendar,
      register: initRegister(),
      registerLimits: registerLimits(device, thresholdsFor(registerFault, campus, device)),
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
            params: thresholdsFor(detector, campus, device),
            site,
          },
        })),
    };
    this.slots.set(device.id, slot);
    for (const entry of slot.detectors) if (entry.detector.onTick) this.ticking.push({ deviceId: device.id, entry });
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
    // a reading's values are those of its device's kind (ingest validated them so), and a detector sees only its kinds
    const obs: Observation = { reading: reading as ReadingOf<DeviceKind> };
    const register = registerOf(slot.device, reading);
    if (register) {
      const limits = slot.registerLimits;
      const step = stepRegister(slot.register, register.raw, reading.ts, register.max, limits);
      slot.register = step.state;
      const latest = this.sites.get(slot.siteId)!.latest;
      const was = latest.get(reading.deviceId);
      const prev = was?.volume != null ? { ts: was.ts, volume: was.volume } : (was?.prev ?? null);
      latest.set(reading.deviceId, { ts: reading.ts, volume: step.fault ? null : step.state.volume, prev });
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
      const found = judge(entry, reading.deviceId, reading.ts, () => entry.detector.onReading(entry.state, obs, entry.ctx));
      if (found.length) findings.push(...found);
    }
    return findings;
  }

  status(deviceId: string, status: 'online' | 'offline', at: number): void {
    this.offline.announced(deviceId, status, at);
  }

  tick(now: number): Finding[] {
    const findings = this.offline.tick(now);
    for (const { deviceId, entry } of this.ticking) {
      const onTick = entry.detector.onTick;
      if (onTick) findings.push(...judge(entry, deviceId, now, () => onTick.call(entry.detector, entry.state, now, entry.ctx)));
    }
    return findings;
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
      for (const d of slot.detectors) if (saved.states?.[d.detector.key] !== undefined) d.state = restoreState(d.detector, saved.states[d.detector.key]);
    }
    this.offline.restore(snapshot.presence ?? {});
  }
}

/** Runs one detector step; a detector bug must not stop the others or ingest: it is reported once per reading or tick. */
function judge(entry: DetectorEntry, subjectId: string, at: number, step: () => Result<unknown>): Finding[] {
  try {
    const result = step();
    entry.state = result.state;
    return result.findings;
  } catch (err) {
    return [
      {
        condition: 'detector.error',
        subjectId,
        active: true,
        at,
        severity: 'info',
        trade: 'office',
        category: 'notice',
        title: '检测程序错误',
        summary: `${entry.detector.key}: ${(err as Error).message}`,
      },
    ];
  }
}
