/**
 * A real broker and ingest in this process, on a free port, in a temp data dir, assembled by the
 * composition root (app/src/system.ts) as `npm start` assembles them: what most integration suites
 * need. Devices connect with real MQTT clients (the broker accepts the simulator's derived logins).
 */
import { buildSystem, type System } from '@campus/app';
import type { BrokerOptions, BrokerService } from '@campus/broker';
import type { IngestOptions, IngestService } from '@campus/ingest';
import { createLog, loadOrCreateKey, MetricsRegistry, readKnobs, simulatedDevicePassword, startServices, type Running } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { quietLog } from './broker.ts';
import { tempDir } from './temp.ts';

export interface Stack {
  dataDir: string;
  campus: Campus;
  broker: BrokerService;
  ingest: IngestService;
  metrics: MetricsRegistry;
  mqttUrl: string;
  /** the password of a ledger device (the stack provisions simulator credentials) */
  devicePassword(deviceId: string): string;
  startIngest(overrides?: Partial<IngestOptions>): Promise<IngestService>;
  stop(): Promise<void>;
}

export async function startStack(
  options: { campus?: Campus; ingest?: Partial<IngestOptions>; withIngest?: boolean; broker?: Partial<BrokerOptions> } = {},
): Promise<Stack> {
  const campus = options.campus ?? loadCampus(DEMO_CAMPUS_FILE);
  const log = createLog('test');
  const metrics = new MetricsRegistry();
  const dir = tempDir();
  const dataDir = options.broker?.dataDir ?? dir.path;
  // the knobs of a test: free ports, loopback, no scrape endpoints, simulated logins
  const knobs = readKnobs({
    CAMPUS_DATA_DIR: dataDir,
    CAMPUS_MQTT_HOST: '127.0.0.1',
    CAMPUS_MQTT_PORT: '0',
    CAMPUS_SIM: 'on',
    CAMPUS_BROKER_METRICS_PORT: 'off',
    CAMPUS_INGEST_METRICS_PORT: 'off',
  });
  const ingestOptions = (overrides: Partial<IngestOptions> = {}): Partial<IngestOptions> => ({
    store: 'sqlite',
    clientId: 'campus-ingest-test',
    maxDelayMs: 10,
    ...options.ingest,
    ...overrides,
  });
  const system = (parts: System['parts'], overrides?: Partial<IngestOptions>) =>
    buildSystem({
      knobs,
      campuses: [campus],
      log,
      metrics,
      parts,
      remoteDashboard: false,
      // the suites connect (and fail to log in) from 127.0.0.1 far more than a campus does: loopback is
      // trusted here unless a suite passes its own admission options (broker/test/limits.test.ts does)
      broker: { log: quietLog, admission: { trustLoopback: true }, ...options.broker },
      ingest: ingestOptions(overrides),
    });
  const built = system(['broker', 'ingest']);
  let running: Running | undefined;
  const broker = built.broker!;
  // the broker first (and the notifier), then ingest unless the suite starts it itself
  const first = built.services.filter((s) => options.withIngest !== false || s !== built.ingest);
  try {
    running = await startServices(first, quietLog);
  } catch (err) {
    dir.remove();
    throw err;
  }
  const mqttUrl = built.mqttUrl();
  const simKey = loadOrCreateKey(dataDir, 'sim');
  const stack: Stack = {
    dataDir,
    campus,
    broker,
    ingest: built.ingest!,
    metrics,
    mqttUrl,
    devicePassword: (deviceId) => simulatedDevicePassword(simKey, campus.site.id, deviceId),
    async startIngest(overrides) {
      // an ingest of its own on the same broker, as a restarted process would be
      const again = system(['ingest'], { mqttUrl, ...overrides }).ingest!;
      stack.ingest = again;
      await again.start();
      return again;
    },
    async stop() {
      await stack.ingest.stop().catch(() => {});
      await running?.stop();
      dir.remove();
    },
  };
  return stack;
}
