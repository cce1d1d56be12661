/**
 * The broker's own limits (issue 8), each against a real broker on a real socket, with the bytes a
 * hostile or broken client would send. After every refusal a well-behaved device still connects
 * and publishes.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { Admission } from '@campus/broker';
import { districtCampuses } from '@campus/device-sim';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { connectBytes, publishHeaderOnly, publishWithRawTopic, rawMqtt, startTestBroker, tempDir, waitFor, type RawMqtt, type TestBroker } from '@campus/testkit';

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

  it('closes a client that holds more than 100 QoS 2 messages without PUBREL, across its reconnects', async () => {
    const d = meters[9]!;
    const qos2 = (raw: RawMqtt, first: number, n: number) => {
      for (let id = first; id < first + n; id++)
        raw.send({ cmd: 'publish', topic: telemetry(d.id), payload: Buffer.from('{}'), qos: 2, messageId: id, retain: false, dup: false } as never);
    };
    // a persistent session: what it withholds stays with its client id when it reconnects
    const first = await rawLogin(d.id, { clean: false });
    expect(await first.connack()).toBe(0);
    qos2(first, 1, 80); // never released
    await waitFor('80 PUBRECs', () => first.received.filter((p) => p.cmd === 'pubrec').length === 80);
    first.end();
    await first.closed;
    const again = await rawLogin(d.id, { clean: false });
    expect(await again.connack()).toBe(0);
    qos2(again, 1001, 80); // fresh ids: 160 withheld in all
    await again.closed;
    // at most the 20 left under the bound were taken (the close can overtake their PUBRECs)
    expect(again.received.filter((p) => p.cmd === 'pubrec').length).toBeLessThanOrEqual(20);
    expect(metric('campus_mqtt_qos2_refused_total')).toBeGreaterThanOrEqual(1);
    // a clean session drops them, and the device works again
    const clean = await rawLogin(d.id, { clean: true });
    expect(await clean.connack()).toBe(0);
    clean.end();
    await stillWorks();
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
  const meters = campuses[0]!.devices.filter((d) => d.kind === 'electric_meter');
  const device = meters[0]!;
  /** a CONNECT with the device's id and username, and the given password */
  const connect = (password: string) =>
    ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: device.id, username: device.id, password }) as never;
  /** a TCP connection from a chosen loopback address that sends nothing; `closed` resolves when the broker closes it */
  const idleSocket = (port: number, localAddress: string) =>
    new Promise<{ socket: Socket; closed: Promise<number> }>((resolve, reject) => {
      const socket = createConnection({ port, host: '127.0.0.1', localAddress });
      const t0 = Date.now();
      const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - t0)));
      socket.on('error', () => {});
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('close', () => reject(new Error('closed before it opened')));
    });
  const isOpen = (s: { socket: Socket }) => !s.socket.destroyed && s.socket.readyState === 'open';
  /** a device logs in from `localAddress` and gets a QoS 1 publish acknowledged */
  const deviceWorks = async (t: TestBroker, deviceId: string, localAddress = '127.0.0.1') => {
    // mqtt.js has no source-address option: its stream builder makes the connection
    const c = new mqtt.MqttClient(() => createConnection({ port: t.port, host: '127.0.0.1', localAddress }), {
      ...t.deviceLogin(deviceId),
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
      c.once('close', () => reject(new Error(`${deviceId} from ${localAddress}: connection closed`)));
    });
    await c.publishAsync(`campus/${campuses[0]!.site.id}/${deviceId}/telemetry`, JSON.stringify({ ts: Date.now(), seq: 1, totalKWh: 1 }), { qos: 1 });
    await c.endAsync();
  };
  /** `n` logins with a wrong password, each refused with CONNACK 4 */
  const wrongPasswords = async (t: TestBroker, n: number) => {
    for (let i = 0; i < n; i++) {
      const raw = await rawMqtt(t.port);
      raw.send(connect('wrong'));
      expect(await raw.connack()).toBe(4);
      await raw.closed;
    }
  };
  const refusedBy = (t: TestBroker, reason: string) =>
    Number(new RegExp(`campus_mqtt_connections_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(t.metrics.render())?.[1] ?? 0);

  it('bans an address after repeated failed logins, loopback included, and shows it in /metrics', async () => {
    // loopback is an address like any other unless CAMPUS_MQTT_TRUST_LOOPBACK is on
    const t = await startTestBroker(campuses, { admission: { banAfterFailures: 3, banMs: 60_000 } });
    try {
      // three wrong passwords: refused with "bad username or password", then the address is banned
      await wrongPasswords(t, 3);
      expect(t.metric('campus_mqtt_banned_addresses')).toBe(1);
      // now even the right password gets no CONNACK: the socket is closed at once
      const banned = await rawMqtt(t.port).catch(() => undefined);
      if (banned) {
        banned.send(connect(t.deviceLogin(device.id).password));
        await banned.closed;
        expect(banned.received).toEqual([]);
      }
      expect(refusedBy(t, 'banned')).toBeGreaterThanOrEqual(1);
      const client = mqtt.connect(t.url, { ...t.deviceLogin(device.id), reconnectPeriod: 0, connectTimeout: 3000 });
      await new Promise<void>((resolve) => client.once('close', () => resolve()));
      expect(client.connected).toBe(false);
      client.end(true);
      // another address is not banned
      await deviceWorks(t, device.id, '127.0.0.2');
    } finally {
      await t.stop();
    }
  });

  it('trusts loopback only when asked (CAMPUS_MQTT_TRUST_LOOPBACK=on)', async () => {
    const t = await startTestBroker(campuses, { admission: { trustLoopback: true, banAfterFailures: 2, connectRate: 0.1, connectBurst: 2 } });
    try {
      await wrongPasswords(t, 4);
      expect(t.metric('campus_mqtt_banned_addresses')).toBe(0);
      await deviceWorks(t, device.id);
    } finally {
      await t.stop();
    }
  });

  it('closes connections that do not log in beyond the burst at once, and counts them', async () => {
    const t = await startTestBroker(campuses, { admission: { connectRate: 0.1, connectBurst: 5 } });
    const sockets: RawMqtt[] = [];
    try {
      for (let i = 0; i < 8; i++) sockets.push(await rawMqtt(t.port));
      await waitFor('3 connections refused', () => sockets.filter((s) => s.isClosed()).length === 3, { timeoutMs: 10_000 });
      expect(sockets.slice(0, 5).every((s) => !s.isClosed())).toBe(true);
      expect(refusedBy(t, 'rate_limited')).toBe(3);
    } finally {
      for (const s of sockets) s.end();
      await t.stop();
    }
  });

  it('a login gives its token back: a campus behind one address reconnecting at once is not refused', async () => {
    // a burst of 5, refilled every 10 s: 15 devices log in one after the other, all at once, then again
    const t = await startTestBroker(campuses, { admission: { connectRate: 0.1, connectBurst: 5 } });
    try {
      for (let round = 0; round < 2; round++) for (const m of meters.slice(0, 15)) await deviceWorks(t, m.id);
      expect(refusedBy(t, 'rate_limited')).toBe(0);
      // the tokens are all back: five sockets that never log in are admitted, the sixth is not
      const idle = [];
      for (let i = 0; i < 6; i++) idle.push(await idleSocket(t.port, '127.0.0.1'));
      await waitFor('the sixth refused', () => refusedBy(t, 'rate_limited') === 1, { timeoutMs: 10_000 });
      expect(idle.slice(0, 5).every(isOpen)).toBe(true);
      for (const s of idle) s.socket.destroy();
    } finally {
      await t.stop();
    }
  });

  it('closes a socket that sends no CONNECT within connectTimeoutMs, and keeps one that logged in', async () => {
    const t = await startTestBroker(campuses, { admission: { connectTimeoutMs: 1000 } });
    try {
      const idle = await idleSocket(t.port, '127.0.0.3');
      const device = await mqtt.connectAsync(t.url, { ...t.deviceLogin(meters[1]!.id), reconnectPeriod: 0 });
      // aedes' own default is 30 s
      expect(await idle.closed).toBeLessThan(8000);
      expect(device.connected).toBe(true);
      await device.endAsync();
    } finally {
      await t.stop();
    }
  });

  it('refuses more than maxPendingPerAddress connections of one address that have not logged in; other addresses get in', async () => {
    const t = await startTestBroker(campuses, { admission: { maxPendingPerAddress: 5 } });
    const idle: { socket: Socket; closed: Promise<number> }[] = [];
    try {
      for (let i = 0; i < 8; i++) idle.push(await idleSocket(t.port, '127.0.0.4'));
      await waitFor('3 refused', () => refusedBy(t, 'pending_per_address') === 3, { timeoutMs: 10_000 });
      expect(idle.slice(0, 5).every(isOpen)).toBe(true);
      await deviceWorks(t, meters[2]!.id);
      // a login frees its place at once: with 5 idle ones held, a device of that address still gets in once one goes
      idle[0]!.socket.destroy();
      await idle[0]!.closed;
      await waitFor('the place to be free', async () => deviceWorks(t, meters[3]!.id, '127.0.0.4').then(() => true), { timeoutMs: 10_000 });
    } finally {
      for (const s of idle) s.socket.destroy();
      await t.stop();
    }
  });

  it('past maxPending, closes the idlest silent connection: idle sockets from many addresses cannot keep a device out', async () => {
    const t = await startTestBroker(campuses, { admission: { maxPending: 10 } });
    const idle: { socket: Socket; closed: Promise<number> }[] = [];
    try {
      for (let i = 0; i < 10; i++) idle.push(await idleSocket(t.port, `127.0.1.${10 + i}`));
      await deviceWorks(t, meters[4]!.id);
      await idle[0]!.closed; // the oldest one made room
      expect(refusedBy(t, 'pending_evicted')).toBe(1);
      expect(idle.slice(1).every(isOpen)).toBe(true);
      // a partial CONNECT is not silent: once every pending connection has sent a byte, a new one is refused instead
      for (const s of idle.slice(1)) s.socket.write(Buffer.from([0x10]));
      const extras: Socket[] = [];
      await waitFor(
        'a refusal at the cap',
        async () => {
          const extra = await idleSocket(t.port, `127.0.1.${30 + extras.length}`).catch(() => undefined);
          extra?.socket.write(Buffer.from([0x10]));
          if (extra) extras.push(extra.socket);
          return refusedBy(t, 'pending_cap') >= 1;
        },
        { timeoutMs: 8000, everyMs: 100 },
      );
      for (const s of [...idle.map((i) => i.socket), ...extras]) s.destroy();
    } finally {
      await t.stop();
    }
  });
});

describe('a campus on the default limits (loopback not trusted)', () => {
  it('42 devices from one address connect at once, and all reconnect at once after two broker restarts', async () => {
    // what npm start's simulator does from 127.0.0.1 (DEMO campus: 42 devices), with reconnects as in device-sim/src/fleet.ts
    const campus = loadCampus(DEMO_CAMPUS_FILE);
    // one data dir for the three brokers (a test broker removes its own when it stops): the same device logins
    const dir = tempDir();
    let t = await startTestBroker([campus], { admission: {}, dataDir: dir.path });
    const { port } = t;
    const devices = campus.devices.map((d) => mqtt.connect(t.url, { ...t.deviceLogin(d.id), reconnectPeriod: 500, connectTimeout: 10_000 }));
    for (const d of devices) d.on('error', () => {});
    const refusals = () => t.metric('campus_mqtt_connections_refused_total') + t.metric('campus_mqtt_auth_failures_total');
    try {
      await waitFor('every device connected', () => devices.every((d) => d.connected), { timeoutMs: 30_000 });
      for (let restart = 0; restart < 2; restart++) {
        await t.stop();
        await waitFor('every device to notice', () => devices.every((d) => !d.connected), { timeoutMs: 10_000 });
        t = await startTestBroker([campus], { admission: {}, port, dataDir: dir.path });
        await waitFor(`every device back after restart ${restart + 1}`, () => devices.every((d) => d.connected), { timeoutMs: 30_000 });
        expect(refusals()).toBe(0);
      }
    } finally {
      for (const d of devices) d.end(true);
      await t.stop();
      dir.remove();
    }
  });
});

/** A stream as admission sees it: it can be closed, and says how many bytes it read. */
function fakeStream(bytesRead = 0) {
  const s = Object.assign(new EventEmitter(), { bytesRead, destroyed: false, destroy: () => {} });
  s.destroy = () => {
    if (s.destroyed) return;
    s.destroyed = true;
    s.emit('close');
  };
  return s;
}

describe('Admission (the rules, on a fake clock)', () => {
  it('lifts a ban after banMs, forgets failures outside the window, refuses past the cap, loopback untrusted by default', () => {
    let now = 0;
    const a = new Admission({ banAfterFailures: 2, failureWindowMs: 1000, banMs: 5000, maxConnections: 2, connectRate: 1, connectBurst: 10 }, () => now);
    expect(a.failedLogin('10.0.0.9')).toBe(false);
    now = 1500; // the first failure is outside the window now
    expect(a.failedLogin('10.0.0.9')).toBe(false);
    expect(a.failedLogin('::ffff:10.0.0.9')).toBe(true); // the same address, IPv4-mapped
    expect(a.admit('10.0.0.9', fakeStream())).toBeUndefined();
    now += 5001;
    const first = fakeStream(10);
    a.admit('10.0.0.9', first)!.authenticated();
    a.admit('10.0.0.10', fakeStream(10))!.authenticated();
    const refused = fakeStream(10);
    expect(a.admit('10.0.0.11', refused)).toBeUndefined();
    expect(refused.destroyed).toBe(true);
    first.destroy();
    expect(a.admit('10.0.0.11', fakeStream())).toBeDefined();
    expect(a.refused).toMatchObject({ connection_cap: 1, rate_limited: 0, banned: 1 });
    for (let i = 0; i < 2; i++) a.failedLogin('127.0.0.1');
    expect(a.banned()).toEqual(['127.0.0.1']);
    const trusting = new Admission({ trustLoopback: true, banAfterFailures: 2 }, () => now);
    for (let i = 0; i < 20; i++) trusting.failedLogin('127.0.0.1');
    expect(trusting.banned()).toEqual([]);
  });

  it('counts pending connections per address, evicts the oldest silent one past maxPending, and gives tokens back on login', () => {
    const now = 0;
    const a = new Admission({ maxPending: 3, maxPendingPerAddress: 2, connectRate: 1, connectBurst: 2 }, () => now);
    const closedFor: string[] = [];
    const s = [fakeStream(), fakeStream(), fakeStream(5), fakeStream()];
    const admitted = s.map((x, i) => a.admit(`10.0.1.${i}`, x, (reason) => closedFor.push(`${i}:${reason}`)));
    // the fourth took the place of the first (silent); the third had sent bytes and is kept
    expect(s.map((x) => x.destroyed)).toEqual([true, false, false, false]);
    expect(closedFor).toEqual(['0:pending_evicted']);
    expect(a.pendingConnections).toBe(3);
    admitted[1]!.authenticated();
    expect(a.pendingConnections).toBe(2);
    // per address: two pending, the third refused; a login frees a place and its token
    const x = [fakeStream(1), fakeStream(1), fakeStream(1)];
    const b = new Admission({ maxPendingPerAddress: 2, connectRate: 0.001, connectBurst: 2 }, () => now);
    const ok = x.map((y) => b.admit('10.0.2.1', y));
    expect(ok.map(Boolean)).toEqual([true, true, false]);
    expect(b.refused.pending_per_address).toBe(1);
    ok[0]!.authenticated();
    ok[1]!.authenticated();
    // both tokens are back: two more are admitted (without the refund, the empty bucket would refuse them)
    expect(b.admit('10.0.2.1', fakeStream(1))).toBeDefined();
    expect(b.admit('10.0.2.1', fakeStream(1))).toBeDefined();
    expect(b.admit('10.0.2.1', fakeStream(1))).toBeUndefined();
  });

  it('sizes its cap from the open-file limit: 460 connections, 230 pending at 1024 open files', () => {
    expect(new Admission({ openFileLimit: 1024 }).limits).toMatchObject({ maxConnections: 460, maxPending: 230, maxPendingPerAddress: 64, trustLoopback: false });
    expect(new Admission({ openFileLimit: 1_048_576 }).limits.maxConnections).toBe(20_000);
    expect(new Admission({ openFileLimit: 1024, maxConnections: 5000 }).limits.maxConnections).toBe(5000);
  });
});
