/**
 * A real broker and ingest in this process, on a free port, in a temp data dir: what most
 * integration suites need. Devices connect with real MQTT clients.
 */
import { BrokerService, type BrokerOptions } from '@campus/broker';
import { IngestService, type IngestOptions } from '@campus/ingest';
import { createLog, loadOrCreateKey, MetricsRegistry, simulatedDevicePassword } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
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
  const dir = tempDir();
  const campus = options.campus ?? loadCampus(DEMO_CAMPUS_FILE);
  const log = createLog('test');
  const metrics = new MetricsRegistry();
  const broker = new BrokerService({ host: '127.0.0.1', port: 0, dataDir: dir.path, campuses: [campus], simulated: true, log, metrics, ...options.broker });
  await broker.start();
  const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  const simKey = loadOrCreateKey(dir.path, 'sim');
  const ingestOptions = (overrides: Partial<IngestOptions> = {}): IngestOptions => ({
    dataDir: dir.path,
    campuses: [campus],
    store: 'sqlite',
    mqttUrl,
    log,
    metrics,
    clientId: 'campus-ingest-test',
    maxDelayMs: 10,
    ...options.ingest,
    ...overrides,
  });
  const stack: Stack = {
    dataDir: dir.path,
    campus,
    broker,
    ingest: new IngestService(ingestOptions()),
    metrics,
    mqttUrl,
    devicePassword: (deviceId) => simulatedDevicePassword(simKey, campus.site.id, deviceId),
    async startIngest(overrides) {
      stack.ingest = new IngestService(ingestOptions(overrides));
      await stack.ingest.start();
      return stack.ingest;
    },
    async stop() {
      await stack.ingest.stop().catch(() => {});
      await broker.stop();
      dir.remove();
    },
  };
  if (options.withIngest !== false) await stack.ingest.start();
  return stack;
}
