/**
 * Makes sure every identity the deployment needs can log in:
 * - the ingest service, from its key in CAMPUS_DATA_DIR/secrets/ingest.key;
 * - when the simulator is on, every ledger device that has no credential yet, with a password
 *   derived from the simulator key (so the simulator can act as each of them).
 * Real devices get issued secrets instead (see the README, "Adding a device").
 */
import { createHash } from 'node:crypto';
import type { Campus } from '@campus/site';
import { loadOrCreateKey, simulatedDevicePassword, SERVICE_USERS, type Log } from '@campus/runtime';
import { CredentialStore, hashSecret, verifySecret } from './credentials.ts';

export interface ProvisionOptions {
  dataDir: string;
  campuses: readonly Campus[];
  simulated: boolean;
  log: Log;
}

export async function provisionCredentials(opts: ProvisionOptions): Promise<CredentialStore> {
  const store = CredentialStore.inDataDir(opts.dataDir).load();
  let changed = 0;

  const ingestKey = loadOrCreateKey(opts.dataDir, 'ingest');
  const ingest = store.get(SERVICE_USERS.ingest);
  if (!ingest || !(await verifySecret(ingestKey, ingest.hash))) {
    store.set(SERVICE_USERS.ingest, {
      role: 'service',
      name: 'ingest',
      sites: ['*'],
      hash: await hashSecret(ingestKey),
      source: 'service-key',
      createdAt: new Date().toISOString(),
    });
    changed++;
  }

  if (opts.simulated) {
    const simKey = loadOrCreateKey(opts.dataDir, 'sim');
    const source = `sim:${createHash('sha256').update(simKey).digest('hex').slice(0, 12)}`;
    const jobs: Promise<void>[] = [];
    for (const campus of opts.campuses) {
      for (const device of campus.devices) {
        const existing = store.get(device.id);
        if (existing && (existing.source === source || !existing.source.startsWith('sim:'))) continue;
        jobs.push(
          hashSecret(simulatedDevicePassword(simKey, campus.site.id, device.id)).then((hash) => {
            store.set(device.id, { role: 'device', siteId: campus.site.id, deviceId: device.id, hash, source, createdAt: new Date().toISOString() });
            changed++;
          }),
        );
      }
    }
    await Promise.all(jobs);
  }
  if (changed) {
    store.save();
    opts.log.info(`provisioned ${changed} credential${changed === 1 ? '' : 's'}`, { file: store.path, total: store.size });
  }
  return store;
}
