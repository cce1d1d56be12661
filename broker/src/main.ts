/** The broker on its own. With CAMPUS_SIM=on it also provisions the simulator's device logins. */
import { createLog, MetricsRegistry, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { BrokerService } from './server.ts';
import { brokerSettings } from './settings.ts';

const log = createLog('broker');
await runMain(log, async () => {
  const knobs = readKnobs();
  const campus = loadCampus(knobs.campusConfig);
  const broker = new BrokerService({
    ...brokerSettings(knobs),
    campuses: [campus],
    log,
    metrics: new MetricsRegistry(),
  });
  stopOnSignals(await startServices([broker], log), log);
});
