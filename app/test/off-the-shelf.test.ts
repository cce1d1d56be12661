/**
 * Off-the-shelf devices against the whole system (`npm start` on a campus file that maps them),
 * each simulated with Debian's mosquitto_pub from its documented payload: a Tasmota plug, a
 * Shelly Pro 3EM on a transformer, a Zigbee2MQTT fridge thermometer and a wmbusmeters water
 * meter show up on /api/devices and feed the detectors. Logins come from the operator CLI. An
 * unknown meter is pending until the office adopts it (no restart); a disabled login is cut off.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, campusCli, campusFileWith, mosquittoPub, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';

const dir = tempDir();
const { file } = campusFileWith(dir.path);
let system: RunningSystem | undefined;
afterAll(async () => {
  await system?.stop('SIGKILL');
  dir.remove();
});

const fixture = (name: string) => readFileSync(new URL(`../../ingest/test/fixtures/${name}`, import.meta.url), 'utf8');
/** the recorded payload with its time fields moved to now */
function fresh(name: string): string {
  const body = JSON.parse(fixture(name)) as Record<string, unknown>;
  const now = Date.now();
  if ('Time' in body) body.Time = new Date(now + 8 * 3600_000).toISOString().slice(0, 19); // Tasmota: local time (Asia/Shanghai)
  if ('timestamp' in body) body.timestamp = new Date(now).toISOString();
  return JSON.stringify(body);
}

const env = () => ({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file });
/** a login from the CLI; returns its password (printed once) */
async function login(format: string, id: string): Promise<string> {
  const out = await campusCli(env(), 'device', 'add', '--format', format, '--id', id);
  const password = /password {2}: (\S+)/.exec(out)?.[1];
  if (!password) throw new Error(`no password in: ${out}`);
  return password;
}

