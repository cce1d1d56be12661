/**
 * The whole system as `npm start` runs it, on free ports in a temp data dir: every demo device
 * reports through the broker into the store and shows up online through the HTTP API; SIGTERM
 * stops it cleanly; a restart on the same data carries on where it stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { apiClient, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';

const dir = tempDir();
const campus = loadCampus(DEMO_CAMPUS_FILE);
let system: RunningSystem | undefined;
afterAll(async () => {
  await system?.stop('SIGKILL');
  dir.remove();
});

/** GET with the system's API key: `${base}/api/...` */
const getJson = async (url: string) => {
  const u = new URL(url);
  const r = await apiClient(u.origin, dir.path).get(u.pathname + u.search);
  return { status: r.status, body: r.body as any };
};

describe('the whole system', () => {
  it('runs every part, and every demo device reports', { timeout: 300_000 }, async () => {
    system = await startSystem({ CAMPUS_DATA_DIR: dir.path });
    const health = await waitFor(
      'GET /api/health = 200',
      async () => {
        const r = await getJson(`${system!.base}/api/health`);
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(health.status).toBe('ok');
    expect(Object.keys(health.parts)).toEqual(['broker', 'ingest', 'dashboard', 'device-sim']);

    const devices = await waitFor(
      'every demo device online with a recent reading',
      async () => {
        const { body } = await getJson(`${system!.base}/api/devices`);
        const now = Date.now();
        const fresh = body.devices.filter((d: any) => d.status === 'online' && d.last && now - Date.parse(d.lastSeen) < 60_000);
        return fresh.length === campus.devices.length ? body.devices : undefined;
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );
    expect(devices.map((d: any) => d.id).sort()).toEqual(campus.devices.map((d) => d.id).sort());
    const tr = devices.find((d: any) => d.id === 'tr-main');
    expect(tr.location).toMatchObject({ buildingName: '后勤楼（配电房、水泵房）', roomName: '配电房' });
    expect(tr.last.currentA).toHaveLength(3);
    expect(devices.find((d: any) => d.id === 'em-g1c1').class).toMatchObject({ name: '高一(1)班' });

    const series = await getJson(`${system.base}/api/readings?device=tr-main&field=worstPhaseA`);
    expect(series.status).toBe(200);
    expect(series.body.points.length).toBeGreaterThan(0);
    expect((await getJson(`${system.base}/api/readings?device=nope`)).status).toBe(400);

    const metrics = await (await fetch(`${system.base}/metrics`)).text();
    const stored = Number(/^campus_readings_stored_total (\d+)$/m.exec(metrics)?.[1]);
    expect(stored).toBeGreaterThanOrEqual(campus.devices.length);
    expect(metrics).toMatch(/^campus_ingest_queue_depth \d+$/m);
  });

  it('stops cleanly on SIGTERM, with an intact database', { timeout: 60_000 }, async () => {
    expect(await system!.stop('SIGTERM')).toBe(0);
    const db = new Database(join(dir.path, 'campus.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBeGreaterThanOrEqual(campus.devices.length);
    // the simulator announced each device offline as it shut down, and ingest stored it
    expect((db.prepare("SELECT count(*) AS n FROM device_status WHERE status = 'offline'").get() as { n: number }).n).toBe(campus.devices.length);
    db.close();
  });

  it('restarts on the same data and carries on (credentials kept, registers continue)', { timeout: 300_000 }, async () => {
    const db = new Database(join(dir.path, 'campus.db'), { readonly: true });
    const before = JSON.parse((db.prepare("SELECT v FROM device_last WHERE device_id = 'wm-main'").get() as { v: string }).v).totalM3 as number;
    db.close();
    const credentials = readFileSync(join(dir.path, 'secrets', 'credentials.json'), 'utf8');
    system = await startSystem({ CAMPUS_DATA_DIR: dir.path });
    const after = await waitFor(
      'a new reading of the main water meter',
      async () => {
        const { body } = await getJson(`${system!.base}/api/devices`);
        const main = body.devices.find((d: any) => d.id === 'wm-main');
        return main.status === 'online' && main.last.totalM3 !== before ? (main.last.totalM3 as number) : undefined;
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );
    expect(after).toBeGreaterThan(before);
    expect(after - before).toBeLessThan(10);
    expect(readFileSync(join(dir.path, 'secrets', 'credentials.json'), 'utf8')).toBe(credentials);
    expect(await system.stop('SIGTERM')).toBe(0);
  });

  it('refuses an invalid campus file, listing every problem by path, with exit code 1', { timeout: 60_000 }, async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, readFileSync(DEMO_CAMPUS_FILE, 'utf8').replace('ratedKVA: 315', 'ratedKVA: -315').replace('students: ', 'students: -'));
    const run = startSystem({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: bad }, 30_000);
    const err = await run.then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/exited with 1/);
    expect(err).toContain('devices[0].ratedKVA: must be > 0');
    expect(err).toMatch(/classes\[0\]\.students: must be > 0/);
  });
});
