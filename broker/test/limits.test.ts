/**
 * The broker's own limits (issue 8), each against a real broker on a real socket, with the bytes a
 * hostile or broken client would send. After every refusal a well-behaved device still connects
 * and publishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { Admission } from '@campus/broker';
import { districtCampuses } from '@campus/device-sim';
import { connectBytes, publishHeaderOnly, publishWithRawTopic, rawMqtt, startTestBroker, waitFor, type RawMqtt, type TestBroker } from '@campus/testkit';

describe('broker limits', () => {
  const campuses = districtCampuses({ sites: 1, devicesPerSite: 20 });
  const site = campuses[0]!;
  const meters = site.devices.filter((d) => d.kind === 'electric_meter');
  let t: TestBroker;
  let url: string;
  const login = (deviceId: string) => t.deviceLogin(deviceId);
  const metric = (name: string) => t.metric(name);
  const telemetry = (deviceId: string) => `campus/${site.site.id}/${deviceId}/telemetry`;
  /** CONNECT with a device's login, over a raw socket */
  const rawLogin = async (deviceId: string, extra: Record<string, unknown> = {}) => {
    const raw = await rawMqtt(t.port);
    raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, ...login(deviceId), ...extra } as never);
    return raw;
  };
  /** a well-behaved device still gets in and is acknowledged */
  const stillWorks = async () => {
    const d = meters.at(-1)!;
    const c = await mqtt.connectAsync(url, { ...login(d.id), reconnectPeriod: 0 });
    await c.publishAsync(telemetry(d.id), JSON.stringify({ ts: Date.now(), seq: 1, values: { kwh: 1 } }), { qos: 1 });
    await c.endAsync();
  };

  beforeAll(async () => {
    t = await startTestBroker(campuses);
    url = t.url;
  });
  afterAll(() => t?.stop());

  it('closes a connection whose packet announces more than 64 KiB, before the body is sent', async () => {
    const raw = await rawLogin(meters[0]!.id);
    expect(await raw.connack()).toBe(0);
    // 16 MiB announced, not one byte of it sent: the broker must not wait to buffer it
    raw.send(publishHeaderOnly(16 * 1024 * 1024));
    await raw.closed;
    expect(metric('campus_mqtt_packets_refused_total')).toBeGreaterThanOrEqual(1);
    // a real 100 KiB publish from mqtt.js is refused the same way; 60 KiB is fine
    const d = meters[1]!;
    const c = await mqtt.connectAsync(url, { ...login(d.id), reconnectPeriod: 0 });
    await c.publishAsync(telemetry(d.id), JSON.stringify({ ts: Date.now(), seq: 1, values: { kwh: 1 }, pad: 'x'.repeat(60_000) }), { qos: 1 });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(telemetry(d.id), 'x'.repeat(100 * 1024), { qos: 1 });
    await closed;
    c.end(true);
    await stillWorks();
  });

  it('refuses topics that are too long, too deep, not UTF-8, or hold NUL', async () => {
    const d = meters[2]!;
    for (const topic of [
      Buffer.from(`${telemetry(d.id)}/${'x'.repeat(300)}`),
      Buffer.from(`campus/${'a/'.repeat(20)}x`),
      Buffer.concat([Buffer.from(`campus/${site.site.id}/`), Buffer.from([0xc3, 0x28]), Buffer.from('/telemetry')]),
      Buffer.from(`campus/${site.site.id}/${d.id}\u0000/telemetry`),
    ]) {
      const before = metric('campus_mqtt_refused_total');
      const raw = await rawLogin(d.id);
      expect(await raw.connack()).toBe(0);
      raw.send(publishWithRawTopic(topic, Buffer.from('{}')));
      // MQTT 3.1.1 has no negative PUBACK: a refused publish closes the connection
      await raw.closed;
      expect(metric('campus_mqtt_refused_total')).toBe(before + 1);
    }
    await stillWorks();
  });

  it('refuses $SYS and $share publishes', async () => {
    const d = meters[3]!;
    for (const topic of ['$SYS/broker/uptime', `$share/g/${telemetry(d.id)}`]) {
      const before = metric('campus_mqtt_refused_total');
      const raw = await rawLogin(d.id);
      expect(await raw.connack()).toBe(0);
      raw.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false } as never);
      await raw.closed;
      expect(metric('campus_mqtt_refused_total')).toBe(before + 1);
    }
  });

  it('refuses a zero-length client id with clean=false, and ids or usernames with wildcards, NUL or invalid UTF-8', async () => {
    const d = meters[4]!;
    const { username, password } = login(d.id);
    const cases: [string, Parameters<typeof connectBytes>[0], number][] = [
      ['zero-length id, clean=false', { clientId: '', clean: false, username, password }, 2],
      ['id with +', { clientId: 'a+b', clean: true, username, password }, 2],
      ['id with /', { clientId: 'a/b', clean: true, username, password }, 2],
      ['id with NUL', { clientId: 'a\u0000b', clean: true, username, password }, 2],
      ['id not UTF-8', { clientId: Buffer.from([0x61, 0xff, 0x62]), clean: true, username, password }, 2],
      ['username with #', { clientId: d.id, clean: true, username: `${d.id}#`, password }, 4],
      ['username not UTF-8', { clientId: d.id, clean: true, username: Buffer.from([0xc3, 0x28]), password }, 4],
    ];
    for (const [what, connect, code] of cases) {
      const raw = await rawMqtt(t.port);
      raw.send(connectBytes(connect));
      expect({ what, code: await raw.connack() }).toEqual({ what, code });
      await raw.closed;
    }
    // a zero-length id with a clean session is fine (the broker assigns one)
    const ok = await rawLogin(d.id, { clientId: '', clean: true });
    // ...but devices are bound to their own id: refused as not authorised, not as a bad id
    expect(await ok.connack()).toBe(5);
    await stillWorks();
  });

  it("refuses a will outside the device's own status topic, and takes one on it", async () => {
    const d = meters[5]!;
    const status = `campus/${site.site.id}/${d.id}/status`;
    const bad = await rawLogin(d.id, { will: { topic: telemetry(meters[6]!.id), payload: Buffer.from('x'), qos: 0, retain: false } });
    expect(await bad.connack()).toBe(5);
    const good = await rawLogin(d.id, { will: { topic: status, payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: true } });
    expect(await good.connack()).toBe(0);
    good.end();
  });

  it('refuses a client id that belongs to another device (no session takeover)', async () => {
    const [a, b] = [meters[7]!, meters[8]!];
    const victim = await mqtt.connectAsync(url, { ...login(a.id), reconnectPeriod: 0 });
    const raw = await rawLogin(b.id, { clientId: a.id });
    expect(await raw.connack()).toBe(5);
    expect(victim.connected).toBe(true);
    await victim.endAsync();
  });
});

