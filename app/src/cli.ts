/**
 * `npm run campus -- <command>`: the operator's tool.
 *   check [file]              validate a campus file, listing every problem by path
 *   device secret <deviceId>  issue a new MQTT secret for a ledger device (printed once, stored hashed)
 */
import { randomBytes } from 'node:crypto';
import { deviceTopicPrefix } from '@campus/contract';
import { CredentialStore, hashSecret } from '@campus/broker';
import { createLog, readKnobs, runMain } from '@campus/runtime';
import { loadCampus } from '@campus/site';

const USAGE = `usage:
  npm run campus -- check [campus.yaml]
  npm run campus -- device secret <deviceId>`;

const log = createLog('campus');
await runMain(log, async () => {
  const [command, ...args] = process.argv.slice(2);
  const knobs = readKnobs();
  if (command === 'check') {
    const file = args[0] ?? knobs.campusConfig;
    const campus = loadCampus(file);
    const kinds = new Map<string, number>();
    for (const d of campus.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    console.log(`${file}: OK — ${campus.site.name} (${campus.site.id}), ${campus.buildings.length} buildings, ${campus.classes.length} classes, ${campus.devices.length} devices (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
    return;
  }
  if (command === 'device' && args[0] === 'secret' && args[1]) {
    const campus = loadCampus(knobs.campusConfig);
    const device = campus.device(args[1]);
    if (!device) throw new Error(`no device "${args[1]}" in ${knobs.campusConfig}: add it to the campus file first`);
    const secret = randomBytes(24).toString('base64url');
    const store = CredentialStore.inDataDir(knobs.dataDir).load();
    store.set(device.id, { role: 'device', siteId: campus.site.id, deviceId: device.id, hash: await hashSecret(secret), source: 'issued', createdAt: new Date().toISOString() });
    store.save();
    console.log(`MQTT login for ${device.name} (${device.id}) — shown once, store it in the device now:
  client id : ${device.id}
  username  : ${device.id}
  password  : ${secret}
  publish   : ${deviceTopicPrefix(campus.site.id, device.id)}telemetry (QoS 1), ${deviceTopicPrefix(campus.site.id, device.id)}status (retained, last will "offline")
A running broker picks the new secret up within a second; the old secret no longer works.`);
    return;
  }
  console.error(USAGE);
  process.exitCode = 2;
});
