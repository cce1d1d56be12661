/** The simulator on its own: every device of the campus file, against the broker at CAMPUS_MQTT_URL. */
import { createLog, MetricsRegistry, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { SimulatorService } from './service.ts';

const log = createLog('device-sim');
await runMain(log, async () => {
  const knobs = readKnobs();
  const campus = loadCampus(knobs.campusConfig);
  const sim = new SimulatorService({ campuses: [campus], mqttUrl: knobs.mqttUrl, dataDir: knobs.dataDir, log, metrics: new MetricsRegistry() });
  stopOnSignals(await startServices([sim], log), log);
});