describe('off-the-shelf devices through the whole system', () => {
  it('Tasmota, Shelly Pro 3EM, Zigbee2MQTT and wmbusmeters show up on /devices and feed the detectors', { timeout: 300_000 }, async () => {
    system = await startSystem({ ...env(), CAMPUS_SIM: 'off' });
    const api = apiClient(system.base, dir.path);
    const port = system.mqttPort;
    const pub = async (user: string, password: string, topic: string, message: string, extra: string[] = []) => {
      const r = await mosquittoPub(port, ['-i', user, '-u', user, '-P', password, '-t', topic, '-m', message, ...extra]);
      expect(r.status, `${topic}: ${r.stderr}`).toBe(0);
    };

    const tasmota = await login('tasmota', 'tasmota_G1C1');
    const shelly = await login('shelly', 'shellypro3em-c8f09e8a1b2c');
    const z2m = await login('zigbee2mqtt', 'zigbee2mqtt');
    const wmbus = await login('wmbus', 'gw-dorm');
    // the broker reloads its logins within a second
    await waitFor(
      'the new logins accepted',
      async () => (await mosquittoPub(port, ['-i', 'probe', '-u', 'gw-dorm', '-P', wmbus, '-t', 'wmbusmeters/gw-dorm/probe', '-m', '{}'])).status === 0,
      {
        timeoutMs: 30_000,
        everyMs: 500,
      },
    );

    await pub('tasmota_G1C1', tasmota, 'tele/tasmota_G1C1/LWT', 'Online', ['-r']);
    await pub('tasmota_G1C1', tasmota, 'tele/tasmota_G1C1/SENSOR', fresh('tasmota/sensor-energy.json'));
    await pub('shellypro3em-c8f09e8a1b2c', shelly, 'shellypro3em-c8f09e8a1b2c/status/em:0', fixture('shelly/status-em0.json'));
    await pub('shellypro3em-c8f09e8a1b2c', shelly, 'shellypro3em-c8f09e8a1b2c/status/emdata:0', fixture('shelly/status-emdata0.json'));
    await pub('zigbee2mqtt', z2m, 'zigbee2mqtt/留样柜温度', fixture('zigbee2mqtt/temperature.json'));
    await pub('gw-dorm', wmbus, 'wmbusmeters/gw-dorm/dorm3', fresh('wmbus/iperl.json'));

    const devices = await waitFor(
      'the four devices on /api/devices',
      async () => {
        const { body } = await api.get('/api/devices');
        const byId = new Map<string, any>(body.devices.map((d: any) => [d.id, d]));
        const ids = ['em-g1c1', 'tr-sci', 'fr-sample', 'wm-dorm-3'];
        return ids.every((id) => byId.get(id)?.last) ? byId : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(devices.get('em-g1c1')).toMatchObject({ status: 'online', last: { totalKWh: 52.713, powerKW: 0.036 } });
    expect(devices.get('tr-sci').last).toMatchObject({ currentA: [4.029, 4.027, 3.03], voltageV: [236.1, 236.201, 236.3] });
    expect(devices.get('fr-sample').last).toMatchObject({ tempC: 3.86 });
    expect(devices.get('wm-dorm-3').last).toMatchObject({ totalM3: 123.529 });

    // the water meter says LEAK: the plumber's ticket
    await pub('gw-dorm', wmbus, 'wmbusmeters/gw-dorm/dorm3', JSON.stringify({ ...JSON.parse(fresh('wmbus/iperl.json')), total_m3: 123.6, status: 'LEAK' }));
    const ticket = await waitFor(
      'a leak ticket for wm-dorm-3',
      async () => (await api.get('/api/tickets?status=open')).body.tickets.find((t: any) => t.deviceId === 'wm-dorm-3' && t.condition === 'water.meter_alarm'),
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(ticket).toMatchObject({ trade: 'plumber', severity: 'major' });

    // a login publishes under its own topics only
    const foreign = await mosquittoPub(port, [
      '-i',
      'tasmota_G1C1',
      '-u',
      'tasmota_G1C1',
      '-P',
      tasmota,
      '-t',
      'tele/tasmota_OTHER/SENSOR',
      '-m',
      fresh('tasmota/sensor-energy.json'),
    ]);
    expect(foreign.status).not.toBe(0);
  });

  it('an unknown meter is pending until the office adopts it, then reports without a restart', { timeout: 180_000 }, async () => {
    const api = apiClient(system!.base, dir.path);
    const wmbusPassword = await login('wmbus', 'gw-canteen');
    const tap = () => JSON.stringify({ ...JSON.parse(fresh('wmbus/multical21-leak.json')), current_status: '' });
    const send = async () =>
      waitFor(
        'mosquitto_pub accepted',
        async () =>
          (await mosquittoPub(system!.mqttPort, ['-i', 'gw-canteen', '-u', 'gw-canteen', '-P', wmbusPassword, '-t', 'wmbusmeters/gw-canteen/tap', '-m', tap()]))
            .status === 0,
        {
          timeoutMs: 30_000,
          everyMs: 500,
        },
      );
    await send();
    const pending = await waitFor(
      'the meter listed as pending',
      async () => (await api.get('/api/devices')).body.pending.find((p: any) => p.format === 'wmbus' && p.id === '76348799'),
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(pending).toMatchObject({ fields: { totalM3: 6.408 }, topic: 'wmbusmeters/gw-canteen/tap', messages: 1 });
    expect((await api.get('/api/devices')).body.devices.find((d: any) => d.id === 'wm-canteen-tap')).toBeUndefined();

    // a bad adoption is refused with the problem named, and writes nothing
    const bad = await api.post('/api/devices/adopt', {
      source: { format: 'wmbus', id: '76348799' },
      device: { id: 'wm-canteen-tap', kind: 'water_meter', name: '食堂水龙头', location: { building: 'nowhere' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.join('\n')).toMatch(/location.building: no building "nowhere"/);

    const adopted = await api.post('/api/devices/adopt', {
      source: { format: 'wmbus', id: '76348799' },
      device: { id: 'wm-canteen-tap', kind: 'water_meter', name: '食堂水龙头水表', usage: 'canteen', location: { building: 'canteen', floor: 1 } },
    });
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('wm-canteen-tap');
    expect(text).toMatch(/^#/m); // the office's comments are still there

    await send();
    const device = await waitFor(
      'the adopted meter reporting',
      async () => (await api.get('/api/devices')).body.devices.find((d: any) => d.id === 'wm-canteen-tap' && d.last),
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(device.last).toMatchObject({ totalM3: 6.408 });
    expect((await api.get('/api/devices')).body.pending.find((p: any) => p.id === '76348799')).toBeUndefined();
  });

  it('a disabled login is cut off at once and refused from then on', { timeout: 120_000 }, async () => {
    const password = await login('tasmota', 'tasmota_LAB1');
    const client = await waitFor(
      'the login accepted',
      async () => {
        try {
          return await mqtt.connectAsync(`mqtt://127.0.0.1:${system!.mqttPort}`, {
            clientId: 'tasmota_LAB1',
            username: 'tasmota_LAB1',
            password,
            reconnectPeriod: 0,
          });
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await campusCli(env(), 'device', 'disable', 'tasmota_LAB1');
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection was not cut within 20 s')), 20_000))]);
    const refused = await mosquittoPub(system!.mqttPort, [
      '-i',
      'tasmota_LAB1',
      '-u',
      'tasmota_LAB1',
      '-P',
      password,
      '-t',
      'tele/tasmota_LAB1/SENSOR',
      '-m',
      '{}',
    ]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/not authori[sz]ed|refused/i);
    client.end(true);
  });
});
