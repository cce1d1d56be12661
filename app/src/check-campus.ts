/** `npm run campus:check [file]`: validates a campus file and lists every problem by path. */
import { createLog, readKnobs, runMain } from '@campus/runtime';
import { loadCampus } from '@campus/site';

const log = createLog('campus:check');
await runMain(log, async () => {
  const file = process.argv[2] ?? readKnobs().campusConfig;
  const campus = loadCampus(file);
  const kinds = new Map<string, number>();
  for (const d of campus.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  console.log(`${file}: OK — ${campus.site.name} (${campus.site.id}), ${campus.buildings.length} buildings, ${campus.classes.length} classes, ${campus.devices.length} devices (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
});
