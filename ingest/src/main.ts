/**
 * Ingest on its own: subscribes to the broker at CAMPUS_MQTT_URL and writes the store. With
 * CAMPUS_INGEST_ASSIGNMENT it is one worker of several, reading the sites that file gives it (worker.ts).
 */
import { createLog, MetricsRegistry, MetricsServer, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { Notifier, notifierSettings } from '@campus/notify';
import { IngestService, ingestSettings, type IngestOptions } from './service.ts';
import { IngestWorker } from './worker.ts';

const log = createLog('ingest');
await runMain(log, async () => {
  const knobs = readKnobs();
  const metrics = new MetricsRegistry();
  // tickets opened and escalated here are notified from here (a worker: for the sites it reads, as it takes them up)
  const campuses = knobs.ingestAssignment ? [] : [loadCampus(knobs.campusConfig)];
  const notifier = new Notifier({ ...notifierSettings(knobs), campuses, log: log.child('notify'), metrics });
  const detection: IngestOptions['detection'] = { onTicketEvent: (event, campus) => notifier.notify(event, campus) };
  const settings = { ...ingestSettings(knobs), detection };
  const ingest = knobs.ingestAssignment
    ? new IngestWorker({
        name: knobs.ingestWorker,
        assignmentFile: knobs.ingestAssignment,
        dataDir: knobs.dataDir,
        mqttUrl: knobs.mqttUrl,
        log,
        metrics,
        ingest: settings,
      })
    : new IngestService({ ...settings, campuses, mqttUrl: knobs.mqttUrl, log, metrics });
  const scrape = new MetricsServer({
    part: 'ingest',
    host: knobs.httpHost,
    port: knobs.ingestMetricsPort,
    knob: 'CAMPUS_INGEST_METRICS_PORT',
    metrics,
    health: () => ({ ingest: ingest.health?.() ?? { ok: true } }),
    log,
  });
  stopOnSignals(await startServices([notifier, ingest, scrape], log), log);
});
