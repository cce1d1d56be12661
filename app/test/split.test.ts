/**
 * Each part on its own, as a deployment splits them: broker, ingest, simulator and dashboard as
 * four processes sharing a data dir, talking MQTT over loopback. The demo campus comes up online;
 * a fault becomes a ticket that the dashboard shows and pushes, and a member of staff's action
 * through the dashboard is carried out by ingest (which owns the tickets) and pushed back at once.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ticket } from '@campus/contract';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { apiClient, campusCli, startPart, tempDir, waitFor, type RunningPart } from '@campus/testkit';

const dir = tempDir();
const parts: RunningPart[] = [];
let socket: Socket | undefined;
afterAll(async () => {
  socket?.close();
  for (const p of parts.reverse()) await p.stop('SIGKILL');
  dir.remove();
});

describe('parts started separately', () => {
  it('carry the demo campus from devices to the dashboard', { timeout: 360_000 }, async () => {
    // each part serves its own /metrics (on a free port here; 9641 and 9642 by default)
    const env = { CAMPUS_DATA_DIR: dir.path, CAMPUS_SIM: 'on', CAMPUS_BROKER_METRICS_PORT: '0', CAMPUS_INGEST_METRICS_PORT: '0' };
    const broker = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'broker', ...env, CAMPUS_MQTT_PORT: '0' }, /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/);
    parts.push(broker);
    const mqttUrl = `mqtt://127.0.0.1:${broker.ready[0]}`;
    const ingest = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'ingest', ...env, CAMPUS_MQTT_URL: mqttUrl }, /ingest started/);
    parts.push(ingest);
    parts.push(await startPart('app/src/main.ts', { CAMPUS_PARTS: 'sim', ...env, CAMPUS_MQTT_URL: mqttUrl }, /device-sim started/));
    const dashboard = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'dashboard', ...env, CAMPUS_MQTT_URL: mqttUrl, CAMPUS_HTTP_PORT: '0' }, /dashboard on http:\/\/localhost:(\d+)/);
    parts.push(dashboard);
    const base = `http://127.0.0.1:${dashboard.ready[0]}`;

    const expected = loadCampus(DEMO_CAMPUS_FILE).devices.length;
    await waitFor(
      'every device online through the standalone dashboard',
      async () => {
        const body = (await apiClient(base, dir.path).get('/api/devices')).body as { devices: { status: string }[] };
        return body.devices.filter((d) => d.status === 'online').length === expected;
      },
      { timeoutMs: 120_000, everyMs: 1000 },
    );
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);

    // a leak on a dorm meter: ingest opens the ticket, the dashboard lists it and pushes it
    const api = apiClient(base, dir.path);
    const pushed: Ticket[] = [];
    const display = (await campusCli(dir.path, 'display', 'add', '测试大屏')).match(/token=(\S+)/)![1]!;
    socket = io(base, { transports: ['websocket'], auth: { display } });
    socket.on('ticket', (t: Ticket) => pushed.push(t));
    await waitFor('the socket to connect', () => socket!.connected);
    await campusCli(dir.path, 'fault', 'add', 'meter_leak', 'wm-dorm-2');
    const ticket = await waitFor(
      'the leak ticket on the standalone dashboard',
      async () => {
        const { tickets } = (await api.get('/api/tickets?status=open')).body as { tickets: Ticket[] };
        return tickets.find((t) => t.deviceId === 'wm-dorm-2' && t.condition === 'water.meter_alarm');
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    await waitFor('the ticket pushed by the standalone dashboard', () => pushed.some((t) => t.id === ticket.id));
    // staff acknowledge through the dashboard: carried out by ingest, written once, pushed back
    const ack = await api.post(`/api/tickets/${ticket.id}/ack`, { actor: '李师傅', note: '已派人' });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ id: ticket.id, status: 'acknowledged', acknowledgedBy: '李师傅' });
    await waitFor('the acknowledgement pushed', () => pushed.some((t) => t.id === ticket.id && t.status === 'acknowledged'));
    const audit = ((await api.get(`/api/tickets/${ticket.id}`)).body as { audit: { action: string; actor: string }[] }).audit;
    expect(audit.filter((a) => a.action === 'ack')).toEqual([expect.objectContaining({ actor: '李师傅' })]);
    // an action the desk refuses comes back with its reason, not a timeout
    const again = await api.post(`/api/tickets/${ticket.id}/ack`, { actor: '李师傅' });
    expect(again.status).toBe(409);

    // the broker's and ingest's figures can be scraped where they run, counters typed as counters
    const scrape = async (part: RunningPart, what: string) => {
      const port = /"metricsPort":(\d+)/.exec(part.output())?.[1];
      expect(port, `${what}'s metrics port in its log`).toBeDefined();
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const value = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    const brokerMetrics = await scrape(broker, 'the broker');
    expect(value(brokerMetrics, 'campus_mqtt_connections')).toBeGreaterThan(1);
    expect(brokerMetrics).toContain('# TYPE campus_mqtt_flow_waits_total counter');
    expect(brokerMetrics).toContain('# TYPE campus_mqtt_queue_dropped_total counter');
    const ingestMetrics = await scrape(ingest, 'ingest');
    expect(value(ingestMetrics, 'campus_readings_stored_total')).toBeGreaterThan(0);
    const port = /"metricsPort":(\d+)/.exec(ingest.output())![1];
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    // each stops cleanly on its own signal
    for (const p of [...parts].reverse()) expect(await p.stop('SIGINT')).toBe(0);
  });
});
