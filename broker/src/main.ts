/** The broker on its own (one node of a cluster with CAMPUS_MQTT_CLUSTER=redis). With CAMPUS_SIM=on it also accepts the simulator's device logins. */
import { createLog, MetricsRegistry, MetricsServer, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampuses } from '@campus/site';
import { BrokerService } from './server.ts';
import { brokerSettings } from './settings.ts';

const log = createLog('broker');
await runMain(log, async () => {
  const knobs = readKnobs();
  // a district's broker knows every site's devices: CAMPUS_CONFIG may list several campus files
  const campuses = loadCampuses(knobs.campusConfig);
  const metrics = new MetricsRegistry();
  const broker = new BrokerService({
    ...brokerSettings(knobs),
    campuses,
    log,
    metrics,
  });
  const scrape = new MetricsServer({
    part: 'broker',
    host: knobs.httpHost,
    port: knobs.brokerMetricsPort,
    knob: 'CAMPUS_BROKER_METRICS_PORT',
    metrics,
    health: () => ({ broker: broker.health() }),
    log,
  });
  stopOnSignals(await startServices([broker, scrape], log), log);
});
