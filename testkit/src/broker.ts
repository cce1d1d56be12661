/**
 * Our broker alone, in this process, on a free port of 127.0.0.1 with its data in a temp dir and a
 * quiet log: what the broker's own suites need. Simulated device logins are on, and loopback is
 * trusted by admission (CAMPUS_MQTT_TRUST_LOOPBACK=on) unless `options.admission` says otherwise.
 */
import { BrokerService, type BrokerOptions } from '@campus/broker';
import { loadOrCreateKey, MetricsRegistry, SERVICE_USERS, simulatedDevicePassword, type Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { tempDir } from './temp.ts';

/** A log that says nothing (refusal tests would print a warning per case). */
export const quietLog: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLog };

export interface TestBroker {
  broker: BrokerService;
  url: string;
  port: number;
  dataDir: string;
  metrics: MetricsRegistry;
  /** mqtt.js options of a ledger device's login (client id = device id) */
  deviceLogin(deviceId: string): { clientId: string; username: string; password: string };
  /** ingest's service login */
  ingestLogin(): { username: string; password: string };
  /** the sum of a metric's samples (all labels) */
  metric(name: string): number;
  stop(): Promise<void>;
}

export async function startTestBroker(campuses: Campus[], options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  const dir = tempDir();
  const metrics = options.metrics ?? new MetricsRegistry();
  // the suites connect (and fail to log in) from 127.0.0.1 far more than a campus does: loopback is
  // trusted here unless a suite passes its own admission options (broker/test/limits.test.ts does)
  const broker = new BrokerService({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir.path,
    campuses,
    simulated: true,
    log: quietLog,
    admission: { trustLoopback: true },
    ...options,
    metrics,
  });
  try {
    await broker.start();
  } catch (err) {
    dir.remove();
    throw err;
  }
  const dataDir = options.dataDir ?? dir.path;
  // a device not in any ledger (refusal tests) gets the first site's derivation
  const siteOf = (deviceId: string) => (campuses.find((c) => c.device(deviceId)) ?? campuses[0])?.site.id ?? '';
  return {
    broker,
    url: `mqtt://127.0.0.1:${broker.port}`,
    port: broker.port,
    dataDir,
    metrics,
    deviceLogin: (deviceId) => ({
      clientId: deviceId,
      username: deviceId,
      password: simulatedDevicePassword(loadOrCreateKey(dataDir, 'sim'), siteOf(deviceId), deviceId),
    }),
    ingestLogin: () => ({ username: SERVICE_USERS.ingest, password: loadOrCreateKey(dataDir, 'ingest') }),
    metric: (name) =>
      metrics
        .render()
        .split('\n')
        .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0),
    async stop() {
      await broker.stop();
      dir.remove();
    },
  };
}
