/**
 * The off-the-shelf formats, decoded from recorded payloads (test/fixtures) and mapped onto the
 * ledger devices of a campus file that names their identities.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceRegistry, pipelineContext, processMessage, type Outcome } from '@campus/ingest';
import { campusFileWith, tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());
const { campus } = campusFileWith(dir.path);
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
/** a fixture with its time fields moved to `at` (the rest as recorded) */
const fresh = (name: string, at = NOW): Buffer => {
  const body = JSON.parse(fixture(name).toString()) as Record<string, unknown>;
  if ('Time' in body) body.Time = new Date(at + 8 * 3600_000).toISOString().slice(0, 19); // Tasmota: local time, no zone
  if ('timestamp' in body) body.timestamp = new Date(at).toISOString();
  const params = body.params as Record<string, unknown> | undefined;
  if (params && 'ts' in params) params.ts = at / 1000;
  return Buffer.from(JSON.stringify(body));
};

let ctx = pipelineContext(new DeviceRegistry([campus]));
const run = (topic: string, payload: Buffer | string, now = NOW): Outcome[] => processMessage(topic, Buffer.from(payload), now, ctx);
const reading = (o: Outcome[], deviceId: string) => o.find((x) => x.type === 'reading' && x.reading.deviceId === deviceId);

describe('Tasmota', () => {
  it('an energy plug: Total kWh and Power W, Time read in the site zone', () => {
    const out = run('tele/tasmota_G1C1/SENSOR', fresh('tasmota/sensor-energy.json'));
    expect(out).toEqual([
      {
        type: 'reading',
        reading: expect.objectContaining({ deviceId: 'em-g1c1', kind: 'electric_meter', ts: NOW, values: { totalKWh: 52.713, powerKW: 0.036 } }),
      },
    ]);
  });

  it('a two-channel device feeds two ledger meters, one per channel', () => {
    const out = run('tele/tasmota_G1C23/SENSOR', fresh('tasmota/sensor-energy-2ch.json'));
    expect(reading(out, 'em-g1c2')).toMatchObject({ reading: { values: { totalKWh: 1.234, powerKW: 0.012 } } });
    expect(reading(out, 'em-g1c3')).toMatchObject({ reading: { values: { totalKWh: 5.678, powerKW: 0.15 } } });
  });

  it('LWT is the device status; STATE is not a reading', () => {
    expect(run('tele/tasmota_G1C1/LWT', 'Offline')).toEqual([{ type: 'status', status: { deviceId: 'em-g1c1', status: 'offline', at: NOW } }]);
    expect(run('tele/tasmota_G1C1/STATE', fixture('tasmota/state.json'))).toEqual([{ type: 'ignored', reason: 'Tasmota STATE is not a reading' }]);
    expect(run('tele/tasmota_G1C1/LWT', 'maybe')[0]).toMatchObject({ type: 'rejected' });
  });
});

describe('Shelly Gen2+', () => {
  it('a Pro 3EM feeds a transformer: full status, energy, then partial NotifyStatus merged over it', () => {
    ctx = pipelineContext(new DeviceRegistry([campus]));
    // a transformer's register is optional, so em:0 alone is a reading at once
    const first = run('shellypro3em-c8f09e8a1b2c/status/em:0', fixture('shelly/status-em0.json'));
    expect(reading(first, 'tr-sci')).toMatchObject({
      reading: { kind: 'transformer', values: { currentA: [4.029, 4.027, 3.03], voltageV: [236.1, 236.201, 236.3], powerKW: 2.6182 } },
    });
    run('shellypro3em-c8f09e8a1b2c/status/emdata:0', fixture('shelly/status-emdata0.json'), NOW + 1000);
    const partial = run('shellypro3em-c8f09e8a1b2c/events/rpc', fresh('shelly/notify-status-em0.json', NOW + 2000), NOW + 2000);
    expect(reading(partial, 'tr-sci')).toMatchObject({
      reading: { ts: NOW + 2000, values: { currentA: [4.51, 4.027, 3.03], powerKW: 2.7294, totalKWh: 70.37034 } },
    });
  });

  it('a Plus 1PM switch feeds an electricity meter; events are not readings', () => {
    expect(reading(run('shellyplus1pm-a8032ab12345/status/switch:0', fixture('shelly/status-switch0.json')), 'em-sci')).toMatchObject({
      reading: { values: { totalKWh: 15.373221, powerKW: 0.1205 } },
    });
    expect(run('shellyplus1pm-a8032ab12345/events/rpc', fixture('shelly/notify-event.json'))[0]).toMatchObject({ type: 'ignored' });
    expect(run('shellyplus1pm-a8032ab12345/online', 'false')).toEqual([{ type: 'status', status: { deviceId: 'em-sci', status: 'offline', at: NOW } }]);
  });
});

