/**
 * The broker's default persistence (disk-persistence.ts) and its bounds, on real brokers over real
 * sockets: what a device was acknowledged for while ingest was away is delivered to ingest by the
 * next broker on the same data dir (and only once), the retained messages and a client's
 * subscriptions stop at their bounds with the broker serving, and the queue file stays small.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerSettings } from '@campus/broker';
import { readKnobs } from '@campus/runtime';
import { districtCampuses } from '@campus/device-sim';
import { campusCli, startTestBroker, tempDir, waitFor, type TestBroker } from '@campus/testkit';

const campuses = districtCampuses({ sites: 1, devicesPerSite: 10 });
const site = campuses[0]!;
const meter = site.devices.find((d) => d.kind === 'electric_meter')!;
const telemetry = `campus/${site.site.id}/${meter.id}/telemetry`;
const INGEST_ID = 'campus-ingest-test';

const brokers: TestBroker[] = [];
const dirs = [tempDir(), tempDir()];
afterAll(async () => {
  for (const b of brokers) await b.broker.stop();
  for (const d of dirs) d.remove();
});

async function broker(dataDir: string, options: Parameters<typeof startTestBroker>[1] = {}): Promise<TestBroker> {
  const b = await startTestBroker(campuses, { dataDir, ...options });
  brokers.push(b);
  return b;
}

/** ingest's persistent session: connects, collects what it is sent (acknowledging it), and can leave */
async function ingestSession(b: TestBroker) {
  const got: string[] = [];
  const client = await mqtt.connectAsync(b.url, { clientId: INGEST_ID, ...b.ingestLogin(), clean: false, reconnectPeriod: 0 });
  client.on('message', (_topic, payload) => got.push(payload.toString()));
  await client.subscribeAsync(`campus/${site.site.id}/+/telemetry`, { qos: 1 });
  return { got, client };
}

