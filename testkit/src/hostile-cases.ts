/**
 * Hostile payloads, one catalogue for the unit test (ingest/test/hostile.test.ts, through
 * processMessage) and the end-to-end test (app/test/hostile-e2e.test.ts, over real MQTT into the
 * running system). Each case says what must become of it: a dead letter with a reason, a reading
 * (stored; a detector may then judge it), a pending off-the-shelf device, or an ignored message.
 * The cases run in order against one pipeline: some are sequences (type flips, a partial update
 * after a full status), and accepted readings of one device have distinct, mostly rising times.
 *
 * Devices (the demo campus with the off-the-shelf mappings of testkit's campusFileWith):
 *   native wm-main (water), tr-main (transformer 315 kVA), fr-chiller-1 (fridge), wm-ghost (a login
 *   whose device is not in the campus file); Tasmota tasmota_G1C1 -> em-g1c1; Shelly Pro 3EM
 *   shellypro3em-c8f09e8a1b2c -> tr-sci (80 kVA); Zigbee2MQTT 留样柜温度 -> fr-sample; wmbusmeters
 *   gateway gw-dorm, meter 33225544 -> wm-dorm-3.
 */
import type { ExternalFormat } from '@campus/contract';

export type Expected =
  | { type: 'rejected'; reason: RegExp }
  /** stored; `ts` is the device time, absent where the format carries none (the time of arrival) */
  | { type: 'reading'; deviceId: string; ts?: number }
  | { type: 'pending'; id: string }
  | { type: 'ignored' };

export interface HostileCase {
  name: string;
  topic: string;
  payload: string;
  expect: Expected;
  /** larger than an MQTT packet may be (64 KiB): the broker closes the connection before ingest sees it */
  oversized?: boolean;
}

/** The broker login that may publish on a topic: a ledger device, or an off-the-shelf identity. */
export function publisherOf(topic: string): { login: string; format?: ExternalFormat } {
  const [first, second] = topic.split('/');
  if (first === 'campus') return { login: topic.split('/')[2]! };
  if (first === 'tele') return { login: second!, format: 'tasmota' };
  if (first === 'wmbusmeters') return { login: second!, format: 'wmbus' };
  if (first === 'zigbee2mqtt') return { login: 'zigbee2mqtt', format: 'zigbee2mqtt' };
  return { login: first!, format: 'shelly' };
}

const WM = 'campus/dongnan/wm-main/telemetry';
const TR = 'campus/dongnan/tr-main/telemetry';
const FR = 'campus/dongnan/fr-chiller-1/telemetry';
const TASMOTA = 'tele/tasmota_G1C1/SENSOR';
const SHELLY = 'shellypro3em-c8f09e8a1b2c';
const Z2M = 'zigbee2mqtt/留样柜温度';
const WMBUS = 'wmbusmeters/gw-dorm/dorm3';

const rejected = (reason: RegExp): Expected => ({ type: 'rejected', reason });
const json = (v: unknown) => JSON.stringify(v);
const YEAR = 365 * 86_400_000;

/** A Shelly Pro 3EM em:0 status (phases A, B, C). */
const em0 = (a: unknown, b = 110, c = 100) => ({
  id: 0,
  a_current: a,
  b_current: b,
  c_current: c,
  a_voltage: 230,
  b_voltage: 231,
  c_voltage: 229,
  total_act_power: 5000,
});

