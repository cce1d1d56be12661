/**
 * A district: the broker, an ingest worker reading two sites (CAMPUS_INGEST_ASSIGNMENT, one
 * campus.db per site) and a dashboard for one site, each assembled by the composition root as its
 * own process would be. The worker serves each site's repairs desk while it reads the site
 * (contract/src/ops.ts): staff acknowledge a ticket through the site's dashboard, the worker
 * carries it out in that site's campus.db and pushes the change back.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ticket } from '@campus/contract';
import { writeDistrict } from '@campus/device-sim';
import { readKnobs, startServices, type Running } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { io, type Socket } from 'socket.io-client';
import { apiClient, campusCli, quietLog, tempDir, waitFor } from '@campus/testkit';
import { buildSystem } from '../src/system.ts';

const dir = tempDir();
const running: Running[] = [];
let socket: Socket | undefined;
afterAll(async () => {
  socket?.close();
  for (const r of running.reverse()) await r.stop();
  dir.remove();
});

const quiet = { CAMPUS_BROKER_METRICS_PORT: 'off', CAMPUS_INGEST_METRICS_PORT: 'off', CAMPUS_MQTT_HOST: '127.0.0.1', CAMPUS_HTTP_HOST: '127.0.0.1' };

describe('a district worker serves the repairs desk of the sites it reads', () => {
  it('a ticket acknowledged through one site’s dashboard is carried out by the worker and pushed back', { timeout: 120_000 }, async () => {
    const files = writeDistrict(join(dir.path, 'campuses'), { sites: 2, devicesPerSite: 6 });
    const sites = files.map((f) => loadCampus(f));
    const [s1, s2] = sites.map((s) => s.site.id) as [string, string];
    const assignment = join(dir.path, 'campuses', 'assignment.yaml');
    writeFileSync(assignment, `sites:\n  - { id: ${s1}, campus: ${s1}.yaml, workers: [w1] }\n  - { id: ${s2}, campus: ${s2}.yaml, workers: [w1] }\n`);

    const brokerKnobs = readKnobs({ ...quiet, CAMPUS_DATA_DIR: dir.path, CAMPUS_MQTT_PORT: '0', CAMPUS_CONFIG: files.join(',') });
    const brokerPart = buildSystem({ knobs: brokerKnobs, campuses: sites, log: quietLog, parts: ['broker'] });
    running.push(await startServices(brokerPart.services, quietLog));
    const mqtt = brokerPart.mqttUrl();

    const workerKnobs = readKnobs({ ...quiet, CAMPUS_DATA_DIR: dir.path, CAMPUS_MQTT_URL: mqtt, CAMPUS_INGEST_ASSIGNMENT: assignment, CAMPUS_INGEST_WORKER: 'w1' });
    const ingestPart = buildSystem({ knobs: workerKnobs, campuses: [], log: quietLog, parts: ['ingest'] });
    running.push(await startServices(ingestPart.services, quietLog));
    const worker = ingestPart.worker!;
    await waitFor('the worker reading both sites', () => worker.running.has(s1) && worker.running.has(s2), { timeoutMs: 60_000 });

    // the dashboard of the first site, on that site's data (its campus.db), with the deployment's secrets
    const siteDir = join(dir.path, 'sites', s1);
    cpSync(join(dir.path, 'secrets'), join(siteDir, 'secrets'), { recursive: true });
    const dashboardKnobs = readKnobs({ ...quiet, CAMPUS_DATA_DIR: siteDir, CAMPUS_MQTT_URL: mqtt, CAMPUS_HTTP_PORT: '0', CAMPUS_CONFIG: files[0]! });
    const dashboardPart = buildSystem({ knobs: dashboardKnobs, campuses: [sites[0]!], log: quietLog, parts: ['dashboard'] });
    running.push(await startServices(dashboardPart.services, quietLog));
    const base = `http://127.0.0.1:${dashboardPart.dashboard!.port}`;
    const api = apiClient(base, siteDir);
    const display = (await campusCli(siteDir, 'display', 'add', '值班大屏')).match(/token=(\S+)/)![1]!;
    const pushed: Ticket[] = [];
    socket = io(base, { transports: ['websocket'], auth: { display } });
    socket.on('ticket', (t: Ticket) => pushed.push(t));
    await waitFor('the wall screen’s socket', () => socket!.connected);

    // a leak found by the worker's detection for the first site
    const meter = sites[0]!.devices[0]!;
    const [opened] = worker.running.get(s1)!.detection!.tickets.apply([
      { active: true, condition: 'water.burst', subjectId: meter.id, at: Date.now(), severity: 'critical', trade: 'plumber', category: 'repair', title: '流量骤增', summary: 'test' },
    ]);
    const listed = await waitFor('the ticket on the site’s dashboard', async () => {
      const { tickets } = (await api.get('/api/tickets?status=open')).body as { tickets: Ticket[] };
      return tickets.find((t) => t.id === opened!.id);
    });
    expect(listed).toMatchObject({ siteId: s1, deviceId: meter.id, status: 'open' });

    const ack = await api.post(`/api/tickets/${opened!.id}/ack`, { actor: '李师傅', note: '马上去' });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ id: opened!.id, status: 'acknowledged', acknowledgedBy: '李师傅' });
    // written by the worker in the site's own campus.db, and both changes pushed to the site's screens
    expect(worker.running.get(s1)!.detection!.tickets.get(opened!.id)).toMatchObject({ status: 'acknowledged' });
    await waitFor('the acknowledgement on the wall screen', () => pushed.some((t) => t.id === opened!.id && t.status === 'acknowledged'));
    expect(pushed.filter((t) => t.id === opened!.id).map((t) => t.status)).toEqual(['open', 'acknowledged']);
  });
});
