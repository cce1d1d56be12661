/**
 * Two broker nodes as one broker (cluster.ts): aedes' own clustering over a real redis-server.
 * A device on node B reaches ingest's persistent session on node A; while ingest is away node B
 * queues for it in Redis (not capped at the 1,000 of an unknown subscriber, though ingest never
 * connected to B) and counts that queue for flow control; ingest comes back on node B and gets
 * every message once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startRedis, startTestBroker, waitFor, type RedisServer, type TestBroker } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const meter = campus.devices.find((d) => d.kind === 'electric_meter')!;
const topic = `campus/${campus.site.id}/${meter.id}/telemetry`;
const INGEST_ID = 'campus-ingest-cluster-test';

let redis: RedisServer;
let a: TestBroker;
let b: TestBroker;
beforeAll(async () => {
  redis = await startRedis();
  const cluster = { cluster: { redisUrl: redis.url }, persistence: { kind: 'redis' as const, redisUrl: redis.url } };
  a = await startTestBroker([campus], cluster);
  // the nodes share the logins: same secrets (a deployment copies CAMPUS_DATA_DIR/secrets to every node)
  b = await startTestBroker([campus], { ...cluster, dataDir: a.dataDir });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.remove();
});

/** ingest's persistent session: every payload it got, acknowledged as it arrives (logins from node A's secrets, which B shares) */
async function ingestOn(node: TestBroker, got: string[]): Promise<MqttClient> {
  const c = await mqtt.connectAsync(node.url, { ...a.ingestLogin(), clientId: INGEST_ID, clean: false, reconnectPeriod: 0 });
  c.on('message', (_t, payload) => got.push(payload.toString()));
  await c.subscribeAsync(`campus/${campus.site.id}/#`, { qos: 1 });
  return c;
}

async function publish(node: TestBroker, from: number, to: number): Promise<void> {
  const d = await mqtt.connectAsync(node.url, { ...a.deviceLogin(meter.id), reconnectPeriod: 0 });
  const sends: Promise<unknown>[] = [];
  for (let seq = from; seq <= to; seq++) sends.push(d.publishAsync(topic, JSON.stringify({ ts: seq * 60_000, seq, totalKWh: seq }), { qos: 1 }));
  await Promise.all(sends);
  await d.endAsync();
}

const seqs = (got: string[]) => got.map((p) => (JSON.parse(p) as { seq: number }).seq);

describe('two broker nodes sharing Redis', () => {
  it('carry a device on one node to ingest on the other, and queue for it across nodes while it is away', { timeout: 120_000 }, async () => {
    const got: string[] = [];
    let ingest = await ingestOn(a, got);
    await publish(b, 1, 200);
    await waitFor('200 messages from node B at ingest on node A', () => got.length >= 200, { timeoutMs: 30_000 });

    await ingest.endAsync();
    // more than an unknown subscriber's 1,000: node B must know ingest is a service from Redis
    await publish(b, 201, 1500);
    await waitFor('node B counting ingest queue in Redis', () => b.metric('campus_mqtt_service_queue') >= 1300, { timeoutMs: 15_000 });
    expect(b.metric('campus_mqtt_queue_dropped_total')).toBe(0);

    ingest = await ingestOn(b, got);
    await waitFor('the queued messages at ingest, now on node B', () => new Set(seqs(got)).size >= 1500, { timeoutMs: 60_000 });
    await waitFor('the queue drained on both nodes', () => a.metric('campus_mqtt_service_queue') === 0 && b.metric('campus_mqtt_service_queue') === 0, {
      timeoutMs: 15_000,
    });
    await ingest.endAsync();
    const all = seqs(got).sort((x, y) => x - y);
    expect(new Set(all).size).toBe(1500);
    expect(all).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });
});
