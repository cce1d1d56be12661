/**
 * A real broker and ingest in this process, on a free port, in a temp data dir: what most
 * integration suites need. Devices connect with real MQTT clients.
 */
import { BrokerService, type BrokerOptions } from '@campus/broker';
import { IngestService, type IngestOptions } from '@campus/ingest';
import { createLog, MetricsRegistry } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus, type Campus } from '@campus/site';
import { startTestBroker } from './broker.ts';

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
  const broker = await startTestBroker([campus], { log, metrics, ...options.broker });
  const mqttUrl = broker.url;
  const ingestOptions = (overrides: Partial<IngestOptions> = {}): IngestOptions => ({
    dataDir: broker.dataDir,
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
    dataDir: broker.dataDir,
    campus,
    broker: broker.broker,
    ingest: new IngestService(ingestOptions()),
    metrics,
    mqttUrl,
    devicePassword: (deviceId) => broker.deviceLogin(deviceId).password,
    async startIngest(overrides) {
      stack.ingest = new IngestService(ingestOptions(overrides));
      await stack.ingest.start();
      return stack.ingest;
    },
    async stop() {
      await stack.ingest.stop().catch(() => {});
      await broker.stop();
    },
  };
  if (options.withIngest !== false) await stack.ingest.start();
  return stack;
}