describe('connection admission', () => {
  const campuses = districtCampuses({ sites: 1, devicesPerSite: 20 });
  const device = campuses[0]!.devices.find((d) => d.kind === 'electric_meter')!;
  /** a CONNECT with the device's id and username, and the given password */
  const connect = (password: string) =>
    ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: device.id, username: device.id, password }) as never;

  it('bans an address after repeated failed logins, and shows it in /metrics', async () => {
    // loopback is trusted by default; here it stands for a student's laptop
    const t = await startTestBroker(campuses, { admission: { trustLoopback: false, banAfterFailures: 3, banMs: 60_000 } });
    try {
      // three wrong passwords: refused with "bad username or password", then the address is banned
      for (let i = 0; i < 3; i++) {
        const raw = await rawMqtt(t.port);
        raw.send(connect('wrong'));
        expect(await raw.connack()).toBe(4);
        await raw.closed;
      }
      expect(t.metric('campus_mqtt_banned_addresses')).toBe(1);
      // now even the right password gets no CONNACK: the socket is closed at once
      const banned = await rawMqtt(t.port).catch(() => undefined);
      if (banned) {
        banned.send(connect(t.deviceLogin(device.id).password));
        await banned.closed;
        expect(banned.received).toEqual([]);
      }
      expect(t.metrics.render()).toMatch(/campus_mqtt_connections_refused_total\{reason="banned"\} [1-9]/);
      const client = mqtt.connect(t.url, { ...t.deviceLogin(device.id), reconnectPeriod: 0, connectTimeout: 3000 });
      await new Promise<void>((resolve) => client.once('close', () => resolve()));
      expect(client.connected).toBe(false);
      client.end(true);
    } finally {
      await t.stop();
    }
  });

  it('closes connections beyond the burst at once, and counts them', async () => {
    const t = await startTestBroker(campuses, { admission: { trustLoopback: false, connectRate: 0.1, connectBurst: 5 } });
    const sockets: RawMqtt[] = [];
    try {
      for (let i = 0; i < 8; i++) sockets.push(await rawMqtt(t.port));
      await waitFor('3 connections refused', () => sockets.filter((s) => s.isClosed()).length === 3, { timeoutMs: 10_000 });
      expect(sockets.slice(0, 5).every((s) => !s.isClosed())).toBe(true);
      expect(t.metrics.render()).toMatch(/campus_mqtt_connections_refused_total\{reason="rate_limited"\} 3\b/);
    } finally {
      for (const s of sockets) s.end();
      await t.stop();
    }
  });
});

describe('Admission (the rules, on a fake clock)', () => {
  it('lifts a ban after banMs, forgets failures outside the window, refuses past the cap, trusts loopback', () => {
    let now = 0;
    const a = new Admission({ banAfterFailures: 2, failureWindowMs: 1000, banMs: 5000, maxConnections: 2, connectRate: 1, connectBurst: 10 }, () => now);
    expect(a.failedLogin('10.0.0.9')).toBe(false);
    now = 1500; // the first failure is outside the window now
    expect(a.failedLogin('10.0.0.9')).toBe(false);
    expect(a.failedLogin('::ffff:10.0.0.9')).toBe(true); // the same address, IPv4-mapped
    expect(a.admit('10.0.0.9')).toBe('banned');
    now += 5001;
    expect(a.admit('10.0.0.9')).toBeUndefined();
    expect(a.admit('10.0.0.10')).toBeUndefined();
    expect(a.admit('10.0.0.11')).toBe('connection_cap');
    a.closed();
    expect(a.admit('10.0.0.11')).toBeUndefined();
    expect(a.refused).toEqual({ connection_cap: 1, rate_limited: 0, banned: 1 });
    for (let i = 0; i < 20; i++) a.failedLogin('127.0.0.1');
    expect(a.banned()).toEqual([]);
  });
});
