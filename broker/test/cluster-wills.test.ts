/**
 * A broker node dies (SIGKILL, two child processes sharing a real redis-server): the cluster
 * publishes the wills of its clients once it notices (3 missed heartbeats), so a device that is
 * really gone shows "offline" — but a device that reconnected through the other node and said
 * "online" there keeps "online" (the dead node's will for it is stale and dropped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { loadOrCreateKey, simulatedDevicePassword, SERVICE_USERS } from '@campus/runtime';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { startPart, startRedis, tempDir, waitFor, type RedisServer, type RunningPart } from '@campus/testkit';

const campus = loadCampus(DEMO_CAMPUS_FILE);
const [back, gone] = campus.devices.filter((d) => d.kind === 'electric_meter').map((d) => d.id) as [string, string];
const status = (id: string) => `campus/${campus.site.id}/${id}/status`;
const dir = tempDir('campus-wills-');
let redis: RedisServer;
const nodes: { url: string; part: RunningPart }[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    const part = await startPart(
      'app/src/main.ts',
      { CAMPUS_PARTS: 'broker', CAMPUS_DATA_DIR: dir.path, CAMPUS_MQTT_CLUSTER: 'redis', CAMPUS_REDIS_URL: redis.url, CAMPUS_SIM: 'on', CAMPUS_MQTT_PORT: '0' },
      /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/,
    );
    nodes.push({ url: `mqtt://127.0.0.1:${part.ready[0]}`, part });
  }
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  for (const n of nodes) await n.part.stop('SIGKILL');
  await redis?.remove();
  dir.remove();
});

async function device(id: string, url: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, {
    clientId: id,
    username: id,
    password: simulatedDevicePassword(loadOrCreateKey(dir.path, 'sim'), campus.site.id, id),
    reconnectPeriod: 0,
    will: { topic: status(id), payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  c.on('error', () => {});
  clients.push(c);
  await c.publishAsync(status(id), 'online', { qos: 1, retain: true });
  return c;
}

describe("a dead broker node's wills", () => {
  it('mark the device that is gone offline and leave the one that came back through the other node online', { timeout: 120_000 }, async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await device(back, a.url);
    await device(gone, a.url);
    await a.part.stop('SIGKILL');
    // one device comes back through node B and says so
    await device(back, b.url);

    // ingest's view: the retained statuses, as a subscriber on node B sees them
    const seen = new Map<string, string>();
    const watcher = await mqtt.connectAsync(b.url, { username: SERVICE_USERS.ingest, password: loadOrCreateKey(dir.path, 'ingest'), reconnectPeriod: 0 });
    clients.push(watcher);
    watcher.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await watcher.subscribeAsync(`campus/${campus.site.id}/+/status`, { qos: 1 });
    await waitFor('the gone device announced offline by node B', () => seen.get(status(gone)) === 'offline', { timeoutMs: 90_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; seen ${JSON.stringify([...seen])}\n--- node B ---\n${b.part.output().slice(-4000)}`);
    });
    // the dead node's will for the other one was due at the same pass: it must not have gone out
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen.get(status(back))).toBe('online');
    expect(b.part.output()).toContain(`diverted the will of ${status(back)}`);
  });
});
