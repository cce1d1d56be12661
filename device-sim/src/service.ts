/**
 * The simulator as a service: every device of every campus reports on its own interval, over
 * MQTT with its own credentials, following the school calendar in real time. Register state is
 * saved to CAMPUS_DATA_DIR/sim-state.json so a restart does not look like a meter replacement.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { externalSources, type Campus } from '@campus/site';
import { loadOrCreateKey, simulatedDevicePassword, writeFileAtomic, type Log, type MetricsRegistry, type PartHealth, type Service } from '@campus/runtime';
import { CampusSim } from './campus-sim.ts';
import { DeviceConnection } from './fleet.ts';
import { encode, formatLogin } from './formats.ts';
import { faultFile, readFaults } from './fault-file.ts';

export interface SimulatorOptions {
  campuses: readonly Campus[];
  mqttUrl: string | (() => string);
  dataDir: string;
  log: Log;
  metrics: MetricsRegistry;
  seed?: number;
  /** delay before each device's first reading is at most this (spreads the start), ms */
  startSpreadMs?: number;
  /**
   * Days of history to publish first for the classroom meters (15-minute readings), so the
   * energy-saving competition has its two-week baseline on a fresh install. 0: none.
   */
  backfillDays?: number;
}

const BACKFILL_STEP_MS = 15 * 60_000;

const SAVE_EVERY_MS = 60_000;

