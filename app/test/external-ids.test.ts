/**
 * Off-the-shelf ids that would reach our own or another family's topic space are refused wherever
 * they enter: the operator CLI (`device add --format shelly --id campus` let one plug publish under
 * campus/# and open a critical burst ticket), the campus file, and the broker's ACL for a login
 * issued before (over real MQTT). For each family a colliding id is refused and a legit one works.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialStore, hashSecret } from '@campus/broker';
import { readKnobs } from '@campus/runtime';
import { CampusConfigError } from '@campus/site';
import { campusFileWith, startTestBroker, tempDir, waitFor } from '@campus/testkit';
import { deviceCommand } from '../src/device-cli.ts';

const dir = tempDir();
// the CLI prints each issued secret: not into the test log
beforeAll(() => void vi.spyOn(console, 'log').mockImplementation(() => {}));
afterAll(() => {
  vi.restoreAllMocks();
  dir.remove();
});
const { file, campus } = campusFileWith(dir.path);
const knobs = readKnobs({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file });
const add = (format: string, id: string) => deviceCommand(['add', '--format', format, '--id', id], knobs);

const FAMILIES = [
  { format: 'tasmota', colliding: ['campus', 'tele', 'Campus', 'svc-ingest', 'a/b', '+', '#', '$SYS'], legit: 'tasmota_G1C1' },
  { format: 'shelly', colliding: ['campus', 'tele', 'stat', 'cmnd', 'wmbusmeters', 'zigbee2mqtt', 'campus-ops'], legit: 'shellypro3em-c8f09e8a1b2c' },
  { format: 'zigbee2mqtt', colliding: ['campus', 'tele', 'wmbusmeters', 'ZIGBEE2MQTT'], legit: 'zigbee2mqtt' },
  { format: 'wmbus', colliding: ['campus', 'wmbusmeters', 'zigbee2mqtt'], legit: 'gw-dorm' },
] as const;

describe('npm run campus -- device add --format F --id X', () => {
  it.each(FAMILIES.map((f) => [f.format, f] as const))("%s: a colliding id is refused with the reason, the device's own name is issued", async (_f, f) => {
    for (const id of f.colliding) await expect(add(f.format, id), id).rejects.toThrow(/^--id .*(topic root|reserved|one topic level)/);
    expect(CredentialStore.inDataDir(dir.path).load().get('campus')).toBeUndefined();
    expect(await add(f.format, f.legit)).toBe(true);
    expect(CredentialStore.inDataDir(dir.path).load().get(f.legit)).toMatchObject({ role: 'external', format: f.format, id: f.legit });
  });

  it('says whose topics the id would reach', async () => {
    await expect(add('shelly', 'campus')).rejects.toThrow('"campus" is a topic root of the native devices (campus/...)');
    await expect(add('shelly', 'tele')).rejects.toThrow('"tele" is a topic root of Tasmota (tele/...)');
  });
});

describe('the campus file', () => {
  const problems = (external: Record<string, unknown>): string[] => {
    try {
      campusFileWith(dir.path, external);
    } catch (err) {
      if (err instanceof CampusConfigError) return err.problems;
      throw err;
    }
    return [];
  };
  const at = (deviceId: string) => `devices[${campus.devices.findIndex((d) => d.id === deviceId)}].external`;

  it('tasmota: a topic "campus" is refused, tasmota_G1C1 loads', () => {
    expect(problems({ 'em-g1c1': { format: 'tasmota', id: 'campus' } })).toEqual([
      expect.stringMatching(new RegExp(`^${escape(at('em-g1c1'))}\\.id: "campus" is a topic root`)),
    ]);
    expect(problems({ 'em-g1c1': { format: 'tasmota', id: 'tasmota_G1C1' } })).toEqual([]);
  });
  it('shelly: a prefix "tele" or one that is also a bridge is refused, the device\'s own prefix loads', () => {
    expect(problems({ 'tr-sci': { format: 'shelly', id: 'tele', component: 'em:0' } })).toEqual([
      expect.stringContaining(`${at('tr-sci')}.id: "tele" is a topic root of Tasmota`),
    ]);
    expect(
      problems({
        'tr-sci': { format: 'shelly', id: 'zb-east', component: 'em:0' },
        'fr-sample': { format: 'zigbee2mqtt', id: '留样柜温度', bridge: 'zb-east' },
      }),
    ).toEqual([expect.stringContaining(`${at('tr-sci')}.id: "zb-east" is also a Zigbee2MQTT bridge`)]);
    expect(problems({ 'tr-sci': { format: 'shelly', id: 'shellypro3em-c8f09e8a1b2c', component: 'em:0' } })).toEqual([]);
  });
  it('zigbee2mqtt: a bridge "campus" or a friendly name "bridge" is refused, a named sensor on its own bridge loads', () => {
    expect(problems({ 'fr-sample': { format: 'zigbee2mqtt', id: '留样柜温度', bridge: 'campus' } })).toEqual([
      expect.stringContaining(`${at('fr-sample')}.bridge: bridge "campus" is a topic root`),
    ]);
    expect(problems({ 'fr-sample': { format: 'zigbee2mqtt', id: 'bridge' } })).toEqual([
      expect.stringContaining(`${at('fr-sample')}.id: "bridge" is Zigbee2MQTT's own topic`),
    ]);
    expect(problems({ 'fr-sample': { format: 'zigbee2mqtt', id: '留样柜温度', bridge: 'zb-east' } })).toEqual([]);
  });
  it("wmbus: a meter id with a wildcard is refused, the meter's id loads", () => {
    expect(problems({ 'wm-dorm-3': { format: 'wmbus', id: '3322+' } })).toEqual([expect.stringContaining(`${at('wm-dorm-3')}.id`)]);
    expect(problems({ 'wm-dorm-3': { format: 'wmbus', id: '33225544' } })).toEqual([]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the broker, over MQTT, for a login issued before the CLI refused such ids', () => {
  it('a Shelly "campus" cannot publish a native device\'s telemetry; the legit Shelly still publishes', { timeout: 120_000 }, async () => {
    const broker = await startTestBroker([campus]);
    const clients: mqtt.MqttClient[] = [];
    try {
      const store = CredentialStore.inDataDir(broker.dataDir).load();
      for (const id of ['campus', 'shellypro3em-c8f09e8a1b2c'])
        store.set(id, {
          role: 'external',
          siteId: 'dongnan',
          format: 'shelly',
          id,
          hash: await hashSecret(`pw-${id}`),
          source: 'issued',
          createdAt: new Date().toISOString(),
        });
      store.save();
      const connect = async (options: mqtt.IClientOptions) => {
        const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
        clients.push(c);
        return c;
      };
      const received: string[] = [];
      const ingest = await connect({ clientId: 'test-ingest', ...broker.ingestLogin() });
      ingest.on('message', (topic) => received.push(topic));
      await ingest.subscribeAsync(['campus/#', 'shellypro3em-c8f09e8a1b2c/#'], { qos: 1 });
      // the broker reloads credentials.json within a second
      const fake = await waitFor(
        'the hand-written logins accepted',
        () => connect({ clientId: 'campus', username: 'campus', password: 'pw-campus' }).catch(() => undefined),
        {
          timeoutMs: 30_000,
          everyMs: 300,
        },
      );
      const burst = JSON.stringify({ ts: Date.now(), seq: 1, totalM3: 1e6 });
      fake.publish('campus/dongnan/wm-main/telemetry', burst, { qos: 1 });
      await waitFor('the fake publish refused', () => broker.metric('campus_mqtt_refused_total') >= 1, { timeoutMs: 30_000, everyMs: 50 });

      const real = await connect({ clientId: 'shellypro3em-c8f09e8a1b2c', username: 'shellypro3em-c8f09e8a1b2c', password: 'pw-shellypro3em-c8f09e8a1b2c' });
      await real.publishAsync('shellypro3em-c8f09e8a1b2c/events/rpc', JSON.stringify({ method: 'NotifyStatus', params: { 'em:0': { a_current: 4 } } }), {
        qos: 1,
      });
      await waitFor('the legit Shelly delivered', () => received.includes('shellypro3em-c8f09e8a1b2c/events/rpc'), { timeoutMs: 30_000, everyMs: 50 });
      expect(received).toEqual(['shellypro3em-c8f09e8a1b2c/events/rpc']);
    } finally {
      for (const c of clients) c.end(true);
      await broker.stop();
    }
  });
});