describe('Zigbee2MQTT', () => {
  it('a fridge with a thermometer and a door contact (contact true = closed): one reading with both', () => {
    ctx = pipelineContext(new DeviceRegistry([campus]));
    // a door contact alone cannot make a fridge reading: it waits for a temperature
    expect(run('zigbee2mqtt/留样柜门磁', fixture('zigbee2mqtt/contact-open.json'))[0]).toMatchObject({
      type: 'ignored',
      reason: expect.stringContaining('waiting for tempC'),
    });
    const out = run('zigbee2mqtt/留样柜温度', fixture('zigbee2mqtt/temperature.json'), NOW + 1000);
    expect(reading(out, 'fr-sample')).toMatchObject({ reading: { ts: NOW + 1000, values: { tempC: 3.86, doorOpen: true } } });
    expect(run('zigbee2mqtt/留样柜温度/availability', fixture('zigbee2mqtt/availability.json'))).toEqual([
      { type: 'status', status: { deviceId: 'fr-sample', status: 'online', at: NOW } },
    ]);
    expect(run('zigbee2mqtt/bridge/state', '{"state":"online"}')[0]).toMatchObject({ type: 'ignored' });
  });
});

describe('a bridge of its own', () => {
  it('a Zigbee2MQTT bridge named in the campus file is routed by its base topic, also one adopted while running', () => {
    const registry = new DeviceRegistry([campus]);
    ctx = pipelineContext(registry);
    const topic = 'kitchen-z2m/冷藏柜1温度';
    // before: nobody's topic (no family owns the first level, and it has no Shelly shape)
    expect(run(topic, fixture('zigbee2mqtt/temperature.json'))[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('no adapter') });
    const chiller = campus.devices.find((d) => d.id === 'fr-chiller-1')!;
    registry.add(campus.site.id, { ...chiller, external: { format: 'zigbee2mqtt', id: '冷藏柜1温度', bridge: 'kitchen-z2m' } });
    expect(registry.externalFilters()).toContain('kitchen-z2m/#');
    expect(reading(run(topic, fixture('zigbee2mqtt/temperature.json')), 'fr-chiller-1')).toMatchObject({ reading: { values: { tempC: 3.86 } } });
  });
});

describe('wmbusmeters', () => {
  it('a water meter by its wM-Bus id, with its status flags; a leak sensor on the same ledger meter adds LEAK', () => {
    ctx = pipelineContext(new DeviceRegistry([campus]));
    const out = run('wmbusmeters/gw-dorm/dorm3', fresh('wmbus/iperl.json'));
    expect(reading(out, 'wm-dorm-3')).toMatchObject({ reading: { ts: NOW, values: { totalM3: 123.529, status: [] } } });
    const leak = run('zigbee2mqtt/dorm3-leak', fixture('zigbee2mqtt/water-leak.json'), NOW + 5000);
    expect(reading(leak, 'wm-dorm-3')).toMatchObject({ reading: { values: { totalM3: 123.529, status: ['LEAK'] } } });
  });

  it("an older driver's current_status counts too; a meter nobody mapped is pending, not stored", () => {
    const out = run('wmbusmeters/gw-dorm/tap', fresh('wmbus/multical21-leak.json'));
    expect(out).toEqual([
      {
        type: 'pending',
        pending: expect.objectContaining({
          format: 'wmbus',
          id: '76348799',
          siteId: 'dongnan',
          fields: { totalM3: 6.408, status: 'LEAK' },
          topic: 'wmbusmeters/gw-dorm/tap',
        }),
      },
    ]);
  });
});

describe('any format', () => {
  it('a device clock far off is refused like a native one; junk is rejected, never thrown', () => {
    const old = run('wmbusmeters/gw-dorm/dorm3', fixture('wmbus/iperl.json'));
    expect(old[0]).toMatchObject({ type: 'rejected', reason: expect.stringContaining('older than 35 days') });
    for (const topic of ['tele/tasmota_G1C1/SENSOR', 'shellypro3em-c8f09e8a1b2c/events/rpc', 'zigbee2mqtt/留样柜温度', 'wmbusmeters/x/y']) {
      expect(run(topic, Buffer.from([0xff, 0x00, 0x7b]))[0]).toMatchObject({ type: 'rejected' });
    }
  });
});