describe('the broker keeps what it acknowledged on disk', () => {
  it('delivers to ingest, after a broker restart, every reading acknowledged while ingest was away; once', { timeout: 60_000 }, async () => {
    const dataDir = dirs[0]!.path;
    let b = await broker(dataDir);
    const first = await ingestSession(b);
    await first.client.endAsync(); // away: its session and subscription stay
    const device = await mqtt.connectAsync(b.url, { ...b.deviceLogin(meter.id), reconnectPeriod: 0 });
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const payload = JSON.stringify({ ts: 1_700_000_000_000 + i * 1000, seq: i, totalKWh: i });
      await device.publishAsync(telemetry, payload, { qos: 1 }); // the PUBACK: on disk from here
      sent.push(payload);
    }
    await device.endAsync();
    expect(b.metric('campus_mqtt_queued_on_disk')).toBe(200);
    await b.broker.stop();

    // a new broker on the same data dir: ingest's session, its subscription and the 200 readings are back
    b = await broker(dataDir);
    expect(b.metric('campus_mqtt_queued_on_disk')).toBe(200);
    const again = await mqtt.connectAsync(b.url, { clientId: INGEST_ID, ...b.ingestLogin(), clean: false, reconnectPeriod: 0 });
    const got: string[] = [];
    again.on('message', (_topic, payload) => got.push(payload.toString()));
    await waitFor('the 200 readings delivered', () => got.length >= 200);
    expect(got).toEqual(sent); // in order
    // a device publishing now reaches ingest through the restored subscription, before it subscribed again
    const d2 = await mqtt.connectAsync(b.url, { ...b.deviceLogin(meter.id), reconnectPeriod: 0 });
    await d2.publishAsync(telemetry, JSON.stringify({ ts: 1_700_000_999_000, seq: 999, totalKWh: 999 }), { qos: 1 });
    await d2.endAsync();
    await waitFor('the new reading', () => got.length === 201);
    await waitFor('the acknowledged ones leave the file', () => b.metric('campus_mqtt_queued_on_disk') === 0);
    await again.endAsync();
    await b.broker.stop();

    // acknowledged by ingest: not delivered again
    b = await broker(dataDir);
    const third = await mqtt.connectAsync(b.url, { clientId: INGEST_ID, ...b.ingestLogin(), clean: false, reconnectPeriod: 0 });
    const redelivered: string[] = [];
    third.on('message', (_t, p) => redelivered.push(p.toString()));
    // a marker published after the connect arrives after anything queued before it
    const d3 = await mqtt.connectAsync(b.url, { ...b.deviceLogin(meter.id), reconnectPeriod: 0 });
    await d3.publishAsync(telemetry, 'marker', { qos: 1 });
    await d3.endAsync();
    await waitFor('the marker', () => redelivered.includes('marker'));
    expect(redelivered).toEqual(['marker']);
    await third.endAsync();
  });

  it('keeps no more retained messages than its bounds, still delivers them, and stays small on disk', { timeout: 120_000 }, async () => {
    const dataDir = dirs[1]!.path;
    // a Zigbee2MQTT bridge login: it may retain its devices' availability topics
    const out = await campusCli({ CAMPUS_DATA_DIR: dataDir }, 'device', 'add', '--format', 'zigbee2mqtt', '--id', 'zigbee2mqtt');
    const password = /password {2}: (\S+)/.exec(out)![1]!;
    const b = await broker(dataDir, { retained: { maxRetained: 500, maxRetainedBytes: 256 * 1024, maxRetainedPayload: 1024 } });
    const bridge = await mqtt.connectAsync(b.url, { clientId: 'zigbee2mqtt-bridge', username: 'zigbee2mqtt', password, reconnectPeriod: 0 });
    const watcher = await mqtt.connectAsync(b.url, { clientId: 'watcher', ...b.ingestLogin(), reconnectPeriod: 0 });
    let delivered = 0;
    watcher.on('message', () => delivered++);
    await watcher.subscribeAsync('zigbee2mqtt/#', { qos: 0 });
    const big = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 3000; i++) await bridge.publishAsync(`zigbee2mqtt/fake-${i}/availability`, i % 2 ? big : 'online', { qos: 1, retain: true });
    await waitFor('every one delivered', () => delivered === 3000);
    expect(b.metric('campus_mqtt_retained')).toBeLessThanOrEqual(500);
    expect(b.metric('campus_mqtt_retained_bytes')).toBeLessThanOrEqual(256 * 1024);
    expect(b.metric('campus_mqtt_retained_refused_total')).toBeGreaterThanOrEqual(2500);
    const file = join(dataDir, 'broker.db');
    const size = statSync(file).size + statSync(`${file}-wal`).size;
    // 1,500 payloads of 32 KiB were offered (48 MiB): the file holds at most the 500 small ones kept
    expect(size).toBeLessThan(8 * 1024 * 1024);

    // a client's subscriptions stop at the bound (SUBACK 0x80 for an off-the-shelf login), and it stays connected
    const filters = Array.from({ length: 150 }, (_, i) => `zigbee2mqtt/fake-${i}/set`);
    // the SUBACK's return codes (mqtt.js hands them over on the error when any is 0x80)
    const codes = await new Promise<number[]>((resolve) =>
      bridge.subscribe(filters, { qos: 0 }, (err) => resolve((err as { packet?: { granted?: number[] } } | null)?.packet?.granted ?? filters.map(() => 0))),
    );
    expect(codes).toHaveLength(150);
    expect(codes.filter((c) => c !== 128)).toHaveLength(100);
    expect(bridge.connected).toBe(true);
    await bridge.endAsync();
    await watcher.endAsync();
    // the broker still serves a device
    const device = await mqtt.connectAsync(b.url, { ...b.deviceLogin(meter.id), reconnectPeriod: 0 });
    await device.publishAsync(telemetry, JSON.stringify({ ts: Date.now(), seq: 1, totalKWh: 1 }), { qos: 1 });
    await device.endAsync();
  });

  it('takes its bounds and its persistence from the knobs', () => {
    const s = brokerSettings(readKnobs({ CAMPUS_MQTT_MAX_RETAINED: '5', CAMPUS_MQTT_MAX_RETAINED_MB: '2', CAMPUS_MQTT_MAX_SUBSCRIPTIONS: '7' }));
    expect(s.retained).toEqual({ maxRetained: 5, maxRetainedBytes: 2 * 1024 * 1024 });
    expect(s.limits?.maxSubscriptionsPerClient).toBe(7);
    expect(s.persistence?.kind).toBe('disk');
    expect(brokerSettings(readKnobs({ CAMPUS_MQTT_PERSISTENCE: 'memory' })).persistence?.kind).toBe('memory');
  });
});
