import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { parseDeviceTopic } from '@campus/contract';
import type { BrokerService } from '@campus/broker';
import { loadOrCreateKey, SERVICE_USERS, type Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { districtCampuses, runLoad, type LoadProgress } from '@campus/device-sim';
import { tempDir, waitFor } from '@campus/testkit';
import { startLoadSystem } from '../src/load/pipeline.ts';

/** the broker's log: the refused-login case below would print a warning per device */
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('load mode', () => {
  const dir = tempDir();
  let campuses: Campus[];
  let broker: BrokerService;
  let stopBroker: (() => Promise<void>) | undefined;
  /** telemetry the broker accepted from devices */
  let receivedByBroker: () => number = () => 0;
  let url: string;
  let reader: MqttClient;
  /** what a subscriber received, per device */
  const delivered = new Map<string, { seqs: number[]; last: Record<string, unknown> }>();

  beforeAll(async () => {
    campuses = districtCampuses({ sites: 3, devicesPerSite: 20 });
    // the load mode's broker, from the composition root: 60 devices from 127.0.0.1 at 500
    // connections a second (loopback trusted), and a refused login per device below
    const pipeline = await startLoadSystem({ dataDir: dir.path, campuses, log: quiet, ingest: false });
    ({ broker, stop: stopBroker } = pipeline);
    receivedByBroker = pipeline.received;
    url = `mqtt://127.0.0.1:${broker.port}`;
    // the proof that messages arrive: ingest's identity reads every site (devices may not subscribe)
    reader = mqtt.connect(url, {
      clientId: 'load-test-reader',
      username: SERVICE_USERS.ingest,
      password: loadOrCreateKey(dir.path, 'ingest'),
      reconnectPeriod: 0,
    });
    reader.on('message', (topic, payload) => {
      const t = parseDeviceTopic(topic);
      if (t?.channel !== 'telemetry') return;
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      const entry = delivered.get(t.deviceId) ?? { seqs: [], last: {} };
      entry.seqs.push(body.seq as number);
      entry.last = body;
      delivered.set(t.deviceId, entry);
    });
    await new Promise<void>((resolve, reject) => {
      reader.once('connect', () => resolve());
      reader.once('error', reject);
    });
    await reader.subscribeAsync('campus/+/+/telemetry', { qos: 1 });
  });

  afterAll(async () => {
    await reader?.endAsync();
    await stopBroker?.();
    dir.remove();
  });

  it('drives every device at the chosen rate and QoS 1, and every acknowledged message arrives', async () => {
    const progress: LoadProgress[] = [];
    const figures = await runLoad({
      url,
      campuses,
      simKey: loadOrCreateKey(dir.path, 'sim'),
      ratePerSecond: 300,
      qos: 1,
      durationMs: 3000,
      onProgress: (p) => progress.push(p),
    });
    expect(figures.devices).toBe(60);
    expect(figures.connected).toBe(60);
    expect(figures.connectErrors).toBe(0);
    expect(figures.disconnects).toBe(0);
    expect(figures.errors).toBe(0);
    expect(figures.unacked).toBe(0);
    expect(figures.sent).toBeGreaterThan(0);
    expect(figures.acked).toBe(figures.sent);
    // the schedule: 300/s over the publishing window; every turn either sent or honestly counted as skipped
    const turns = figures.sent + figures.skipped + figures.skippedDisconnected;
    expect(figures.publishMs).toBeGreaterThanOrEqual(3000);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(0.9 * 0.3 * figures.publishMs));
    expect(turns).toBeLessThanOrEqual(Math.ceil(0.3 * figures.publishMs) + 1);
    expect(figures.ackLatencyMs!.p50).toBeGreaterThan(0);
    expect(figures.ackLatencyMs!.p99).toBeGreaterThanOrEqual(figures.ackLatencyMs!.p50);
    expect(figures.rssMB.peak).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.sent).toBeLessThanOrEqual(figures.sent);

    // the broker counted each one before acknowledging it; the subscriber gets them all, in order per device
    expect(receivedByBroker()).toBe(figures.acked);
    await waitFor('every acknowledged message at the subscriber', () => [...delivered.values()].reduce((n, e) => n + e.seqs.length, 0) >= figures.acked, {
      timeoutMs: 60_000,
    });
    expect([...delivered.values()].reduce((n, e) => n + e.seqs.length, 0)).toBe(figures.acked);
    expect(new Set(delivered.keys())).toEqual(new Set(campuses.flatMap((c) => c.devices.map((d) => d.id))));
    for (const [id, { seqs, last }] of delivered) {
      expect(seqs, id).toEqual(seqs.map((_, i) => i));
      expect(typeof last.ts).toBe('number');
      const kind = campuses.flatMap((c) => c.devices).find((d) => d.id === id)!.kind;
      const field = { electric_meter: 'totalKWh', water_meter: 'totalM3', transformer: 'currentA', fridge: 'tempC' }[kind];
      expect(last, id).toHaveProperty(field);
    }
    // every connection was ended (only the reader remains)
    await waitFor('the devices to be gone from the broker', () => broker.instance!.connectedClients === 1, { timeoutMs: 30_000 });
  });

  it('at QoS 0 counts a message acknowledged once written, and stops early when aborted', async () => {
    const abort = new AbortController();
    const before = receivedByBroker();
    const figures = await runLoad({
      url,
      campuses,
      simKey: loadOrCreateKey(dir.path, 'sim'),
      ratePerSecond: 200,
      qos: 0,
      durationMs: 120_000,
      onProgress: (p) => p.phase === 'publishing' && p.sent > 100 && abort.abort(),
      signal: abort.signal,
    });
    expect(figures.publishMs).toBeLessThan(60_000);
    expect(figures.connected).toBe(60);
    expect(figures.errors).toBe(0);
    expect(figures.sent).toBeGreaterThan(100);
    expect(figures.acked).toBe(figures.sent);
    expect(figures.ackLatencyMs).toBeNull();
    await waitFor('the QoS 0 messages at the broker', () => receivedByBroker() - before === figures.sent, { timeoutMs: 30_000 });
  });

  it('counts refused logins as connect errors instead of failing the run', async () => {
    const figures = await runLoad({ url, campuses: campuses.slice(0, 1), simKey: 'not-the-key-'.repeat(4), ratePerSecond: 50, qos: 1, durationMs: 200 });
    expect(figures.connected).toBe(0);
    expect(figures.connectErrors).toBe(20);
    expect(figures.sent).toBe(0);
    expect(figures.skippedDisconnected).toBeGreaterThan(0);
    expect(Object.keys(figures.errorSamples).join(' ')).toMatch(/username or password|Not authorized/i);
  });
});

describe('npm run sim:load (app/src/load-cli.ts)', () => {
  const cli = fileURLToPath(new URL('../src/load-cli.ts', import.meta.url));

  it.each(['inproc', 'child'])('with its own broker (--broker %s) and ingest: every acknowledged message received and stored, exit 0', async (where) => {
    const args = ['--sites', '1', '--devices', '20', '--rate', '100', '--duration', '2s', '--ingest', '--broker', where, '--json'];
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args], { timeout: 90_000 });
    expect(stdout).toMatch(/\] publishing +connected 20\/20/);
    expect(stdout).toMatch(where === 'child' ? /broker +own, in a child process \(pid \d+\)/ : /broker +own, in this process/);
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as { acked: number; errors: number; pipeline: { received: number; stored: number; rejected: number } };
    expect(figures.acked).toBeGreaterThan(100);
    expect(figures.errors).toBe(0);
    expect(figures.pipeline).toMatchObject({ received: figures.acked, stored: figures.acked, rejected: 0 });
  });
});
