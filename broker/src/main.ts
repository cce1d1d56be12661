/** The broker on its own (one node of a cluster with CAMPUS_MQTT_CLUSTER=redis). With CAMPUS_SIM=on it also accepts the simulator's device logins. */
import { createLog, MetricsRegistry, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampuses } from '@campus/site';
import { BrokerService } from './server.ts';
import { brokerSettings } from './settings.ts';

const log = createLog('broker');
await runMain(log, async () => {
  const knobs = readKnobs();
  // a district's broker knows every site's devices: CAMPUS_CONFIG may list several campus files
  const campuses = loadCampuses(knobs.campusConfig);
  const broker = new BrokerService({
    ...brokerSettings(knobs),
    campuses,
    log,
    metrics: new MetricsRegistry(),
  });
  stopOnSignals(await startServices([broker], log), log);
});
