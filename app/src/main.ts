/** `npm start`: the whole system in one process (see system.ts). */
import { createLog, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { buildSystem } from './system.ts';

const log = createLog('campus');
await runMain(log, async () => {
  const knobs = readKnobs(process.env, { sim: true });
  const campus = loadCampus(knobs.campusConfig);
  log.info(`campus ${campus.site.name} (${campus.site.id}): ${campus.devices.length} devices`, { config: knobs.campusConfig, data: knobs.dataDir });
  const system = buildSystem(knobs, campus, log);
  const running = await startServices(system.services, log);
  stopOnSignals(running, log);
  log.info(`ready: dashboard http://localhost:${system.dashboard.port} mqtt port ${system.broker.port}`, {
    httpPort: system.dashboard.port,
    mqttPort: system.broker.port,
    sim: knobs.sim,
  });
});
