/**
 * MQTTS and WSS listeners with a certificate made by openssl for the test: a device publishes over
 * TLS (certificate verified), a gateway over secure WebSocket, ingest's identity reads both on the
 * plain listener. Without a usable certificate the broker refuses to start, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { districtCampuses } from '@campus/device-sim';
import { startTestBroker, tempDir, waitFor, type TestBroker } from '@campus/testkit';

describe('TLS listeners', () => {
  const dir = tempDir();
  const campuses = districtCampuses({ sites: 1, devicesPerSite: 20 });
  const site = campuses[0]!;
  const [a, b] = site.devices.filter((d) => d.kind === 'electric_meter');
  const certFile = join(dir.path, 'cert.pem');
  const keyFile = join(dir.path, 'key.pem');
  const tls = (keyFile: string, certFile: string) => ({ tls: { certFile, keyFile, mqttsPort: 0, wssPort: 0, host: '127.0.0.1' } });
  let t: TestBroker;
  const login = (deviceId: string) => ({ ...t.deviceLogin(deviceId), reconnectPeriod: 0 });

  beforeAll(async () => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost'].concat([
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ]),
      { stdio: 'ignore' },
    );
    t = await startTestBroker(campuses, tls(keyFile, certFile));
  });
  afterAll(async () => {
    await t?.stop();
    dir.remove();
  });

  it('a device publishes over MQTTS and a gateway over WSS; the plain listener delivers both', async () => {
    const health = t.broker.health() as unknown as { mqttsPort: number; wssPort: number };
    expect(health.mqttsPort).toBeGreaterThan(0);
    const reader = await mqtt.connectAsync(t.url, { clientId: 'tls-test-reader', ...t.ingestLogin(), reconnectPeriod: 0 });
    const got: string[] = [];
    reader.on('message', (topic) => got.push(topic));
    await reader.subscribeAsync('campus/+/+/telemetry', { qos: 1 });

    const ca = readFileSync(certFile);
    const overTls = await mqtt.connectAsync(`mqtts://localhost:${health.mqttsPort}`, { ...login(a!.id), ca, rejectUnauthorized: true });
    await overTls.publishAsync(`campus/${site.site.id}/${a!.id}/telemetry`, JSON.stringify({ ts: Date.now(), seq: 1, values: { totalKWh: 1 } }), { qos: 1 });
    const overWss = await mqtt.connectAsync(`wss://localhost:${health.wssPort}/mqtt`, { ...login(b!.id), ca, rejectUnauthorized: true });
    await overWss.publishAsync(`campus/${site.site.id}/${b!.id}/telemetry`, JSON.stringify({ ts: Date.now(), seq: 1, values: { totalKWh: 1 } }), { qos: 1 });
    await waitFor('both readings delivered', () => got.length === 2);
    expect(got.sort()).toEqual([`campus/${site.site.id}/${a!.id}/telemetry`, `campus/${site.site.id}/${b!.id}/telemetry`].sort());

    // the same ACL: over TLS a device still may not publish for another
    const closed = new Promise<void>((r) => overTls.once('close', () => r()));
    overTls.publish(`campus/${site.site.id}/${b!.id}/telemetry`, '{}', { qos: 1 });
    await closed;
    // a client that does not trust the certificate does not get in
    await expect(mqtt.connectAsync(`mqtts://localhost:${health.mqttsPort}`, { ...login(a!.id), rejectUnauthorized: true })).rejects.toThrow(
      /self.signed|certificate/i,
    );
    overTls.end(true);
    await overWss.endAsync();
    await reader.endAsync();
  });

  it('closes a socket that never finishes its TLS handshake (admission only sees decrypted connections)', async () => {
    const quick = await startTestBroker(campuses, { tls: { ...tls(keyFile, certFile).tls, handshakeTimeoutMs: 500 } });
    try {
      const { connect } = await import('node:net');
      const ports = [quick.broker.health().mqttsPort as number, quick.broker.health().wssPort as number];
      // idle sockets: TCP connected, not one byte of TLS sent; Node's own timeout would hold them 120 s
      const closed = await Promise.all(
        ports.map(
          (port) =>
            new Promise<number>((resolve) => {
              const started = Date.now();
              const socket = connect(port, '127.0.0.1');
              socket.on('error', () => {});
              socket.on('close', () => resolve(Date.now() - started));
            }),
        ),
      );
      for (const ms of closed) expect(ms).toBeLessThan(60_000);
    } finally {
      await quick.stop();
    }
  });

  it('refuses to start with a certificate it cannot use, naming the knob', async () => {
    const bad = join(dir.path, 'not-a-key.pem');
    writeFileSync(bad, 'not a key\n');
    await expect(startTestBroker(campuses, tls(bad, certFile))).rejects.toThrow(/TLS certificate or key/);
    await expect(startTestBroker(campuses, tls(keyFile, join(dir.path, 'nope.pem')))).rejects.toThrow(/CAMPUS_TLS_CERT/);
  });
});
