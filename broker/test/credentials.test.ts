import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, hashSecret, provisionCredentials, simulatedLogins, verifySecret } from '@campus/broker';
import { createLog, loadOrCreateKey, simulatedDevicePassword } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

const file0 = (path: string) => readFileSync(path, 'utf8');

describe('secrets', () => {
  it('hashes with scrypt and verifies only the right secret', async () => {
    const hash = await hashSecret('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifySecret('s3cret', hash)).toBe(true);
    expect(await verifySecret('s3cret!', hash)).toBe(false);
    expect(await verifySecret('s3cret', 'plain')).toBe(false);
  });

  it('provisions the ingest and dashboard services with a stored hash only (0600); simulated devices log in by their derived secret, stored nowhere', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const campus = loadCampus(DEMO_CAMPUS_FILE);
    const store = await provisionCredentials({ dataDir: dir.path, campuses: [campus], simulated: true, log: createLog('test') });
    expect(store.size).toBe(2);
    expect(file0(store.path)).not.toContain(loadOrCreateKey(dir.path, 'dashboard'));
    const file = readFileSync(store.path, 'utf8');
    const simKey = loadOrCreateKey(dir.path, 'sim');
    const password = simulatedDevicePassword(simKey, campus.site.id, 'wm-main');
    expect(file).not.toContain(password);
    expect(file).not.toContain(simKey);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(`${dir.path}/secrets`).mode & 0o777).toBe(0o700);

    const login = simulatedLogins(dir.path, [campus]);
    expect(login('wm-main', password)).toEqual({ role: 'device', siteId: 'dongnan', deviceId: 'wm-main' });
    expect(login('wm-main', 'guess')).toBeNull();
    expect(login('wm-dorm-1', password)).toBeNull();
    expect(login('nobody', password)).toBeNull();
    // a second start changes nothing
    const again = await provisionCredentials({ dataDir: dir.path, campuses: [campus], simulated: true, log: createLog('test') });
    expect(readFileSync(again.path, 'utf8')).toBe(file);
  });

  it('a disabled identity never authenticates', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = CredentialStore.inDataDir(dir.path);
    store.set('em-x', { role: 'device', siteId: 's', deviceId: 'em-x', hash: await hashSecret('pw'), source: 'issued', createdAt: '' });
    expect(await store.authenticate('em-x', 'pw')).not.toBeNull();
    store.set('em-x', { ...store.get('em-x')!, disabled: true });
    expect(await store.authenticate('em-x', 'pw')).toBeNull();
  });

  it('without the simulator, devices get no credentials', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const campus = loadCampus(DEMO_CAMPUS_FILE);
    const store = await provisionCredentials({ dataDir: dir.path, campuses: [campus], simulated: false, log: createLog('test') });
    expect(store.size).toBe(2);
    expect(store.get('svc-ingest')?.role).toBe('service');
    // the dashboard's login reads no device topic (broker/src/acl.ts), only the system's own
    expect(store.get('svc-dashboard')).toMatchObject({ role: 'service', name: 'dashboard', sites: [] });
  });
});
