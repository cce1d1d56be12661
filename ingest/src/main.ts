/** Ingest on its own: subscribes to the broker at CAMPUS_MQTT_URL and writes the store. */
import { createLog, MetricsRegistry, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { IngestService, ingestSettings } from './service.ts';

const log = createLog('ingest');
await runMain(log, async () => {
  const knobs = readKnobs();
  const campus = loadCampus(knobs.campusConfig);
  const ingest = new IngestService({
    ...ingestSettings(knobs),
    campuses: [campus],
    mqttUrl: knobs.mqttUrl,
    log,
    metrics: new MetricsRegistry(),
  });
  stopOnSignals(await startServices([ingest], log), log);
});
