/**
 * `npm start`: the whole system in one process on the embedded defaults (see system.ts), or, with
 * CAMPUS_PARTS, the parts named there (split mode: `CAMPUS_PARTS=broker`, `=ingest`, `=dashboard`,
 * `=sim`, each in a process of its own, meeting on the broker at CAMPUS_MQTT_URL); the part may
 * also be named as the argument: `node dist/app/main.js broker`.
 */
import { createLog, readKnobs, runMain, startServices, stopOnSignals } from '@campus/runtime';
import { loadCampuses } from '@campus/site';
import { buildSystem, partsOf } from './system.ts';

// `main.js broker` is CAMPUS_PARTS=broker (the systemd unit campus@broker); `main.js app` the whole system
const named = process.argv[2];
const env = named && named !== 'app' ? { ...process.env, CAMPUS_PARTS: named } : process.env;
// the simulator runs by default only where the whole system does
const knobs = readKnobs(env, { sim: !env.CAMPUS_PARTS });
const parts = partsOf(knobs);
const log = createLog(parts.length === 1 ? parts[0]! : 'campus');
await runMain(log, async () => {
  // an ingest worker takes its sites from the assignment file (CAMPUS_INGEST_ASSIGNMENT), not from CAMPUS_CONFIG
  const campuses = parts.length === 1 && parts[0] === 'ingest' && knobs.ingestAssignment ? [] : loadCampuses(knobs.campusConfig);
  for (const campus of campuses) {
    log.info(`campus ${campus.site.name} (${campus.site.id}): ${campus.devices.length} devices`, { config: knobs.campusConfig, data: knobs.dataDir });
  }
  const system = buildSystem({ knobs, campuses, log, parts });
  const running = await startServices(system.services, log);
  stopOnSignals(running, log);
  const where = [system.dashboard && `dashboard http://localhost:${system.dashboard.port}`, system.broker && `mqtt port ${system.broker.port}`].filter(Boolean);
  log.info(`ready (${parts.join(', ')})${where.length ? `: ${where.join(' ')}` : ''}`, {
    parts,
    httpPort: system.dashboard?.port,
    mqttPort: system.broker?.port,
    sim: parts.includes('sim'),
  });
});