/** Every hostile case at `now` (ms), in the order they are sent. */
export function hostileCases(now: number): HostileCase[] {
  const t = (secondsAgo: number) => now - secondsAgo * 1000;
  /** Tasmota's Time: local time of the site (Asia/Shanghai), no zone */
  const local = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19);
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  return [
    // --- size and nesting
    { name: 'native: 100,000 levels of [', topic: WM, payload: deep(100_000), expect: rejected(/over the 65536-byte limit/), oversized: true },
    {
      name: 'native: 100,000 levels of {',
      topic: WM,
      payload: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      expect: rejected(/over the 65536-byte limit/),
      oversized: true,
    },
    {
      name: 'native: 20,000 levels of [ in an unknown field (within 64 KiB)',
      topic: WM,
      payload: `{"ts":${t(90)},"seq":1,"totalM3":1000,"x":${deep(20_000)}}`,
      expect: rejected(/nested deeper than 32 levels/),
    },
    {
      name: 'native: 5,000 levels of { (within 64 KiB)',
      topic: WM,
      payload: `{"ts":${t(90)},"seq":1,"totalM3":1000,"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      expect: rejected(/nested deeper than 32 levels/),
    },
    {
      name: 'Tasmota: deep nesting',
      topic: TASMOTA,
      payload: `{"Time":"${local(now)}","ENERGY":{"Total":1,"X":${deep(1000)}}}`,
      expect: rejected(/nested deeper/),
    },
    {
      name: 'Shelly: deep nesting',
      topic: `${SHELLY}/events/rpc`,
      payload: `{"method":"NotifyStatus","params":${deep(100)}}`,
      expect: rejected(/nested deeper/),
    },
    {
      name: 'Zigbee2MQTT: deep nesting',
      topic: Z2M,
      payload: `{"temperature":3,"update":${'{"a":'.repeat(50)}1${'}'.repeat(50)}}`,
      expect: rejected(/nested deeper/),
    },
    { name: 'wmbusmeters: deep nesting', topic: WMBUS, payload: `{"id":"33225544","total_m3":1,"x":${deep(40)}}`, expect: rejected(/nested deeper/) },

    // --- keys JavaScript gives a meaning to
    {
      name: 'native: __proto__',
      topic: WM,
      payload: `{"ts":${t(89)},"seq":2,"totalM3":1000,"__proto__":{"polluted":true,"totalM3":5}}`,
      expect: rejected(/key \$\.__proto__ is not allowed/),
    },
    {
      name: 'native: constructor.prototype',
      topic: WM,
      payload: `{"ts":${t(89)},"seq":2,"totalM3":1000,"constructor":{"prototype":{"polluted":true}}}`,
      expect: rejected(/key \$\.constructor is not allowed/),
    },
    {
      name: 'native: nested prototype',
      topic: WM,
      payload: `{"ts":${t(89)},"seq":2,"totalM3":1000,"meta":[{"prototype":{"polluted":true}}]}`,
      expect: rejected(/key \$\.meta\[0\]\.prototype is not allowed/),
    },
    {
      name: 'Tasmota: __proto__ in ENERGY',
      topic: TASMOTA,
      payload: `{"Time":"${local(now)}","ENERGY":{"Total":1,"__proto__":{"Total":99}}}`,
      expect: rejected(/\$\.ENERGY\.__proto__/),
    },
    {
      name: 'Shelly: __proto__ in params',
      topic: `${SHELLY}/events/rpc`,
      payload: `{"method":"NotifyStatus","params":{"__proto__":{"em:0":{"a_current":1}}}}`,
      expect: rejected(/\$\.params\.__proto__/),
    },
    {
      name: 'Zigbee2MQTT: constructor',
      topic: Z2M,
      payload: `{"temperature":3,"constructor":{"prototype":{"polluted":true}}}`,
      expect: rejected(/\$\.constructor/),
    },
    {
      name: 'wmbusmeters: __proto__',
      topic: WMBUS,
      payload: `{"id":"33225544","total_m3":1,"__proto__":{"polluted":true}}`,
      expect: rejected(/\$\.__proto__/),
    },

    // --- numbers JSON does not have, or cannot hold
    { name: 'native: NaN', topic: WM, payload: `{"ts":${t(88)},"seq":3,"totalM3":NaN}`, expect: rejected(/not valid JSON/) },
    { name: 'native: Infinity', topic: WM, payload: `{"ts":${t(88)},"seq":3,"totalM3":Infinity}`, expect: rejected(/not valid JSON/) },
    { name: 'native: -Infinity', topic: WM, payload: `{"ts":${t(88)},"seq":3,"totalM3":1000,"flowM3h":-Infinity}`, expect: rejected(/not valid JSON/) },
    {
      name: 'native: 1e400 (Infinity once parsed)',
      topic: WM,
      payload: `{"ts":${t(88)},"seq":3,"totalM3":1e400}`,
      expect: rejected(/totalM3 must be a finite number/),
    },
    {
      name: 'native: -1e400 in an optional field',
      topic: WM,
      payload: `{"ts":${t(88)},"seq":3,"totalM3":1000,"flowM3h":-1e400}`,
      expect: rejected(/flowM3h must be a finite number/),
    },
    {
      name: 'native: register above 2^53',
      topic: WM,
      payload: `{"ts":${t(88)},"seq":3,"totalM3":9007199254740993}`,
      expect: rejected(/totalM3 9007199254740992 is beyond ±2\^53/),
    },
    {
      name: 'native: ts above 2^53',
      topic: WM,
      payload: `{"ts":9007199254740993,"seq":3,"totalM3":1000}`,
      expect: rejected(/ts must be an integer number of epoch milliseconds/),
    },
    {
      name: 'native: seq above 2^53',
      topic: WM,
      payload: `{"ts":${t(88)},"seq":18446744073709551616,"totalM3":1000}`,
      expect: rejected(/seq must be a non-negative integer/),
    },
    {
      name: 'native: transformer phase above 2^53',
      topic: TR,
      payload: `{"ts":${t(88)},"seq":3,"currentA":[1e300,1,1],"voltageV":[230,230,230]}`,
      expect: rejected(/currentA phase 1e\+300 is beyond 2\^53/),
    },
    { name: 'Tasmota: NaN', topic: TASMOTA, payload: `{"Time":"${local(now)}","ENERGY":{"Total":NaN}}`, expect: rejected(/not valid JSON/) },
    {
      name: 'Tasmota: 1e400 W',
      topic: TASMOTA,
      payload: `{"Time":"${local(now)}","ENERGY":{"Total":52.8,"Power":1e400}}`,
      expect: rejected(/Tasmota: ENERGY\.Power must be a finite number, got Infinity/),
    },
    {
      name: 'Shelly: -Infinity',
      topic: `${SHELLY}/status/em:0`,
      payload: json(em0(4)).replace('"a_current":4', '"a_current":-Infinity'),
      expect: rejected(/not valid JSON/),
    },
    {
      name: 'Shelly: 1e400 A',
      topic: `${SHELLY}/status/em:0`,
      payload: json(em0(4)).replace('"a_current":4', '"a_current":1e400'),
      expect: rejected(/Shelly: em:0\.a_current must be a finite number, got Infinity/),
    },
    { name: 'Zigbee2MQTT: NaN', topic: Z2M, payload: `{"temperature":NaN}`, expect: rejected(/not valid JSON/) },
    {
      name: 'Zigbee2MQTT: 1e400 °C',
      topic: Z2M,
      payload: `{"temperature":1e400,"battery":90}`,
      expect: rejected(/Zigbee2MQTT: temperature must be a finite number, got Infinity/),
    },
    { name: 'wmbusmeters: Infinity', topic: WMBUS, payload: `{"id":"33225544","total_m3":Infinity}`, expect: rejected(/not valid JSON/) },
    {
      name: 'wmbusmeters: 1e400 m³',
      topic: WMBUS,
      payload: `{"id":"33225544","total_m3":1e400,"timestamp":"${new Date(now).toISOString()}"}`,
      expect: rejected(/total_m3 must be a finite number/),
    },

    // --- strings where numbers belong, and a number, then an object, then a string from one device
    { name: 'native: "12.5"', topic: WM, payload: json({ ts: t(87), seq: 4, totalM3: '1000.5' }), expect: rejected(/totalM3 must be a finite number/) },
    {
      name: 'native: ts as a string of digits',
      topic: WM,
      payload: json({ ts: String(t(87)), seq: 4, totalM3: 1000 }),
      expect: rejected(/is not ISO 8601 with a time zone/),
    },
    {
      name: 'native flip 1: a number',
      topic: WM,
      payload: json({ ts: t(80), seq: 5, totalM3: 1000.01 }),
      expect: { type: 'reading', deviceId: 'wm-main', ts: t(80) },
    },
    {
      name: 'native flip 2: an object',
      topic: WM,
      payload: json({ ts: t(79), seq: 6, totalM3: { value: 1000.02 } }),
      expect: rejected(/totalM3 must be a finite number/),
    },
    {
      name: 'native flip 3: a string',
      topic: WM,
      payload: json({ ts: t(78), seq: 7, totalM3: '1000.03' }),
      expect: rejected(/totalM3 must be a finite number/),
    },
    {
      name: 'native flip 4: status an object',
      topic: WM,
      payload: json({ ts: t(78), seq: 7, totalM3: 1000.03, status: { LEAK: true } }),
      expect: rejected(/status must be a string or an array/),
    },
    {
      name: 'Tasmota: "52.7"',
      topic: TASMOTA,
      payload: json({ Time: local(now), ENERGY: { Total: '52.7', Power: 36 } }),
      expect: rejected(/ENERGY\.Total must be a finite number, got "52\.7"/),
    },
    { name: 'Tasmota: ENERGY a string', topic: TASMOTA, payload: json({ Time: local(now), ENERGY: 'on' }), expect: rejected(/ENERGY must be an object/) },
    {
      name: 'Tasmota: a channel of the wrong type',
      topic: TASMOTA,
      payload: json({ Time: local(now), ENERGY: { Total: [52.7, { kWh: 1 }], Power: [1, 2] } }),
      expect: rejected(/ENERGY\.Total\[1\] must be a finite number, got an object/),
    },
    { name: 'Shelly flip 1: a full status', topic: `${SHELLY}/status/em:0`, payload: json(em0(100)), expect: { type: 'reading', deviceId: 'tr-sci' } },
    {
      name: 'Shelly: a register above 2^53 Wh, merged over the full status (must not stay in the merge)',
      topic: `${SHELLY}/status/emdata:0`,
      payload: `{"id":0,"total_act":1e30}`,
      expect: rejected(/totalKWh 1e\+27 is beyond ±2\^53/),
    },
    {
      name: 'Shelly flip 2: a partial update with an object (would merge over the last value)',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { ts: now / 1000, 'em:0': { a_current: { value: 101 } } } }),
      expect: rejected(/em:0\.a_current must be a finite number, got an object/),
    },
    {
      name: 'Shelly flip 3: a string',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { ts: now / 1000, 'em:0': { a_current: '101' } } }),
      expect: rejected(/em:0\.a_current must be a finite number, got "101"/),
    },
    {
      name: 'Shelly: a component that is not an object',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { 'em:0': 5 } }),
      expect: rejected(/em:0 must be an object/),
    },
    {
      name: 'Shelly: a method that is not a string',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: { toString: null }, params: {} }),
      expect: rejected(/Shelly: method must be a string/),
    },
    {
      name: 'Zigbee2MQTT flip 1: a number',
      topic: Z2M,
      payload: json({ temperature: 3.5, battery: 90, last_seen: t(65) }),
      expect: { type: 'reading', deviceId: 'fr-sample', ts: t(65) },
    },
    {
      name: 'Zigbee2MQTT flip 2: "3.6" (would merge over the last value)',
      topic: Z2M,
      payload: json({ temperature: '3.6', battery: 90 }),
      expect: rejected(/temperature must be a finite number, got "3\.6"/),
    },
    {
      name: 'Zigbee2MQTT flip 3: an object',
      topic: Z2M,
      payload: json({ temperature: 3.6, battery: { level: 90 } }),
      expect: rejected(/battery must be a finite number, got an object/),
    },
    {
      name: 'Zigbee2MQTT: contact as a string',
      topic: 'zigbee2mqtt/留样柜门磁',
      payload: json({ contact: 'false', battery: 100 }),
      expect: rejected(/contact must be true or false, got "false"/),
    },
    {
      name: 'wmbusmeters: "123.5"',
      topic: WMBUS,
      payload: json({ id: '33225544', total_m3: '123.5' }),
      expect: rejected(/total_m3 must be a finite number, got "123\.5"/),
    },
    {
      name: 'wmbusmeters: status an object',
      topic: WMBUS,
      payload: json({ id: '33225544', total_m3: 123.5, status: { LEAK: 1 } }),
      expect: rejected(/status must be a string, got an object/),
    },
    { name: 'wmbusmeters: id an object', topic: WMBUS, payload: json({ id: { x: 1 }, total_m3: 123.5 }), expect: rejected(/needs the meter "id"/) },

    // --- impossible values: stored as the device said them; detectors call them sensor faults
    {
      name: 'native: a fridge at 500 °C',
      topic: FR,
      payload: json({ ts: t(70), seq: 1, tempC: 500 }),
      expect: { type: 'reading', deviceId: 'fr-chiller-1', ts: t(70) },
    },
    {
      name: 'native: a transformer current of 1e9 A',
      topic: TR,
      payload: json({ ts: t(70), seq: 1, currentA: [1e9, 200, 200], voltageV: [230, 230, 230] }),
      expect: { type: 'reading', deviceId: 'tr-main', ts: t(70) },
    },
    { name: 'native: a negative register', topic: WM, payload: json({ ts: t(70), seq: 8, totalM3: -5 }), expect: rejected(/totalM3 must be >= 0, got -5/) },
    {
      name: 'native: a negative phase current',
      topic: TR,
      payload: json({ ts: t(69), seq: 2, currentA: [-1, 1, 1], voltageV: [230, 230, 230] }),
      expect: rejected(/phases must be finite numbers >= 0/),
    },
    {
      name: 'native: a battery at 150 %',
      topic: FR,
      payload: json({ ts: t(69), seq: 2, tempC: 4, batteryPct: 150 }),
      expect: rejected(/batteryPct must be a number from 0 to 100/),
    },
    {
      name: 'native: a register going backwards',
      topic: WM,
      payload: json({ ts: t(60), seq: 9, totalM3: 900 }),
      expect: { type: 'reading', deviceId: 'wm-main', ts: t(60) },
    },
    {
      name: 'Zigbee2MQTT: a fridge at 500 °C',
      topic: Z2M,
      payload: json({ temperature: 500, battery: 90, last_seen: t(30) }),
      expect: { type: 'reading', deviceId: 'fr-sample', ts: t(30) },
    },

    // --- device clocks: seconds, milliseconds, years off
    {
      name: 'native: epoch seconds',
      topic: WM,
      payload: json({ ts: Math.floor(t(50) / 1000), seq: 10, totalM3: 1000.04 }),
      expect: rejected(/looks like epoch seconds/),
    },
    {
      name: 'native: epoch milliseconds',
      topic: WM,
      payload: json({ ts: t(50), seq: 11, totalM3: 1000.04 }),
      expect: { type: 'reading', deviceId: 'wm-main', ts: t(50) },
    },
    { name: 'native: 3 years ago', topic: WM, payload: json({ ts: now - 3 * YEAR, seq: 12, totalM3: 1000.04 }), expect: rejected(/older than 35 days/) },
    {
      name: 'native: 3 years ahead',
      topic: WM,
      payload: json({ ts: now + 3 * YEAR, seq: 12, totalM3: 1000.04 }),
      expect: rejected(/ahead of the server clock/),
    },
    {
      name: 'native: ISO 8601 in 2099',
      topic: WM,
      payload: json({ ts: '2099-01-01T00:00:00Z', seq: 12, totalM3: 1000.04 }),
      expect: rejected(/ahead of the server clock/),
    },
    { name: 'native: beyond any date', topic: WM, payload: json({ ts: 9_000_000_000_000_000, seq: 12, totalM3: 1000.04 }), expect: rejected(/is not a date/) },
    {
      name: 'native: before 1970',
      topic: WM,
      payload: json({ ts: -1_000_000_000_000, seq: 12, totalM3: 1000.04 }),
      expect: rejected(/ts 1938-.* is before 1970/),
    },
    {
      name: 'Tasmota: Time 3 years ahead',
      topic: TASMOTA,
      payload: json({ Time: local(now + 3 * YEAR), ENERGY: { Total: 52.8 } }),
      expect: rejected(/ahead of the server clock/),
    },
    {
      name: 'Tasmota: Time before NTP (1970)',
      topic: TASMOTA,
      payload: json({ Time: '1970-01-01T00:00:12', ENERGY: { Total: 52.8 } }),
      expect: rejected(/before 1970: the device clock is not set/),
    },
    {
      name: 'Tasmota: Time that is no time',
      topic: TASMOTA,
      payload: json({ Time: 'soon', ENERGY: { Total: 52.8 } }),
      expect: rejected(/Time: ts "soon" is not ISO 8601/),
    },
    {
      name: 'Shelly: ts in milliseconds (its unit is seconds)',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { ts: now, 'em:0': { a_current: 99 } } }),
      expect: rejected(/ahead of the server clock/),
    },
    {
      name: 'Shelly: ts in seconds (normalised to ms)',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { ts: (now - 5000) / 1000, 'em:0': { a_current: 99 } } }),
      expect: { type: 'reading', deviceId: 'tr-sci', ts: now - 5000 },
    },
    {
      name: 'Zigbee2MQTT: last_seen in seconds',
      topic: Z2M,
      payload: json({ temperature: 3.7, last_seen: Math.floor(now / 1000) }),
      expect: rejected(/last_seen: ts \d+ looks like epoch seconds/),
    },
    {
      name: 'Zigbee2MQTT: last_seen 3 years ago',
      topic: Z2M,
      payload: json({ temperature: 3.7, last_seen: now - 3 * YEAR }),
      expect: rejected(/older than 35 days/),
    },
    {
      name: 'wmbusmeters: timestamp in 2099',
      topic: WMBUS,
      payload: json({ id: '33225544', total_m3: 123.6, timestamp: '2099-01-01T00:00:00Z' }),
      expect: rejected(/ahead of the server clock/),
    },
    {
      name: 'wmbusmeters: timestamp that is no time',
      topic: WMBUS,
      payload: json({ id: '33225544', total_m3: 123.6, timestamp: 'yesterday' }),
      expect: rejected(/timestamp: ts "yesterday" is not ISO 8601/),
    },

    // --- devices nobody put in the campus file
    {
      name: 'native: a login whose device is not in the campus file',
      topic: 'campus/dongnan/wm-ghost/telemetry',
      payload: json({ ts: t(40), seq: 1, totalM3: 5 }),
      expect: rejected(/unknown device "wm-ghost"/),
    },
    {
      name: 'wmbusmeters: a meter nobody mapped',
      topic: 'wmbusmeters/gw-dorm/ghost',
      payload: json({ id: '99999999', total_m3: 5, timestamp: new Date(now).toISOString() }),
      expect: { type: 'pending', id: '99999999' },
    },
    {
      name: 'Zigbee2MQTT: a sensor nobody mapped',
      topic: 'zigbee2mqtt/ghost-sensor',
      payload: json({ temperature: 21 }),
      expect: { type: 'pending', id: 'ghost-sensor' },
    },
    { name: 'Zigbee2MQTT: nothing we read', topic: Z2M, payload: json({ linkquality: 80 }), expect: { type: 'ignored' } },
  ];
}

/** The good readings sent after all the hostile ones: each must be stored. */
export function goodReadings(now: number): HostileCase[] {
  return [
    {
      name: 'native water meter',
      topic: WM,
      payload: json({ ts: now, seq: 100, totalM3: 1000.05 }),
      expect: { type: 'reading', deviceId: 'wm-main', ts: now },
    },
    {
      name: 'Tasmota plug',
      topic: TASMOTA,
      payload: json({ Time: new Date(now + 8 * 3600_000).toISOString().slice(0, 19), ENERGY: { Total: 52.9, Power: 40 } }),
      expect: { type: 'reading', deviceId: 'em-g1c1', ts: Math.floor(now / 1000) * 1000 },
    },
    {
      name: 'Shelly Pro 3EM',
      topic: `${SHELLY}/events/rpc`,
      payload: json({ method: 'NotifyStatus', params: { ts: now / 1000, 'em:0': { a_current: 100 } } }),
      expect: { type: 'reading', deviceId: 'tr-sci', ts: now },
    },
    {
      name: 'Zigbee2MQTT thermometer',
      topic: Z2M,
      payload: json({ temperature: 3.9, battery: 90, last_seen: now }),
      expect: { type: 'reading', deviceId: 'fr-sample', ts: now },
    },
    {
      name: 'wmbusmeters meter',
      topic: WMBUS,
      payload: json({ id: '33225544', total_m3: 123.7, status: 'OK', timestamp: new Date(now).toISOString() }),
      expect: { type: 'reading', deviceId: 'wm-dorm-3', ts: now },
    },
  ];
}