export class SimulatorService implements Service {
  readonly name = 'device-sim';
  private readonly sims: CampusSim[];
  private readonly connections: DeviceConnection[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private saveTimer?: NodeJS.Timeout;
  private watcher?: FSWatcher;
  private running = false;

  constructor(private readonly opts: SimulatorOptions) {
    this.sims = opts.campuses.map((c) => new CampusSim(c, opts.seed ?? 1));
  }

  private get statePath(): string {
    return join(this.opts.dataDir, 'sim-state.json');
  }

  async start(): Promise<void> {
    const { log, metrics } = this.opts;
    const published = metrics.counter('campus_sim_published_total', 'readings published by the simulator and acknowledged by the broker');
    const failed = metrics.counter('campus_sim_publish_errors_total', 'simulator publishes that failed');
    this.restoreState();
    const simKey = loadOrCreateKey(this.opts.dataDir, 'sim');
    const url = typeof this.opts.mqttUrl === 'function' ? this.opts.mqttUrl() : this.opts.mqttUrl;
    this.running = true;
    const spread = this.opts.startSpreadMs ?? 2000;

    for (const sim of this.sims) {
      const siteId = sim.campus.site.id;
      // off-the-shelf logins carry one or several ledger devices (a Zigbee2MQTT bridge, a wM-Bus gateway)
      const formatConnections = new Map<string, DeviceConnection>();
      for (const device of sim.campus.devices) {
        const source = externalSources(device)[0];
        let conn: DeviceConnection;
        if (source) {
          const login = formatLogin(source, siteId);
          conn =
            formatConnections.get(login.username) ??
            new DeviceConnection({ ...login, password: simulatedDevicePassword(simKey, siteId, login.username) }, url, log);
          if (!formatConnections.has(login.username)) this.connections.push(conn);
          formatConnections.set(login.username, conn);
        } else {
          conn = new DeviceConnection({ siteId, deviceId: device.id, password: simulatedDevicePassword(simKey, siteId, device.id) }, url, log);
          this.connections.push(conn);
        }
        const intervalMs = device.reportingIntervalS * 1000;
        const backfill = !source && (this.opts.backfillDays ?? 0) > 0 && device.kind === 'electric_meter' && device.class;
        const tick = () => {
          if (!this.running) return;
          const ts = Date.now();
          if (sim.faults.silenced(device.id, ts)) return this.schedule(tick, intervalMs);
          const reading = sim.reading(device.id, ts);
          const sent = source
            ? Promise.all(encode(source, device, reading, sim.campus.calendar, siteId).map((m) => conn.send(m)))
            : conn.publish({ ts: reading.ts, seq: reading.seq, ...reading.values });
          sent.then(
            () => published.inc(),
            (err) => {
              failed.inc();
              log.debug(`${device.id}: publish failed: ${(err as Error).message}`);
            },
          );
          this.schedule(tick, intervalMs);
        };
        if (backfill) {
          // history first, in time order (the model must be read forwards), then live
          this.backfills.push(
            this.backfill(sim, conn, device.id).then(
              () => this.running && this.schedule(tick, Math.random() * spread),
              (err) => log.warn(`backfill of ${device.id} stopped: ${(err as Error).message}`),
            ),
          );
        } else this.schedule(tick, Math.random() * spread);
      }
    }
    if (this.backfills.length) {
      void Promise.all(this.backfills).then(
        () => this.running && log.info(`backfilled ${this.opts.backfillDays} days of ${this.backfills.length} classroom meters`),
      );
    }
    this.loadFaults();
    let debounce: NodeJS.Timeout | undefined;
    this.watcher = watch(this.opts.dataDir, (_e, file) => {
      if (file !== 'sim-faults.json') return;
      clearTimeout(debounce);
      debounce = setTimeout(() => this.loadFaults(), 100);
    });
    this.watcher.unref();
    this.saveTimer = setInterval(() => this.saveState(), SAVE_EVERY_MS);
    this.saveTimer.unref();
    log.info(`simulating ${this.sims.reduce((n, s) => n + s.campus.devices.length, 0)} devices over ${this.connections.length} connections`, { url });
  }

  private readonly backfills: Promise<unknown>[] = [];

  private async backfill(sim: CampusSim, conn: DeviceConnection, deviceId: string): Promise<void> {
    const now = Date.now();
    const from = Math.floor((now - (this.opts.backfillDays ?? 0) * 86_400_000) / BACKFILL_STEP_MS) * BACKFILL_STEP_MS;
    await new Promise<void>((resolve) => (conn.connected ? resolve() : conn.client.once('connect', () => resolve())));
    for (let ts = from; ts < now - BACKFILL_STEP_MS && this.running; ts += BACKFILL_STEP_MS) {
      const r = sim.reading(deviceId, ts);
      await conn.publish({ ts: r.ts, seq: r.seq, ...r.values });
    }
  }

  /** Applies CAMPUS_DATA_DIR/sim-faults.json (npm run campus -- fault ...). */
  private loadFaults(): void {
    try {
      const faults = readFaults(this.opts.dataDir);
      for (const sim of this.sims) sim.faults.set(faults.filter((f) => sim.campus.device(f.target) || sim.campus.gateways.some((g) => g.id === f.target)));
      if (faults.length) this.opts.log.info(`faults: ${faults.map((f) => `${f.id} ${f.kind} ${f.target}`).join('; ')}`);
    } catch (err) {
      this.opts.log.warn(`ignoring ${faultFile(this.opts.dataDir)}: ${(err as Error).message}`);
    }
  }

  private schedule(fn: () => void, delay: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delay);
    this.timers.add(timer);
  }

  private restoreState(): void {
    if (!existsSync(this.statePath)) return;
    try {
      const state = JSON.parse(readFileSync(this.statePath, 'utf8')) as Record<string, Record<string, Record<string, number>>>;
      for (const sim of this.sims) {
        const site = state[sim.campus.site.id];
        if (site) sim.restore(site);
      }
    } catch (err) {
      this.opts.log.warn(`ignoring unreadable ${this.statePath}: ${(err as Error).message}`);
    }
  }

  private saveState(): void {
    const state: Record<string, unknown> = {};
    for (const sim of this.sims) state[sim.campus.site.id] = sim.snapshot();
    try {
      writeFileAtomic(this.statePath, JSON.stringify(state) + '\n', 0o644);
    } catch (err) {
      this.opts.log.warn(`cannot save ${this.statePath}: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearInterval(this.saveTimer);
    this.watcher?.close();
    this.saveState();
    await Promise.all(this.connections.map((c) => c.close()));
    this.connections.length = 0;
  }

  health(): PartHealth {
    const connected = this.connections.filter((c) => c.connected).length;
    const devices = this.sims.reduce((n, s) => n + s.campus.devices.length, 0);
    return { ok: this.running, devices, connections: this.connections.length, connected };
  }
}
