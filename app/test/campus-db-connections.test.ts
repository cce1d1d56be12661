/**
 * The whole system in one process opens campus.db twice: the store's connection for its write
 * batches, and the one the composition root shares between detection's state, the repairs desk and
 * the dashboard's competitions and report (app/src/system.ts). Counted from this process's open
 * files while the dashboard has served a competition list and a report.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readKnobs, startServices, type Running } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { apiClient, quietLog, tempDir, waitFor } from '@campus/testkit';
import { buildSystem } from '../src/system.ts';

const dir = tempDir();
let running: Running | undefined;
afterAll(async () => {
  await running?.stop();
  dir.remove();
});

/** open descriptors of this process on `file` itself (not its -wal or -shm) */
function openOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('campus.db in one process', () => {
  it('is opened by the store and by the one shared connection, and closed by both on stop', { timeout: 60_000 }, async () => {
    const knobs = readKnobs({
      CAMPUS_DATA_DIR: dir.path,
      CAMPUS_MQTT_HOST: '127.0.0.1',
      CAMPUS_HTTP_HOST: '127.0.0.1',
      CAMPUS_MQTT_PORT: '0',
      CAMPUS_HTTP_PORT: '0',
      CAMPUS_MQTT_WSS_PORT: '0',
    });
    const system = buildSystem({ knobs, campuses: [loadCampus(DEMO_CAMPUS_FILE)], log: quietLog, parts: ['broker', 'ingest', 'dashboard'] });
    running = await startServices(system.services, quietLog);
    const api = apiClient(`http://127.0.0.1:${system.dashboard!.port}`, dir.path);
    await waitFor('the dashboard to answer', async () => (await api.get('/api/competitions')).status === 200);
    expect((await api.get('/api/tickets')).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${system.dashboard!.port}/reports`, { headers: { authorization: `Bearer ${readKey(dir.path)}` } })).status).toBe(200);
    const file = `${dir.path}/campus.db`;
    expect(openOn(file)).toBe(2);
    await running.stop();
    running = undefined;
    expect(openOn(file)).toBe(0);
  });
});

function readKey(dataDir: string): string {
  return readFileSync(`${dataDir}/secrets/api.key`, 'utf8').trim();
}
