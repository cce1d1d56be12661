/**
 * The system under test of "2. Alert to glass" (alert-to-glass.ts), run in a child process:
 * `npm start`'s own wiring (app/src/system.ts: broker, ingest on SQLite, dashboard) with the
 * broker's simulated device logins on (CAMPUS_SIM=on), but without the in-process simulator, so
 * that the background load (`sim:load --url`) and the benchmark's own fault meters are the only
 * devices and no device id is driven twice. Same environment knobs and the same "ready" line
 * (httpPort, mqttPort) as `npm start`; stops on SIGTERM like it.
 */
import { buildSystem } from '@campus/app';
import { createLog, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';

const log = createLog('campus');
await runMain(log, async () => {
  const knobs = { ...readKnobs(process.env), sim: true };
  const campus = loadCampus(knobs.campusConfig);
  log.info(`campus ${campus.site.name} (${campus.site.id}): ${campus.devices.length} devices, simulated logins, no simulator`, {
    config: knobs.campusConfig,
    data: knobs.dataDir,
  });
  const system = buildSystem({ knobs, campuses: [campus], log, parts: ['broker', 'ingest', 'dashboard'] });
  const running = await startServices(system.services, log);
  stopOnSignals(running, log);
  log.info(`ready: dashboard http://localhost:${system.dashboard!.port} mqtt port ${system.broker!.port}`, {
    httpPort: system.dashboard!.port,
    mqttPort: system.broker!.port,
    sim: false,
  });
});
