/**
 * Makes sure every identity the deployment needs can log in:
 * - the ingest and dashboard services, from their keys in CAMPUS_DATA_DIR/secrets/{ingest,dashboard}.key;
 * - when the simulator is on, every ledger device without an issued secret, with a password
 *   derived from the simulator key (HMAC of site/device): checked by recomputing it, so a
 *   district of 10,000 simulated devices needs no stored hashes and no scrypt per connection.
 * Real devices get issued secrets instead (see the README, "Adding a device").
 */
import { timingSafeEqual } from 'node:crypto';
import { externalSources, type Campus } from '@campus/site';
import { externalLogin } from '@campus/contract';
import { loadOrCreateKey, simulatedDevicePassword, SERVICE_USERS, type Log } from '@campus/runtime';
import { CredentialStore, hashSecret, verifySecret, type Identity } from './credentials.ts';

export interface ProvisionOptions {
  dataDir: string;
  campuses: readonly Campus[];
  simulated: boolean;
  log: Log;
}

export async function provisionCredentials(opts: ProvisionOptions): Promise<CredentialStore> {
  const store = CredentialStore.inDataDir(opts.dataDir).load();
  let changed = 0;

  for (const name of ['ingest', 'dashboard'] as const) {
    const key = loadOrCreateKey(opts.dataDir, name);
    const user = store.get(SERVICE_USERS[name]);
    if (user && (await verifySecret(key, user.hash))) continue;
    store.set(SERVICE_USERS[name], {
      role: 'service',
      name,
      // ingest reads every site's devices; the dashboard reads no device topic, only the system's own (acl.ts)
      sites: name === 'ingest' ? ['*'] : [],
      hash: await hashSecret(key),
      source: 'service-key',
      createdAt: new Date().toISOString(),
    });
    changed++;
  }

  if (changed) {
    store.save();
    opts.log.info(`provisioned ${changed} credential${changed === 1 ? '' : 's'}`, { file: store.path, total: store.size });
  }
  return store;
}

/**
 * Logins of simulated devices (CAMPUS_SIM=on): a ledger device by its id, or the login of an
 * off-the-shelf source in the ledger (externalLogin), whose derived password matches.
 */
export function simulatedLogins(dataDir: string, campuses: readonly Campus[]): (username: string, password: string) => Identity | null {
  const simKey = loadOrCreateKey(dataDir, 'sim');
  const identities = (username: string): Identity | undefined => {
    for (const campus of campuses) {
      const siteId = campus.site.id;
      const device = campus.device(username);
      if (device && !externalSources(device).length) return { role: 'device', siteId, deviceId: username };
      for (const d of campus.devices) {
        for (const source of externalSources(d)) {
          const login = externalLogin(source, siteId);
          if (login.username === username) return { role: 'external', siteId, format: source.format, id: login.id };
        }
      }
    }
    return undefined;
  };
  return (username, password) => {
    const who = identities(username);
    if (!who || who.role === 'service' || who.role === 'anonymous') return null;
    const expected = Buffer.from(simulatedDevicePassword(simKey, who.siteId, username));
    const given = Buffer.from(password);
    return expected.length === given.length && timingSafeEqual(expected, given) ? who : null;
  };
}
